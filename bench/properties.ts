/**
 * `npm run bench:properties`: the property check of test/properties.test.ts at bench size.
 * Each generated stack config (hostile strings included) goes through the synth CLI exactly
 * as a user's stack file would, and must either
 *   - render: exit 0, and every artifact passes every check the project has (uids, names,
 *     CRD schema, PromQL and template lints; the rule files then through one batched
 *     `promtool check rules --lint=all --lint-fatal`), or
 *   - be refused: exit 1 with one aggregated message naming the stack file and each key,
 *     nothing written under out/, no exception escaping the CLI.
 * Prints counts and figures; fails (exit 1) on the first config that does neither, printing it.
 *
 *   npm run bench:properties [-- --runs 10000] [--seed 20261204]
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { stringify } from "yaml";
import { buildModel } from "../model/model";
import { rawFromEntries } from "../model/stackfile";
import { main } from "../synth/cli";
import { stackConfig } from "../test/helpers/arbitraries";
import { checkModel, loadCrdSchema } from "../test/helpers/checks";
import { promtool } from "../test/helpers/promtool";

/** Rule files per promtool call: one call per file would spend most of the run starting promtool. */
const BATCH = 500;
const FILE = "Pulumi.gen.yaml";
const REFUSAL_HEAD = /^Pulumi\.gen\.yaml: \d+ config problems?:$/;
const REFUSAL_LINE = /^ {2}- (seamless:\S+.*|\(file\)): .+\. Fix: .+/s;

async function run(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "10000" }, seed: { type: "string", default: "20261204" } } });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
    console.error("usage: npm run bench:properties [-- --runs <n>] [--seed <n>]");
    return 2;
  }
  await loadCrdSchema();
  const project = mkdtempSync(join(tmpdir(), "seamless-bench-props-"));
  const rules = mkdtempSync(join(tmpdir(), "seamless-bench-rules-"));
  const counts = { rendered: 0, refused: 0, problems: new Map<number, number>() };
  let cliMs = 0;
  let checkMs = 0;
  try {
    const configs = fc.sample(stackConfig, { numRuns: runs, seed });
    for (const [i, entries] of configs.entries()) {
      const fail = (why: string) => {
        throw new Error(`config #${i} (seed ${seed}): ${why}\n${stringify({ config: Object.fromEntries(entries) })}`);
      };
      writeFileSync(join(project, FILE), stringify({ config: Object.fromEntries(entries) }));
      const out: string[] = [];
      const err: string[] = [];
      const t0 = performance.now();
      let code: number;
      try {
        code = main(["gen", "--quiet"], project, (s) => out.push(s), (s) => err.push(s));
      } catch (e) {
        return fail(`an exception escaped the synth CLI: ${(e as Error).stack}`);
      }
      cliMs += performance.now() - t0;
      const wrote = existsSync(join(project, "out"));
      if (code === 1) {
        const lines = err.join("\n").split("\n");
        if (wrote) fail("refused but left out/ behind");
        if (!REFUSAL_HEAD.test(lines[0]) || !lines.slice(1).every((l) => REFUSAL_LINE.test(l))) fail(`unclear refusal:\n${err.join("\n")}`);
        counts.refused++;
        counts.problems.set(lines.length - 1, (counts.problems.get(lines.length - 1) ?? 0) + 1);
        continue;
      }
      if (code !== 0 || !wrote) fail(`exit ${code}, out/ ${wrote ? "written" : "missing"}:\n${err.join("\n")}`);
      const t1 = performance.now();
      const { problems, ruleFile } = checkModel(buildModel(rawFromEntries(FILE, entries)));
      checkMs += performance.now() - t1;
      if (problems.length) fail(`rendered artifacts fail checks:\n${problems.join("\n")}`);
      // what synth wrote is what the checks saw
      if (readFileSync(join(project, "out", "gen", "prometheus", "rules.yaml"), "utf8") !== ruleFile) fail("out/gen/prometheus/rules.yaml differs from the checked rendering");
      writeFileSync(join(rules, `rules-${counts.rendered++}.yaml`), ruleFile);
      rmSync(join(project, "out"), { recursive: true });
    }
    const files = readdirSync(rules).map((f) => join(rules, f));
    const t2 = performance.now();
    for (let i = 0; i < files.length; i += BATCH) {
      const check = promtool("check", "rules", "--lint=all", "--lint-fatal", ...files.slice(i, i + BATCH));
      if (check.status !== 0) throw new Error(`promtool check rules failed:\n${check.output.split("\n").filter((l) => /FAILED|error/i.test(l)).slice(0, 20).join("\n")}`);
    }
    const promtoolMs = performance.now() - t2;
    const spread = [...counts.problems.entries()].sort(([a], [b]) => a - b).map(([n, c]) => `${n}: ${c}`).join(", ");
    console.log(
      [
        `| configs | rendered and valid | refused with a clear error | synth CLI ms/config | checks ms/rendered config | promtool ms/rule file |`,
        `|---|---|---|---|---|---|`,
        `| ${runs} | ${counts.rendered} | ${counts.refused} | ${(cliMs / runs).toFixed(2)} | ${(checkMs / Math.max(1, counts.rendered)).toFixed(2)} | ${(promtoolMs / Math.max(1, files.length)).toFixed(2)} |`,
        "",
        `Problems per refusal (count: refusals): ${spread}`,
        `0 exceptions escaped the CLI, 0 partial out/ directories, ${files.length} rule files accepted by promtool check rules --lint=all (seed ${seed}).`,
      ].join("\n"),
    );
    return 0;
  } catch (e) {
    console.error(`bench:properties: ${(e as Error).message}`);
    return 1;
  } finally {
    rmSync(project, { recursive: true, force: true });
    rmSync(rules, { recursive: true, force: true });
  }
}

run().then((code) => (process.exitCode = code));
