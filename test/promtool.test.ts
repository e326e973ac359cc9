import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildModel } from "../model/model";
import { rawFromEntries, readStackFile } from "../model/stackfile";
import { PrometheusRuleGroup } from "../model/prometheus";
import { renderStack, toYaml, OUT_FILES } from "../synth/render";
import { ROOT } from "./helpers/mocks";
import { promtool, testRules } from "./helpers/promtool";
import { tempDir } from "./helpers/tmp";

/** A stack where every metric a scenario needs is emitted; annotations are checked elsewhere. */
function scenarioRules(values: Record<string, unknown> = {}): { groups: PrometheusRuleGroup[] } {
  const model = buildModel(
    rawFromEntries(
      "Pulumi.scenario.yaml",
      Object.entries({
        "seamless:environment": "scenario",
        "seamless:slo": { objective: 0.99, deadlineSeconds: 5 },
        "seamless:metrics": { emitted: ["seamless_sla_deadline_seconds", "backfill_completion_ratio", "seamless_conformance_flag_total"] },
        "seamless:alerts": { overrides: { SeamlessInstrumentationLost: { disabled: true } } },
        ...values,
      }),
    ),
  );
  return { groups: model.prometheusRuleFile.groups.map((g) => ({ ...g, rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: {} } : r)) })) };
}

const LABELS = { service: "seamless", environment: "scenario", team: "seamless" };
const page = { severity: "critical", ...LABELS };
const ticket = { severity: "warning", ...LABELS };
const total = (le: string) => `seamless_sla_deadline_seconds_bucket{phase="total",node_id="n1",le="${le}"}`;
const COUNT = 'seamless_sla_deadline_seconds_count{phase="total",node_id="n1"}';

/** 60 requests a minute; `good` is the series of the le="5.0" bucket. */
function traffic(good: string): Array<[string, string]> {
  return [
    [COUNT, "0+60x240"],
    [total("+Inf"), "0+60x240"],
    [total("5.0"), good],
  ];
}

describe("promtool check rules", () => {
  it("accepts every rendered rule file and PrometheusRule of every stack", () => {
    const dir = tempDir();
    for (const stack of ["dev", "staging", "prod"]) {
      const files = renderStack(buildModel(readStackFile(ROOT, stack)));
      const ruleFile = join(dir, `${stack}-rules.yaml`);
      writeFileSync(ruleFile, files.get(OUT_FILES.ruleFile)!);
      const crd = join(dir, `${stack}-crd.yaml`);
      const object = buildModel(readStackFile(ROOT, stack)).prometheusRule!;
      writeFileSync(crd, toYaml(object.spec));
      for (const file of [ruleFile, crd]) {
        const result = promtool("check", "rules", file);
        expect(result.output).toContain("SUCCESS");
        expect(result.status).toBe(0);
      }
    }
  });
});

