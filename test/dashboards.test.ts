import { describe, expect, it } from "vitest";
import { buildModel } from "../model/model";
import { rawFromEntries, readStackFile } from "../model/stackfile";
import { prettyJson, sortKeys } from "../model/json";
import { renderStack } from "../synth/render";
import { allValuesOf, panelQueries, substitute } from "../lint/queries";
import { ROOT } from "./helpers/mocks";
import { testExprs } from "./helpers/promtool";
import { allEmittable } from "./e2e/stack";

type Panel = { id: number; title: string; datasource?: unknown; description: string; gridPos: { x: number; y: number; w: number; h: number }; fieldConfig?: { defaults?: { noValue?: string; unit?: string; thresholds?: { steps: Array<{ value: number | null; color: string }> } } } };
const STACKS = ["dev", "staging", "prod"] as const;
const model = (stack: string) => buildModel(readStackFile(ROOT, stack));
const panelsOf = (json: Record<string, unknown>) => json.panels as Panel[];
const query = (stack: string, key: string, title: string, refId = "A") =>
  panelQueries(model(stack).dashboards.find((d) => d.key === key)!.json).find((q) => q.title === title && q.refId === refId)!.expr;

describe("dashboard JSON", () => {
  it.each(STACKS)("%s: fixed uids of at most 40 characters, no id or version, sorted keys, byte-identical on a second render", (stack) => {
    const first = renderStack(model(stack));
    const second = renderStack(model(stack));
    expect([...second.entries()]).toEqual([...first.entries()]);
    for (const d of model(stack).dashboards) {
      expect(d.uid).toBe(`seamless-${stack}-${d.slug}`);
      expect(d.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
      expect(d.json).not.toHaveProperty("id");
      expect(d.json).not.toHaveProperty("version");
      const text = first.get(`dashboards/${d.slug}.json`)!;
      expect(text).toBe(prettyJson(sortKeys(JSON.parse(text))));
    }
  });

  it.each(STACKS)("%s: panels never overlap, every threshold has an explicit base step, every panel has a description and a unit", (stack) => {
    for (const d of model(stack).dashboards) {
      const panels = panelsOf(d.json);
      for (const [i, a] of panels.entries()) {
        expect(a.description.length).toBeGreaterThan(40);
        expect(a.fieldConfig?.defaults?.unit).toMatch(/^(s|ms|percentunit|short|ops|x)$/);
        expect(a.fieldConfig?.defaults?.thresholds?.steps?.[0]?.value ?? null).toBeNull();
        for (const b of panels.slice(i + 1)) {
          const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
          expect(apart, `${a.title} overlaps ${b.title}`).toBe(true);
        }
      }
    }
  });

  it("links every dashboard to the other two (keeping time and variables) and to the runbook", () => {
    const sla = model("dev").dashboards[0].json as { links: Array<{ title: string; url: string; keepTime: boolean; includeVars: boolean }> };
    expect(sla.links.map((l) => [l.title, l.url, l.keepTime, l.includeVars])).toEqual([
      ["Backfill Coordinator Health", "/d/seamless-dev-backfill-health", true, true],
      ["Conformance Quality", "/d/seamless-dev-conformance-quality", true, true],
      ["Runbook", "https://github.com/hyophyop/qmtl/blob/main/docs/operations/seamless_sla_dashboards.md", false, false],
    ]);
  });

  it("offers a type-filtered datasource and multi-select label filters with All", () => {
    const vars = (model("dev").dashboards[0].json as { templating: { list: Array<Record<string, unknown>> } }).templating.list;
    expect(vars.map((v) => [v.name, v.type, v.query, v.multi ?? false, v.includeAll ?? false, v.allValue ?? null])).toEqual([
      ["datasource", "datasource", "prometheus", false, false, null],
      // All on node_id selects the recorded all-nodes series (ALL_NODES in model/rules.ts)
      // each filter lists its label's values on this dashboard's metrics only, never other jobs'
      ["node_id", "query", 'label_values({__name__=~"coverage_ratio|domain_gate_holds_total|live_staleness_seconds|partial_fill_returns_total|seamless_backfill_wait_ms_count|seamless_live_wait_ms_count|seamless_sla_deadline_seconds_count|seamless_storage_wait_ms_count|seamless_total_ms_count"}, node_id)', true, true, "__all__"],
      ["world_id", "query", 'label_values({__name__=~"coverage_ratio|domain_gate_holds_total|live_staleness_seconds|partial_fill_returns_total|seamless_backfill_wait_ms_count|seamless_live_wait_ms_count|seamless_storage_wait_ms_count|seamless_total_ms_count"}, world_id)', true, true, ".*"],
      ["interval", "query", 'label_values({__name__=~"coverage_ratio|domain_gate_holds_total|live_staleness_seconds|partial_fill_returns_total|seamless_backfill_wait_ms_count|seamless_live_wait_ms_count|seamless_storage_wait_ms_count|seamless_total_ms_count"}, interval)', true, true, ".*"],
      ["phase", "query", 'label_values({__name__=~"seamless_sla_deadline_seconds_count"}, phase)', true, true, ".*"],
    ]);
    // every panel, not only its queries, names the variable: Grafana sends a non-mixed panel's queries to the panel's datasource
    for (const d of model("dev").dashboards) {
      expect(new Set(panelsOf(d.json).map((p) => JSON.stringify(p.datasource))), d.title).toEqual(new Set(['{"type":"prometheus","uid":"${datasource}"}']));
    }
    // the other dashboards read raw series only: All is every node
    const backfill = (model("dev").dashboards.find((d) => d.key === "backfillHealth")!.json as { templating: { list: Array<Record<string, unknown>> } }).templating.list;
    expect(backfill.find((v) => v.name === "node_id")!.allValue).toBe(".*");
    expect(backfill.find((v) => v.name === "interval")!.query).toBe('label_values({__name__=~"backfill_completion_ratio|backfill_failure_total|backfill_last_timestamp|backfill_retry_total"}, interval)');
  });

  it("says a panel's metric is not emitted yet, and names the metric the runtime must add for a proposed signal", () => {
    const panels = panelsOf(model("dev").dashboards.find((d) => d.key === "conformanceQuality")!.json);
    const regression = panels.find((p) => p.title === "Regression report checks")!;
    expect(regression.fieldConfig?.defaults?.noValue).toBe("Not emitted yet: the runtime must add seamless_regression_report_checks_total (proposed).");
    const warnings = panels.find((p) => p.title === "Conformance warnings")!;
    expect(warnings.fieldConfig?.defaults?.noValue).toBe("Not emitted in dev yet: seamless_conformance_warning_total.");
    const flags = panels.find((p) => p.title === "Flags by flag_type")!;
    expect(flags.fieldConfig?.defaults?.noValue).toBeUndefined();
  });
});

describe("key panel queries", () => {
  it("error budget: recorded good/all rates over the SLO window, against the objective", () => {
    expect(query("staging", "slaOverview", "Error budget remaining (30d)")).toBe(
      "1 - ((1 - (sum_over_time(seamless:sla_good_requests:rate5m[30d]) / sum_over_time(seamless:sla_requests:rate5m[30d]))) / 0.01)",
    );
  });
  it("p99 per phase keeps le and phase through the aggregation, honours the filters, and on All nodes reads the recorded all-nodes p99", () => {
    expect(query("dev", "slaOverview", "p50 / p95 / p99 per phase", "C")).toBe(
      'histogram_quantile(0.99, sum by (le, phase) (rate(seamless_sla_deadline_seconds_bucket{node_id=~"$node_id",phase=~"$phase"}[5m]))) or phase:seamless_sla_deadline_seconds:p99_rate5m{node_filter=~"$node_id",phase=~"$phase"}',
    );
    expect(query("dev", "slaOverview", "p50 / p95 / p99 per phase", "A")).toBe(
      'histogram_quantile(0.5, sum by (le, phase) (rate(seamless_sla_deadline_seconds_bucket{node_id=~"$node_id",phase=~"$phase"}[5m]))) or phase:seamless_sla_deadline_seconds:p50_rate5m{node_filter=~"$node_id",phase=~"$phase"}',
    );
  });
  it("stale claims: below 100%, unmoved for the window, and older than it", () => {
    expect(query("dev", "backfillHealth", "Stale claims (no progress for 30m)")).toBe(
      'count by (node_id, interval) ((backfill_completion_ratio{node_id=~"$node_id",interval=~"$interval"} < 1) and on (node_id, interval, lease_key) (changes(backfill_completion_ratio{node_id=~"$node_id",interval=~"$interval"}[30m]) == 0) and on (node_id, interval, lease_key) (backfill_completion_ratio{node_id=~"$node_id",interval=~"$interval"} offset 30m))',
    );
  });
  it("without a PrometheusRule (no recording rules) the panels read raw rates over $__rate_interval", () => {
    const raw = buildModel(rawFromEntries("Pulumi.raw.yaml", Object.entries({ "seamless:environment": "raw", "seamless:kubernetes": { enabled: false } })));
    const q = panelQueries(raw.dashboards[0].json).find((x) => x.title === "p50 / p95 / p99 per phase" && x.refId === "C")!.expr;
    expect(q).toBe('histogram_quantile(0.99, sum by (le, phase) (rate(seamless_sla_deadline_seconds_bucket{node_id=~"$node_id",phase=~"$phase"}[$__rate_interval])))');
  });

  it("per-domain latency reads the *_ms histogram by world_id and interval, and the 10 slowest nodes from the recorded 10 slowest domains of each world", () => {
    expect(query("dev", "slaOverview", "p99 end-to-end latency by world_id and interval")).toBe(
      'histogram_quantile(0.99, sum by (le, world_id, interval) (rate(seamless_total_ms_bucket{node_id=~"$node_id",world_id=~"$world_id",interval=~"$interval"}[5m]))) or world_interval:seamless_total_ms:p99_rate5m{node_filter=~"$node_id",world_id=~"$world_id",interval=~"$interval"}',
    );
    expect(query("dev", "slaOverview", "p99 end-to-end latency by node_id (10 slowest)")).toBe(
      'topk(10, max by (node_id) (histogram_quantile(0.99, sum by (le, node_id, world_id, interval) (rate(seamless_total_ms_bucket{node_id=~"$node_id",world_id=~"$world_id",interval=~"$interval"}[5m]))) or node_world_interval:seamless_total_ms:p99_rate5m_topk10{node_filter=~"$node_id",world_id=~"$world_id",interval=~"$interval"}))',
    );
  });
  it("takes its threshold lines from the stack config: min_coverage, max_lag_seconds and the phase-budget alert's share (override included)", () => {
    const custom = buildModel(
      rawFromEntries("Pulumi.t.yaml", Object.entries({
        "seamless:environment": "t",
        "seamless:policy": { minCoverage: 0.9, maxLagSeconds: 300 },
        "seamless:alerts": { overrides: { SeamlessPhaseBudgetLiveWait: { threshold: 0.02 } } },
      })),
    );
    const panel = (title: string) => panelsOf(custom.dashboards.find((d) => d.key === "slaOverview")!.json).find((p) => p.title.startsWith(title))!;
    const steps = (title: string) => panel(title).fieldConfig?.defaults?.thresholds?.steps.map((st) => st.value);
    expect(steps("Coverage vs min_coverage")).toEqual([null, 0.9]);
    expect(steps("Live staleness vs max_lag_seconds")).toEqual([null, 300]);
    expect(steps("Requests over their phase budget")).toEqual([null, 0.02]);
    expect(panel("Requests over their phase budget").description).toContain("Bad: above 2%, where SeamlessPhaseBudget* fires.");
  });

  it("p99 wait per phase by world_id and interval reads each of the three *_wait_ms histograms", () => {
    expect(["A", "B", "C"].map((ref) => query("dev", "slaOverview", "p99 wait per phase by world_id and interval", ref))).toEqual(
      ["storage_wait", "backfill_wait", "live_wait"].map(
        (phase) =>
          `histogram_quantile(0.99, sum by (le, world_id, interval) (rate(seamless_${phase}_ms_bucket{node_id=~"$node_id",world_id=~"$world_id",interval=~"$interval"}[5m]))) or world_interval:seamless_${phase}_ms:p99_rate5m{node_filter=~"$node_id",world_id=~"$world_id",interval=~"$interval"}`,
      ),
    );
  });

  it("coverage: the 10 worst domains, on All nodes from the recorded 10 worst of each world and interval", () => {
    expect(query("dev", "slaOverview", "Coverage vs min_coverage (10 worst domains)")).toBe(
      'bottomk(10, min by (world_id, node_id) (coverage_ratio{node_id=~"$node_id",world_id=~"$world_id",interval=~"$interval"} or node_world_interval:coverage_ratio:bottomk10{node_filter=~"$node_id",world_id=~"$world_id",interval=~"$interval"}))',
    );
  });
});

describe("key panels evaluated by promtool against synthetic series", () => {
  const scenario = buildModel(
    rawFromEntries("Pulumi.scenario.yaml", Object.entries({ "seamless:environment": "scenario", "seamless:slo": { objective: 0.99, window: "30d", deadlineSeconds: 5 } })),
  );
  const dash = (key: string) => panelQueries(scenario.dashboards.find((d) => d.key === key)!.json);
  const json = (key: string) => scenario.dashboards.find((d) => d.key === key)!.json;
  const pick = (title: string, refId = "A", d = "slaOverview", values: Record<string, string[]> = {}) =>
    substitute(dash(d).find((q) => q.title === title && q.refId === refId)!.expr, { rateInterval: "5m", range: "1h", values, allValues: allValuesOf(json(d)) });
  const all = (title: string, refId = "A", d = "slaOverview") => pick(title, refId, d);
  const bucket = (phase: string, le: string) => `seamless_sla_deadline_seconds_bucket{phase="${phase}",node_id="n1",le="${le}"}`;
  const lease = (key: string) => `backfill_completion_ratio{node_id="n1",interval="60",lease_key="${key}"}`;
  const flags = (type: string) => `seamless_conformance_flag_total{node_id="n1",interval="60",world_id="w1",flag_type="${type}"}`;

  it("error budget 50% left, p99 2.485s for the total phase, 7 leases held, 1 stale claim, flags by type", () => {
    const result = testExprs(
      scenario.prometheusRuleFile,
      [
        ['seamless_sla_deadline_seconds_count{phase="total",node_id="n1"}', "0+200x120"],
        [bucket("total", "1.0"), "0x120"],
        [bucket("total", "2.5"), "0+200x120"],
        [bucket("total", "5.0"), "0+199x120"],
        [bucket("total", "+Inf"), "0+200x120"],
        ['backfill_jobs_in_progress{instance="a"}', "3x120"],
        ['backfill_jobs_in_progress{instance="b"}', "4x120"],
        [lease("stuck"), "0.6x120"],
        [lease("slow"), "0+0.005x120"],
        [lease("young"), "_x100 0.2x20"],
        [flags("gap"), "0+60x120"],
        [flags("dup"), "0+30x120"],
      ],
      [
        // rounded to 1e-6: the float result is 0.49999999999999956
        { expr: `round(${all("Error budget remaining (30d)")}, 0.000001)`, at: "100m", samples: [{ labels: "{}", value: 0.5 }] },
        // All nodes reads the recorded all-nodes rates; n1 alone reads its raw buckets; n2 has no requests
        { expr: all("p50 / p95 / p99 per phase", "C"), at: "100m", samples: [{ labels: 'phase:seamless_sla_deadline_seconds:p99_rate5m{node_filter="__all__",phase="total"}', value: 2.485 }] },
        { expr: pick("p50 / p95 / p99 per phase", "C", "slaOverview", { node_id: ["n1"] }), at: "100m", samples: [{ labels: '{phase="total"}', value: 2.485 }] },
        { expr: pick("p50 / p95 / p99 per phase", "C", "slaOverview", { node_id: ["n2"] }), at: "100m", samples: [] },
        { expr: all("Leases held now", "A", "backfillHealth"), at: "100m", samples: [{ labels: "{}", value: 7 }] },
        { expr: all("Stale claims (no progress for 30m)", "A", "backfillHealth"), at: "110m", samples: [{ labels: '{node_id="n1",interval="60"}', value: 1 }] },
        {
          expr: all("Flags by flag_type", "A", "conformanceQuality"),
          at: "100m",
          samples: [
            { labels: '{flag_type="dup"}', value: 0.5 },
            { labels: '{flag_type="gap"}', value: 1 },
          ],
        },
      ],
    );
    expect(result.output).toContain("SUCCESS");
  });
});

describe("the SLA Overview on All nodes: recorded series give the raw queries' answers", () => {
  // every metric emitted; with and without the PrometheusRule (recording rules)
  const stack = (kubernetes: boolean) =>
    buildModel(
      rawFromEntries(
        "Pulumi.same.yaml",
        Object.entries({
          "seamless:environment": "same",
          "seamless:metrics": { emitted: allEmittable() },
          "seamless:kubernetes": { enabled: kubernetes },
        }),
      ),
    );
  const recorded = stack(true);
  const raw = stack(false);
  const sla = (m: typeof recorded) => m.dashboards.find((d) => d.key === "slaOverview")!.json;
  const onAll = (m: typeof recorded) =>
    panelQueries(sla(m)).map((q) => ({ ...q, expr: substitute(q.expr, { rateInterval: "5m", range: "1h", allValues: allValuesOf(sla(m)) }) }));

  /** 12 nodes (more than the 10 the worst-domain panels keep) x 2 worlds x 1 interval, each with its own latency spread, coverage, staleness and downgrade rates. */
  function runtime(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const BOUNDS = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"];
    // a histogram whose requests spread evenly up to `scale`: `perMinute` a minute
    const histogram = (name: string, labels: string, perMinute: number, scale: number) => {
      for (const le of BOUNDS) {
        const share = le === "+Inf" ? 1 : Math.min(1, Number(le) / scale);
        out.push([`${name}_bucket{${labels},le="${le}"}`, `0+${Math.round(perMinute * share)}x120`]);
      }
      out.push([`${name}_count{${labels}}`, `0+${perMinute}x120`]);
    };
    Array.from({ length: 12 }, (_, n) => `n${n + 1}`).forEach((node, n) => {
      ["total", "storage_wait", "backfill_wait", "live_wait"].forEach((phase, p) => histogram("seamless_sla_deadline_seconds", `node_id="${node}",phase="${phase}"`, 60 * (n + 1), 1 + n + p));
      ["w1", "w2"].forEach((world, w) => {
        const domain = `node_id="${node}",world_id="${world}",interval="60"`;
        // node order and spread differ per world: the 10 worst of all domains are 3 of one world and 7 of the other
        const rank = w === 0 ? n : 11 - n;
        histogram("seamless_total_ms", domain, 30 + 10 * n + 5 * w, w === 0 ? 0.5 + 0.7 * rank : 0.4 + 0.3 * rank);
        ["seamless_storage_wait_ms", "seamless_backfill_wait_ms", "seamless_live_wait_ms"].forEach((name, p) => histogram(name, domain, 20 + 5 * n + p, 0.3 + 0.2 * rank + p));
        out.push([`coverage_ratio{${domain}}`, `${(w === 0 ? 0.5 + 0.037 * rank : 0.503 + 0.011 * rank).toFixed(3)}x120`]);
        out.push([`live_staleness_seconds{${domain}}`, `${w === 0 ? 10 + 20 * rank : 17 + 9 * rank}x120`]);
        for (const reason of ["coverage", "staleness"]) {
          out.push([`domain_gate_holds_total{${domain},reason="${reason}"}`, `0+${n + w + 1}x120`]);
          out.push([`partial_fill_returns_total{${domain},reason="${reason}"}`, `0+${2 * n + w}x120`]);
        }
      });
    });
    return out;
  }

  it("every panel query that reads a node_filter record matches its raw form series for series, value for value, at a rule evaluation", () => {
    const fromRecords = onAll(recorded);
    const fromRaw = onAll(raw);
    expect(fromRaw.map((q) => [q.title, q.refId])).toEqual(fromRecords.map((q) => [q.title, q.refId]));
    const pairs = fromRecords.map((q, i) => ({ q, r: fromRaw[i] })).filter(({ q }) => q.expr.includes('node_filter=~"__all__"'));
    // every SLA Overview panel but the SLO ones (error budget, burn rate) reads the all-nodes records
    expect(pairs.map(({ q }) => `${q.title}/${q.refId}`)).toEqual([
      "SLA phase durations (heatmap)/A",
      "p50 / p95 / p99 per phase/A",
      "p50 / p95 / p99 per phase/B",
      "p50 / p95 / p99 per phase/C",
      "Requests over their phase budget/A",
      "Requests over their phase budget/B",
      "Requests over their phase budget/C",
      "p99 end-to-end latency by world_id and interval/A",
      "p99 end-to-end latency by world_id and interval/B",
      "p99 end-to-end latency by node_id (10 slowest)/A",
      "p99 wait per phase by world_id and interval/A",
      "p99 wait per phase by world_id and interval/B",
      "p99 wait per phase by world_id and interval/C",
      "SLA downgrades by reason/A",
      "SLA downgrades by reason/B",
      "Coverage vs min_coverage (10 worst domains)/A",
      "Live staleness vs max_lag_seconds (10 stalest domains)/A",
    ]);
    // at 100m the rules were evaluated at exactly that time, over the same 5m the raw queries read
    const checks = pairs.flatMap(({ q, r }) => {
      const diff = `(${q.expr}) - ignoring(node_filter) (${r.expr})`;
      return [
        { expr: `abs(${diff}) > 1e-9`, at: "100m", samples: [] },
        // no series on either side without a partner, and some series at all
        { expr: `count(${q.expr}) - count(${diff})`, at: "100m", samples: [{ labels: "{}", value: 0 }] },
        { expr: `count(${r.expr}) - count(${diff})`, at: "100m", samples: [{ labels: "{}", value: 0 }] },
        { expr: `clamp_max(count(${diff}), 1)`, at: "100m", samples: [{ labels: "{}", value: 1 }] },
      ];
    });
    const result = testExprs(recorded.prometheusRuleFile, runtime(), checks);
    expect(result.output).toContain("SUCCESS");
  });
});
