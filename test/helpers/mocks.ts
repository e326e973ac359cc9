/** Runs the whole Pulumi program (index.ts) under the SDK's mocks and captures every resource's inputs. */
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { readStackFile } from "../../model/stackfile";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** One resource the program registered. */
export interface Captured {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
}

export const ROOT = join(__dirname, "..", "..");

/** `config:` map of a stack file, with extra keys merged on top (objects replaced whole). */
export function stackConfig(stack: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const doc = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return { ...doc.config, ...extra };
}

/** Engine-style config: every value as text, structured values as JSON. */
export function engineConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Runs index.ts for a stack config; returns the captured resources and the stack's exports resolved. */
export async function runProgram(stack: string, config: Record<string, unknown>, secretKeys: string[] = []): Promise<{ resources: Captured[]; outputs: Record<string, unknown>; logs: string[] }> {
  vi.resetModules();
  const resources: Captured[] = [];
  const logs: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.map(String).join(" ")));
  const warn = vi.spyOn(console, "warn").mockImplementation((...a: unknown[]) => void logs.push(a.map(String).join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void logs.push(a.map(String).join(" ")));
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "grafana:oss/dashboard:Dashboard") state.url = `https://grafana.test/d/${JSON.parse(String(args.inputs.configJson)).uid}`;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "seamless",
    stack,
    true,
  );
  pulumi.runtime.setAllConfig(engineConfig(config), secretKeys);
  const program = (await import(/* @vite-ignore */ join(ROOT, "index.ts"))) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(program)) outputs[k] = pulumi.Output.isInstance(v) ? await resolve(v) : v;
  // wait for every registration of this run before the next run replaces the mocks
  await pulumi.runtime.disconnect();
  spy.mockRestore();
  warn.mockRestore();
  error.mockRestore();
  return { resources, outputs, logs };
}

/** The value of an Output (mocks resolve every value). */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((ok) => output.apply((v) => ok(v)));
}

export { readStackFile };
