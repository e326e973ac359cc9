import { describe, expect, it } from "vitest";
import { buildModel } from "../model/model";
import { rawFromEntries, readStackFile } from "../model/stackfile";
import { alertRules, bucketChoices } from "../model/rules";
import { leValue } from "../model/catalogue";
import { describeBound } from "../model/buckets";
import { ANNOTATION } from "../model/names";
import { grafanaTemplates, REF } from "../model/grafana";
import { ROOT } from "./helpers/mocks";
import { testExprs, testRules } from "./helpers/promtool";

const model = (stack: string) => buildModel(readStackFile(ROOT, stack));
const custom = (values: Record<string, unknown>) => buildModel(rawFromEntries("Pulumi.test.yaml", Object.entries({ "seamless:environment": "test", ...values })));
const GRAFANA_ONLY: readonly string[] = [ANNOTATION.dashboardUid, ANNOTATION.panelId, ANNOTATION.gated];

describe("one definition, two renderings", () => {
  it.each(["dev", "staging", "prod"])("%s: every Grafana rule maps back to the Prometheus rule of the same name", (stack) => {
    const m = model(stack);
    const prom = new Map(m.prometheusRuleFile.groups.flatMap((g) => g.rules.flatMap((r) => ("alert" in r ? [[r.alert, { ...r, group: g.name }] as const] : []))));
    const grafana = m.grafanaRuleGroups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
    expect(grafana.map((r) => r.name).sort()).toEqual(alertRules(m.rules).map((a) => a.name).sort());
    for (const rule of grafana) {
      const query = JSON.parse(rule.datas.find((d) => d.refId === REF.query)!.model) as { expr: string; instant: boolean };
      const back = {
        alert: rule.name,
        expr: query.expr,
        for: rule.for === "0s" ? undefined : rule.for,
        labels: rule.labels,
        annotations: Object.fromEntries(Object.entries(rule.annotations).filter(([k]) => !GRAFANA_ONLY.includes(k))),
      };
      if (rule.isPaused) {
        expect(prom.has(rule.name), `${rule.name} is paused in Grafana and absent from Prometheus`).toBe(false);
        continue;
      }
      const p = prom.get(rule.name)!;
      expect(back).toEqual({ alert: p.alert, expr: p.expr, for: "for" in p ? p.for : undefined, labels: p.labels, annotations: grafanaTemplates("annotations" in p ? p.annotations : {}) });
      expect(rule.group).toBe(p.group);
      expect(query.instant).toBe(true);
    }
  });

  it("without recording rules deployed, Grafana queries the same ratio inline, and both forms evaluate to the same value", () => {
    const inline = custom({ "seamless:kubernetes": { enabled: false }, "seamless:metrics": { emitted: ["seamless_sla_deadline_seconds"] } });
    const page = alertRules(inline.rules).find((a) => a.name === "SeamlessSloBurnRatePage")!;
    expect(page.expr).toBe("seamless:sla_errors:ratio_rate1h > 0.144\nand\nseamless:sla_errors:ratio_rate5m > 0.144");
    expect(page.grafanaExpr).toBe(
      '(1 - (sum(rate(seamless_sla_deadline_seconds_bucket{phase="total",le="5.0"}[1h])) / sum(rate(seamless_sla_deadline_seconds_count{phase="total"}[1h])))) > 0.144\nand\n' +
        '(1 - (sum(rate(seamless_sla_deadline_seconds_bucket{phase="total",le="5.0"}[5m])) / sum(rate(seamless_sla_deadline_seconds_count{phase="total"}[5m])))) > 0.144',
    );
    const series: Array<[string, string]> = [
      ['seamless_sla_deadline_seconds_count{phase="total"}', "0+60x100"],
      ['seamless_sla_deadline_seconds_bucket{phase="total",le="5.0"}', "0+60x60 3600+0x40"],
    ];
    const result = testExprs(inline.prometheusRuleFile, series, [
      { expr: `round(${page.expr.replace(/\n/g, " ")}, 0.000001)`, at: "75m", samples: [{ labels: "{}", value: 0.25 }] },
      { expr: `round(${page.grafanaExpr.replace(/\n/g, " ")}, 0.000001)`, at: "75m", samples: [{ labels: "{}", value: 0.25 }] },
    ]);
    expect(result.output).toContain("SUCCESS");
  });
});