describe("seamless-* alerts by scenario (promtool test rules)", () => {
  it("a total outage at 60m pages at 70m (not at 65m), and recovery at 80m resolves the page by 90m", () => {
    const result = testRules(scenarioRules(), [
      {
        name: "outage 60m..80m",
        series: traffic("0+60x60 3600+0x19 3660+60x160"),
        expect: [
          { at: "65m", alert: "SeamlessSloBurnRatePage", alerts: [] },
          { at: "70m", alert: "SeamlessSloBurnRatePage", alerts: [page] },
          { at: "70m", alert: "SeamlessSloBurnRateTicket", alerts: [ticket] },
          { at: "90m", alert: "SeamlessSloBurnRatePage", alerts: [] },
          { at: "90m", alert: "SeamlessSloBurnRateTicket", alerts: [ticket] },
        ],
      },
    ]);
    expect(result.output).toMatch(/^Unit Testing:  \S+tests.yaml\n  SUCCESS\n/);
  });

  it("a 3-minute blip pages nobody and tickets nobody at a 99% objective", () => {
    const result = testRules(scenarioRules(), [
      {
        name: "blip 60m..63m",
        series: traffic("0+60x60 3600+0x2 3660+60x177"),
        expect: ["61m", "63m", "65m", "70m", "80m"].flatMap((at) => [
          { at, alert: "SeamlessSloBurnRatePage", alerts: [] },
          { at, alert: "SeamlessSloBurnRateTicket", alerts: [] },
        ]),
      },
    ]);
    expect(result.output).toContain("SUCCESS");
  });

  it("a slow burn (10% of requests too slow) tickets and never pages", () => {
    const result = testRules(scenarioRules(), [
      {
        name: "slow burn",
        series: traffic("0+54x240"),
        expect: [
          { at: "120m", alert: "SeamlessSloBurnRateTicket", alerts: [ticket] },
          { at: "120m", alert: "SeamlessSloBurnRatePage", alerts: [] },
          { at: "200m", alert: "SeamlessSloBurnRatePage", alerts: [] },
        ],
      },
    ]);
    expect(result.output).toContain("SUCCESS");
  });

  it("a stalled lease fires with its lease_key while a slow lease and a young stalled lease stay quiet", () => {
    const lease = (key: string) => `backfill_completion_ratio{node_id="n1",interval="60",lease_key="${key}"}`;
    const stuck = { severity: "warning", ...LABELS, node_id: "n1", interval: "60", lease_key: "stuck" };
    const result = testRules(scenarioRules(), [
      {
        name: "leases",
        series: [
          [lease("slow"), "0+0.005x100"],
          [lease("stuck"), "0.6x100"],
          [lease("young"), "_x50 0.2x50"],
        ],
        expect: [
          { at: "34m", alert: "SeamlessBackfillLeaseStuck", alerts: [] },
          { at: "36m", alert: "SeamlessBackfillLeaseStuck", alerts: [stuck] },
          { at: "70m", alert: "SeamlessBackfillLeaseStuck", alerts: [stuck] },
          { at: "90m", alert: "SeamlessBackfillLeaseStuck", alerts: [stuck, { ...stuck, lease_key: "young" }] },
        ],
      },
    ]);
    expect(result.output).toContain("SUCCESS");
  });

  it("one noisy node fires for that node only, never hidden by the others", () => {
    const flags = (node: string) => `seamless_conformance_flag_total{node_id="${node}",interval="60",world_id="w1",flag_type="gap"}`;
    const result = testRules(scenarioRules(), [
      {
        name: "noisy n2",
        series: [
          [flags("n1"), "0+60x440"],
          [flags("n2"), "0+60x400 24000+600x40"],
          [flags("n3"), "0+120x440"],
        ],
        expect: [
          { at: "399m", alert: "SeamlessConformanceFlagSpike", alerts: [] },
          { at: "425m", alert: "SeamlessConformanceFlagSpike", alerts: [{ severity: "warning", ...LABELS, node_id: "n2" }] },
        ],
      },
    ]);
    expect(result.output).toContain("SUCCESS");
  });

  it("QMTL's upstream p99 > 240s rule can never fire over the default buckets, even when every request takes minutes", () => {
    const upstream = {
      groups: [
        {
          name: "upstream",
          rules: [{ alert: "SeamlessSla99thDegraded", expr: 'histogram_quantile(0.99, sum by (le) (rate(seamless_sla_deadline_seconds_bucket{phase="total"}[5m]))) > 240', for: "5m", labels: { severity: "warning" } }],
        },
      ],
    };
    const buckets = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1.0", "2.5", "5.0", "7.5", "10.0"];
    const series: Array<[string, string]> = [...buckets.map((le): [string, string] => [total(le), "0x120"]), [total("+Inf"), "0+60x120"], [COUNT, "0+60x120"]];
    const result = testRules(upstream, [{ name: "every request in +Inf", series, expect: ["10m", "30m", "60m", "120m"].map((at) => ({ at, alert: "SeamlessSla99thDegraded", alerts: [] })) }]);
    expect(result.output).toContain("SUCCESS");
  });
});
