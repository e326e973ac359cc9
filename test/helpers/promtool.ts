/** Runs Debian's promtool on rendered rules: `check rules` and `test rules` with synthetic series. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toYaml } from "../../synth/render";

/** Result of one promtool run. */
export interface PromtoolResult {
  readonly status: number;
  readonly output: string;
}

/** Runs promtool with arguments; fails loudly when it is not installed (.ci/run installs it). */
export function promtool(...args: string[]): PromtoolResult {
  const run = spawnSync("promtool", args, { encoding: "utf8" });
  if (run.error) throw new Error(`promtool not runnable (${run.error.message}); install Debian's prometheus package: apt-get install -y prometheus`);
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** A fresh temporary directory; its caller removes it. */
function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "seamless-"));
}

/** One expected alert: its labels (alertname excluded). */
export type ExpectedAlert = Record<string, string>;

/** One promtool unit test: input series and the exact alerts expected at exact times. */
export interface Scenario {
  readonly name: string;
  readonly series: ReadonlyArray<readonly [string, string]>;
  readonly expect: ReadonlyArray<{ readonly at: string; readonly alert: string; readonly alerts: readonly ExpectedAlert[] }>;
}

/** Writes the rule file and the scenarios, runs `promtool test rules`. */
export function testRules(rules: unknown, scenarios: readonly Scenario[]): PromtoolResult {
  const dir = scratchDir();
  writeFileSync(join(dir, "rules.yaml"), toYaml(rules));
  const tests = {
    rule_files: ["rules.yaml"],
    evaluation_interval: "1m",
    tests: scenarios.map((s) => ({
      name: s.name,
      interval: "1m",
      input_series: s.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: s.expect.map((e) => ({ eval_time: e.at, alertname: e.alert, exp_alerts: e.alerts.map((labels) => ({ exp_labels: labels })) })),
    })),
  };
  writeFileSync(join(dir, "tests.yaml"), toYaml(tests));
  try {
    return promtool("test", "rules", join(dir, "tests.yaml"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One PromQL evaluation and the exact samples expected. */
export interface ExprCheck {
  readonly expr: string;
  readonly at: string;
  readonly samples: ReadonlyArray<{ readonly labels: string; readonly value: number }>;
}

/** Runs `promql_expr_test`s over series, with the given rule file loaded (recording rules evaluated). */
export function testExprs(rules: unknown, series: ReadonlyArray<readonly [string, string]>, checks: readonly ExprCheck[]): PromtoolResult {
  const dir = scratchDir();
  writeFileSync(join(dir, "rules.yaml"), toYaml(rules));
  const tests = {
    rule_files: ["rules.yaml"],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: series.map(([s, values]) => ({ series: s, values })),
        promql_expr_test: checks.map((c) => ({ expr: c.expr, eval_time: c.at, exp_samples: c.samples.map((s) => ({ labels: s.labels, value: s.value })) })),
      },
    ],
  };
  writeFileSync(join(dir, "tests.yaml"), toYaml(tests));
  try {
    return promtool("test", "rules", join(dir, "tests.yaml"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