describe("bucket awareness", () => {
  it("staging's 4s deadline is estimated between le=2.5 and le=5.0, and promtool computes the estimate", () => {
    const staging = model("staging");
    const good = staging.prometheusRuleFile.groups[0].rules.find((r) => "record" in r && r.record === "seamless:sla_good_requests:rate5m")!;
    expect(good.expr).toBe(
      '(0.4 * sum(rate(seamless_sla_deadline_seconds_bucket{phase="total",le="2.5"}[5m])) + 0.6 * sum(rate(seamless_sla_deadline_seconds_bucket{phase="total",le="5.0"}[5m])))',
    );
    const page = alertRules(staging.rules).find((a) => a.name === "SeamlessSloBurnRatePage")!;
    expect(page.annotations.description).toContain('estimated by linear interpolation between the buckets le="2.5" and le="5.0"');
    // 100 requests a minute under 2.5s, 200 under 5s, 200 in all: 160 estimated under 4s, so 20% are bad
    const b = (le: string) => `seamless_sla_deadline_seconds_bucket{phase="total",le="${le}"}`;
    const result = testExprs(
      staging.prometheusRuleFile,
      [
        ['seamless_sla_deadline_seconds_count{phase="total"}', "0+200x30"],
        [b("2.5"), "0+100x30"],
        [b("5.0"), "0+200x30"],
      ],
      [{ expr: "round(seamless:sla_errors:ratio_rate5m, 0.000001)", at: "20m", samples: [{ labels: "{}", value: 0.2 }] }],
    );
    expect(result.output).toContain("SUCCESS");
  });

  it("a phase budget below the first bound is interpolated from zero", () => {
    const m = custom({ "seamless:policy": { maxWaitLiveMs: 3 }, "seamless:metrics": { emitted: ["seamless_sla_deadline_seconds"] } });
    const live = alertRules(m.rules).find((a) => a.name === "SeamlessPhaseBudgetLiveWait")!;
    expect(live.expr).toBe(
      '1 - ((0.6 * sum(rate(seamless_sla_deadline_seconds_bucket{phase="live_wait",le="0.005"}[10m]))) / sum(rate(seamless_sla_deadline_seconds_count{phase="live_wait"}[10m]))) > 0.05',
    );
  });
});

describe("per-environment overrides", () => {
  it("replace threshold, for and severity, or drop an alert, without touching the definitions", () => {
    const m = custom({
      "seamless:alerts": { overrides: { SeamlessBackfillFailures: { threshold: 20, for: "30m", severity: "critical" }, SeamlessConformanceFlagSpike: { disabled: true } } },
    });
    const failures = alertRules(m.rules).find((a) => a.name === "SeamlessBackfillFailures")!;
    expect([failures.expr, failures.for, failures.severity, failures.labels.severity]).toEqual(["sum by (node_id) (increase(backfill_failure_total[10m])) > 20", "30m", "critical", "critical"]);
    expect(alertRules(m.rules).map((a) => a.name)).not.toContain("SeamlessConformanceFlagSpike");
    expect(m.rules.disabled).toEqual([{ name: "SeamlessConformanceFlagSpike", reason: "disabled by seamless:alerts.overrides.SeamlessConformanceFlagSpike.disabled" }]);
  });

  it("refuses a `for` Grafana cannot honour", () => {
    expect(() => custom({ "seamless:alerts": { overrides: { SeamlessBackfillFailures: { for: "30s" } } } })).toThrow(
      'seamless:alerts.overrides.SeamlessBackfillFailures.for = "30s": is shorter than the evaluation interval 1m, so Grafana cannot honour it. Fix: use 0s or at least 1m',
    );
  });
});

