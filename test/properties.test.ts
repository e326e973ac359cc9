import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { buildModel } from "../model/model";
import { ConfigError } from "../model/config";
import { rawFromEntries } from "../model/stackfile";
import { main } from "../synth/cli";
import { stackConfig } from "./helpers/arbitraries";
import { checkModel, loadCrdSchema } from "./helpers/checks";
import { promtool } from "./helpers/promtool";

beforeAll(loadCrdSchema);

describe("any generated config renders valid artifacts or fails with a clear aggregated error", () => {
  it("300 generated stack configs, hostile strings included", () => {
    const dir = mkdtempSync(join(tmpdir(), "seamless-props-"));
    let rendered = 0;
    let refused = 0;
    fc.assert(
      fc.property(stackConfig, (entries) => {
        let model;
        try {
          model = buildModel(rawFromEntries("Pulumi.gen.yaml", entries));
        } catch (e) {
          // the only acceptable failure: a ConfigError naming the file, every line naming a key and a fix
          expect(e).toBeInstanceOf(ConfigError);
          const lines = (e as Error).message.split("\n");
          expect(lines[0]).toMatch(/^Pulumi\.gen\.yaml: \d+ config problems?:$/);
          for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}- seamless:\S+.*: .+\. Fix: .+/s);
          refused++;
          return;
        }
        const { problems, ruleFile } = checkModel(model);
        expect(problems).toEqual([]);
        writeFileSync(join(dir, `rules-${rendered++}.yaml`), ruleFile);
      }),
      { numRuns: 300, seed: 20261203 },
    );
    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(rendered).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
    const check = promtool("check", "rules", "--lint=all", "--lint-fatal", ...files);
    expect(check.output).not.toContain("FAILED");
    expect(check.status).toBe(0);
  });
});

describe("the synth CLI with bad input", () => {
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "seamless-cli-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const run = (dir: string, ...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(args, dir, (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("writes nothing when one of the stacks is wrong, and names the file and key", () => {
    const dir = project({
      "Pulumi.good.yaml": stringify({ config: { "seamless:environment": "good" } }),
      "Pulumi.bad.yaml": stringify({ config: { "seamless:environment": "bad", "seamless:slo": { objective: 2 } } }),
    });
    const result = run(dir, "--all");
    expect(result.code).toBe(1);
    expect(result.err).toBe('Pulumi.bad.yaml: 1 config problem:\n  - seamless:slo.objective = 2: must be a ratio below 1. Fix: set seamless:slo.objective to a valid value (see README, "Config keys")');
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("reports invalid YAML in one line naming the file", () => {
    const dir = project({ "Pulumi.broken.yaml": "config:\n  seamless:environment: [unclosed\n" });
    const result = run(dir, "broken");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Pulumi\.broken\.yaml: 1 config problem:\n {2}- \(file\): is not valid YAML: .+\. Fix: fix the YAML syntax$/);
  });

  it("reports a value of the wrong type naming the key", () => {
    const dir = project({ "Pulumi.typed.yaml": stringify({ config: { "seamless:environment": "typed", "seamless:notifications": { slack: { enabled: "yes" } } } }) });
    expect(run(dir, "typed").err).toBe(
      'Pulumi.typed.yaml: 1 config problem:\n  - seamless:notifications.slack.enabled = "yes": Invalid input: expected boolean, received string. Fix: set seamless:notifications.slack.enabled to a valid value (see README, "Config keys")',
    );
  });

  it("lists the known stacks when asked for one that does not exist", () => {
    const dir = project({ "Pulumi.dev.yaml": stringify({ config: { "seamless:environment": "dev" } }) });
    expect(run(dir, "prdo")).toEqual({
      code: 2,
      out: "",
      err: "unknown stack prdo: no Pulumi.<stack>.yaml; known stacks: dev\nusage: npm run synth -- <stack> [<stack>...] | --all [--out <dir>] [--quiet]",
    });
    expect(run(dir, "dev", "--all").code).toBe(2);
    expect(run(dir, "--help")).toEqual({ code: 0, out: "usage: npm run synth -- <stack> [<stack>...] | --all [--out <dir>] [--quiet]", err: "" });
  });
});
