import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { buildModel } from "../model/model";
import { readStackFile } from "../model/stackfile";
import { StackModel } from "../model/model";
import { alertRules } from "../model/rules";
import { findMetric } from "../model/catalogue";
import { LintContext, lintPromQL, recordedSeries } from "../lint/promql";
import { lintTemplate } from "../lint/templates";
import { allValuesOf, panelQueries, substitute } from "../lint/queries";
import { grafanaTemplates } from "../model/grafana";
import { isDns1123Label } from "../model/names";
import { ROOT } from "./helpers/mocks";
import { promtool } from "./helpers/promtool";
import { tempDir } from "./helpers/tmp";
import { toYaml } from "../synth/render";

const STACKS = ["dev", "staging", "prod"] as const;
const models = STACKS.map((s) => buildModel(readStackFile(ROOT, s)));

function lintContext(model: StackModel): LintContext {
  return { recorded: recordedSeries(model.rules), minRangeSeconds: 60 };
}
const CTX: LintContext = { recorded: new Map([["seamless:sla_requests:rate5m", []]]), minRangeSeconds: 60 };

describe("PromQL lint over every rule and panel of every stack", () => {
  it.each(STACKS.map((s, i) => [s, models[i]] as const))("%s: every rule expression is clean", (_s, model) => {
    const ctx = lintContext(model);
    const exprs = [...model.prometheusRuleFile.groups.flatMap((g) => g.rules.map((r) => r.expr)), ...alertRules(model.rules).map((a) => a.grafanaExpr)];
    expect(exprs.length).toBeGreaterThan(10);
    expect(exprs.flatMap((e) => lintPromQL(e, ctx).map((p) => `${p} in ${e}`))).toEqual([]);
  });

  it.each(STACKS.map((s, i) => [s, models[i]] as const))("%s: every panel query is clean with All and with a multi-value selection", (_s, model) => {
    const ctx = lintContext(model);
    const queries = model.dashboards.flatMap((d) => panelQueries(d.json).map((q) => ({ ...q, allValues: allValuesOf(d.json) })));
    expect(queries.length).toBe(34);
    const selections: Array<Record<string, string[]>> = [{}, { node_id: ["n1", "n.2"], world_id: ["w1"] }];
    for (const values of selections) {
      const problems = queries.flatMap((q) => lintPromQL(substitute(q.expr, { rateInterval: "1m", range: "1h", values, allValues: q.allValues }), ctx).map((p) => `${q.title}/${q.refId}: ${p}`));
      expect(problems).toEqual([]);
    }
  });

  it("substitutes variables the way Grafana does", () => {
    expect(substitute('sum by (le) (rate(x_bucket{node_id=~"$node_id",world_id=~"${world_id}"}[$__rate_interval]))', { rateInterval: "2m", range: "6h", values: { node_id: ["a.b", "c"] } })).toBe(
      'sum by (le) (rate(x_bucket{node_id=~"(a\\\\.b|c)",world_id=~".*"}[2m]))',
    );
  });

  const failing: Array<[string, string, string]> = [
    ["a syntax error", "sum(rate(backfill_failure_total[5m]) ", 'syntax error at 37: "_failure_total[5m]) "'],
    ["an unknown metric", "sum(backfill_job_in_progress)", "backfill_job_in_progress is neither a catalogue metric nor a recording rule"],
    ["a label the metric does not carry", 'backfill_failure_total{world_id="w1"}', "backfill_failure_total has no label world_id (it has node_id, interval)"],
    ["rate over a gauge", "rate(backfill_jobs_in_progress[5m])", "rate() reads backfill_jobs_in_progress, which is not a counter or histogram series"],
    ["a range shorter than 4 scrape intervals", "rate(backfill_failure_total[30s])", "rate() over [30s] is shorter than 4 scrape intervals (60s)"],
    ["histogram_quantile that drops le", "histogram_quantile(0.99, sum by (phase) (rate(seamless_sla_deadline_seconds_bucket[5m])))", "histogram_quantile() over sum by (phase) (rate(seamless_sla_deadli... drops the le label; aggregate by (le, ...)"],
    ["grouping by a label no series carries", "sum by (world_id) (rate(backfill_failure_total[5m]))", "sum by (world_id) groups by a label no series in it carries"],
  ];
  it.each(failing)("catches %s", (_name, expr, problem) => {
    expect(lintPromQL(expr, CTX)).toEqual([problem]);
  });

  it("knows its reach: rate(sum(x)[5m]) parses and passes this lint, but promtool refuses it", () => {
    expect(lintPromQL("rate(sum(backfill_failure_total)[5m])", CTX)).toEqual([]);
    const dir = tempDir();
    writeFileSync(join(dir, "bad.yaml"), toYaml({ groups: [{ name: "g", rules: [{ record: "x:y:z", expr: "rate(sum(backfill_failure_total)[5m])" }] }] }));
    const result = promtool("check", "rules", join(dir, "bad.yaml"));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("ranges only allowed for vector selectors");
  });
});

