import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { engineConfig, ROOT, stackConfig } from "./helpers/mocks";

/** Runs index.ts through Pulumi's own TypeScript loader with a stack's config, outside any engine. */
function load(stack: string, config: Record<string, unknown>): string {
  const run = spawnSync("node", [join(ROOT, "test/helpers/pulumi-load.cjs")], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_NODEJS_STACK: stack, PULUMI_NODEJS_PROJECT: "seamless", PULUMI_CONFIG: JSON.stringify(engineConfig(config)) },
  });
  return `${run.stdout}${run.stderr}`.trim();
}

describe("index.ts under Pulumi's TypeScript loader (what `pulumi up` compiles and runs)", () => {
  it.each(["dev", "staging", "prod"])("%s compiles and builds its model", (stack) => {
    expect(load(stack, stackConfig(stack))).toBe("LOADED");
  });

  it("stops on a bad stack config with the message alone", () => {
    expect(load("staging", stackConfig("staging", { "seamless:slo": { objective: 99 } }))).toBe(
      'Pulumi.staging.yaml: 1 config problem:\n  - seamless:slo.objective = 99: must be at most 0.99999 (an objective such as 0.999). Fix: set seamless:slo.objective to a valid value (see README, "Config keys")',
    );
  });
});