describe("thresholds as stated", () => {
  it("writes every threshold a stack file states exactly, never rounded", () => {
    const m = custom({
      "seamless:policy": { minCoverage: 0.9999999 },
      "seamless:metrics": { emitted: ["coverage_ratio", "backfill_failure_total"] },
      "seamless:alerts": { overrides: { SeamlessBackfillFailures: { threshold: 1234567 } } },
    });
    const expr = (name: string) => alertRules(m.rules).find((a) => a.name === name)!.expr;
    expect(expr("SeamlessCoverageLow")).toBe("min by (node_id, world_id, interval) (coverage_ratio) < 0.9999999");
    expect(expr("SeamlessBackfillFailures")).toBe("sum by (node_id) (increase(backfill_failure_total[10m])) > 1234567");
  });

  it("writes computed limits without float noise: 6 x (1 - 0.99) is 0.06, not 0.0600000000000001", () => {
    const ticket = alertRules(model("staging").rules).find((a) => a.name === "SeamlessSloBurnRateTicket")!;
    expect(ticket.expr).toBe("seamless:sla_errors:ratio_rate6h > 0.06\nand\nseamless:sla_errors:ratio_rate30m > 0.06");
    for (const stack of ["dev", "staging", "prod"]) {
      const text = JSON.stringify(model(stack).prometheusRuleFile);
      expect(text.match(/\d\.\d*0{6,}[1-9]/g), stack).toBeNull();
    }
  });

  it("writes le bounds as prometheus_client exposes them (floatToGoString)", () => {
    expect([0.005, 1, 2.5, 10, 0.00001, 123456.5, 12000000, 1e7].map(leValue)).toEqual(["0.005", "1.0", "2.5", "10.0", "1e-05", "123456.5", "1.2e+07", "1e+07"]);
  });

  it("names the first bucket, not a bucket at 0, when a deadline is below it", () => {
    const m = custom({ "seamless:slo": { deadlineSeconds: 0.001 } });
    expect(describeBound(bucketChoices(m.config).deadline!)).toBe('estimated by linear interpolation between 0 and the first bucket le="0.005"');
  });
});

describe("alert anatomy", () => {
  it("labels, runbook and dashboard links, noData/execErr states on every rule", () => {
    const m = model("staging");
    for (const group of m.grafanaRuleGroups) {
      expect(group.name).toMatch(/^seamless-[a-z]+$/);
      for (const r of group.rules) {
        expect(r.name).toMatch(/^Seamless[A-Z][A-Za-z]+$/);
        expect(Object.keys(r.labels).sort()).toEqual(["environment", "service", "severity", "team"]);
        expect(r.annotations.runbook_url).toMatch(/^https:\/\/github\.com\/hyophyop\/qmtl\/blob\/main\/docs\/operations\/seamless_sla_dashboards\.md#/);
        expect(r.annotations.__dashboardUid__).toMatch(/^seamless-staging-/);
        expect(Number(r.annotations.__panelId__)).toBeGreaterThan(0);
        expect(r.noDataState).toBe("OK");
        expect(r.execErrState).toBe(r.labels.severity === "critical" ? "KeepLast" : "Error");
      }
    }
  });
});

describe("instrumentation lost", () => {
  it("tickets when an emitted metric exported from start-up disappears, naming it; never for planned or labelled metrics", () => {
    const m = custom({ "seamless:metrics": { emitted: ["backfill_jobs_in_progress", "backfill_failure_total"] }, "seamless:alerts": { instrumentationLostFor: "15m" } });
    const lost = alertRules(m.rules).find((a) => a.name === "SeamlessInstrumentationLost")!;
    // backfill_failure_total has labels: its series appear with the first failure, so its absence is normal
    expect(lost.expr).toBe('label_replace(absent(backfill_jobs_in_progress), "metric", "backfill_jobs_in_progress", "", "")');
    // the link opens the panel that plots the watched gauge, where the gap shows
    expect(lost.panel).toEqual({ dashboard: "backfillHealth", panelId: 1 });
    expect(custom({ "seamless:metrics": { emitted: ["backfill_failure_total"] } }).rules.disabled).toEqual([
      { name: "SeamlessInstrumentationLost", reason: "no emitted metric is exported from start-up (labelled series appear only when first used), so an absence would say nothing" },
    ]);
    const rules = {
      groups: m.prometheusRuleFile.groups
        .map((g) => ({ ...g, rules: g.rules.filter((r) => "alert" in r && r.alert === "SeamlessInstrumentationLost").map((r) => ({ ...r, annotations: {} })) }))
        .filter((g) => g.rules.length),
    };
    const labels = { severity: "warning", service: "seamless", environment: "test", team: "seamless" };
    const result = testRules(rules, [
      {
        name: "jobs gauge stops at 30m",
        series: [
          ["backfill_jobs_in_progress", "1x30"],
          ['backfill_failure_total{node_id="n1",interval="60"}', "0+1x90"],
        ],
        // absent from 35m (5m staleness), firing 15m later
        expect: [
          { at: "45m", alert: "SeamlessInstrumentationLost", alerts: [] },
          { at: "51m", alert: "SeamlessInstrumentationLost", alerts: [{ ...labels, metric: "backfill_jobs_in_progress" }] },
        ],
      },
    ]);
    expect(result.output).toContain("SUCCESS");
  });
});