describe("template lint over every annotation", () => {
  it.each(STACKS.map((s, i) => [s, models[i]] as const))("%s: Prometheus and Grafana annotations are clean", (_s, model) => {
    for (const alert of alertRules(model.rules)) {
      const labels = [...new Set([...alert.metrics.flatMap((m) => findMetric(m)?.labels ?? []), "metric"])];
      for (const text of [...Object.values(alert.annotations), ...Object.values(grafanaTemplates(alert.annotations))]) expect(lintTemplate(text, labels)).toEqual([]);
    }
  });

  it("catches a label the alert does not carry, an unknown function and unbalanced braces", () => {
    expect(lintTemplate("Lease {{ $labels.lease }} at {{ $value | humanizePercent }}", ["lease_key"])).toEqual([
      "{{ $labels.lease }} reads $labels.lease, which the alert's series do not carry (they carry lease_key)",
      "{{ $value | humanizePercent }} uses humanizePercent, which is neither $labels.<label>, $value nor a known function (humanize, humanize1024, humanizePercentage, humanizeDuration, toUpper, toLower, title, printf)",
    ]);
    expect(lintTemplate("{{ $value ", [])).toEqual(['unbalanced template braces in "{{ $value "']);
  });
});

describe("promtool --lint=all", () => {
  it("is clean (fatal) on the rule file of every stack, and catches a duplicate rule", () => {
    const dir = tempDir();
    for (const [i, model] of models.entries()) {
      const file = join(dir, `${STACKS[i]}.yaml`);
      writeFileSync(file, toYaml(model.prometheusRuleFile));
      const result = promtool("check", "rules", "--lint=all", "--lint-fatal", file);
      expect(result.status).toBe(0);
    }
    const dup = join(dir, "dup.yaml");
    const rule = { record: "seamless:x:rate5m", expr: "sum(rate(backfill_failure_total[5m]))" };
    writeFileSync(dup, toYaml({ groups: [{ name: "g", rules: [rule, rule] }] }));
    const result = promtool("check", "rules", "--lint=all", "--lint-fatal", dup);
    expect(result.status).toBe(3);
    expect(result.output).toContain("duplicate");
  });
});

describe("the PrometheusRule CRD schema (@kubernetes-models/prometheus-operator)", () => {
  type Model = new (data: unknown) => { validate(): void };
  const load = async () => ((await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule")) as unknown as { PrometheusRule: Model }).PrometheusRule;

  it("accepts every stack's object and rejects a rule without expr", async () => {
    const PrometheusRule = await load();
    for (const model of models) expect(() => new PrometheusRule(model.prometheusRule).validate()).not.toThrow();
    const bad = { ...models[0].prometheusRule!, spec: { groups: [{ name: "g", rules: [{ record: "a:b:c" }] }] } };
    expect(() => new PrometheusRule(bad).validate()).toThrow(/expr/);
  });

  it("does not check object names, so DNS-1123 is checked by the project", async () => {
    const PrometheusRule = await load();
    const upstreamName = { ...models[0].prometheusRule!, metadata: { ...models[0].prometheusRule!.metadata, name: "seamless_v2_observability-recording-rules" } };
    expect(() => new PrometheusRule(upstreamName).validate()).not.toThrow();
    expect(isDns1123Label(upstreamName.metadata.name)).toBe(false);
    expect(models.map((m) => isDns1123Label(m.prometheusRule!.metadata.name))).toEqual([true, true, true]);
  });
});
