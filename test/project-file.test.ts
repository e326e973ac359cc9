/**
 * Pulumi.yaml as the Pulumi CLI reads it before the program runs: a declared key with no
 * default must be set in every stack file, or `pulumi preview` stops with "Stack '<name>' is
 * missing configuration value '<key>'" (workspace.ValidateStackConfigAndApplyProjectConfig).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { configSchema, SECRET_KEYS } from "../model/config";
import { knownStacks } from "../model/stackfile";
import { CONFIG_NAMESPACE } from "../model/names";
import { ROOT } from "./helpers/mocks";

interface Declared {
  readonly type: string;
  readonly default?: unknown;
  readonly secret?: boolean;
  readonly description?: string;
}

const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; runtime: { name: string; options: Record<string, unknown> }; config: Record<string, Declared> };

describe("Pulumi.yaml", () => {
  it("names the project after the config namespace and runs TypeScript through npm", () => {
    expect(project.name).toBe(CONFIG_NAMESPACE);
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
  });

  it("declares only keys the schema knows, each with a description, and no optional secret (a declared key without default is required)", () => {
    expect(Object.keys(project.config)).toEqual(["environment", "protect"]);
    for (const [key, d] of Object.entries(project.config)) {
      expect(Object.hasOwn(configSchema.shape, key)).toBe(true);
      expect(d.description?.length).toBeGreaterThan(20);
      expect(Object.hasOwn(SECRET_KEYS, key)).toBe(false);
    }
  });

  it.each(knownStacks(ROOT))("every declared key without a default is set in Pulumi.%s.yaml", (stack) => {
    const values = (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
    const missing = Object.entries(project.config).filter(([key, d]) => d.default === undefined && !(`${CONFIG_NAMESPACE}:${key}` in values)).map(([key]) => key);
    expect(missing).toEqual([]);
  });
});
