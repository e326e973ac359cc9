/**
 * The rendered stack against a running Prometheus (Debian's `prometheus` binary): the rule
 * file loads and evaluates, recording rules produce series, alerts fire in the scenarios
 * they exist for and stay quiet when healthy, and every dashboard query runs and returns data.
 * One exporter + Prometheus pair per scenario, all started at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { CATALOGUE, DEFAULT_HISTOGRAM_BUCKETS, MetricDef, PHASES, leValue, series } from "../model/catalogue";
import { PrometheusRuleGroup } from "../model/prometheus";
import { OUT_FILES, renderStack } from "../synth/render";
import { alertRules } from "../model/rules";
import { DashboardKey, PANEL } from "../dashboards/ids";
import { RunningExporter, exposition, startExporter } from "./e2e/exporter";
import { ApiAlert, RunningPrometheus, hasFiniteValue, lastValue, quickRuleGroups, requireBinary, startPrometheus, waitFor } from "./e2e/prometheus";
import { SCENARIOS, SMALL_RUNTIME, STALLED_RATIO, Scenario, breachLatency, intervalValues, noisyNode, nodeIds, stalledLease, syntheticRuntime, worldIds } from "./e2e/synthetic";
import { importOpenMetrics, writeHistoryFile } from "./e2e/openmetrics";
import { E2E_DEADLINE_SECONDS, E2E_ENVIRONMENT, e2eStack } from "./e2e/stack";
import { allValues, panelTargets, substitute } from "./e2e/panels";

const model = e2eStack();
/** Seconds of history the noisy-node runtime has before Prometheus starts. */
const HISTORY = 30 * 60;
const LABELS = { service: "seamless", environment: E2E_ENVIRONMENT, team: "seamless" };
/** Grafana's variables for a 1s scrape interval: $__rate_interval >= 4 x scrape interval. */
const BUILTINS = { rateInterval: "1m", range: "1h", interval: "1s" };

/**
 * Panels that are live (their metrics are emitted) but legitimately empty while the runtime
 * is healthy. Each is checked to be empty when healthy, so the list cannot go stale.
 */
const EMPTY_WHEN_HEALTHY: ReadonlyArray<{ dashboard: DashboardKey; panelId: number; reason: string }> = [
  {
    dashboard: "backfillHealth",
    panelId: PANEL.backfillHealth.staleClaims,
    reason: "counts leases stuck below 100%; none is stuck when healthy (the stalled-lease scenario shows it non-empty)",
  },
];

interface Run {
  exporter: RunningExporter;
  prometheus: RunningPrometheus;
}

const runs = new Map<Scenario, Run>();
const cleanup: Array<() => Promise<void>> = [];

/** Set when Debian's prometheus is missing: every test then fails with the install hint (never skips). */
let missingBinary: Error | undefined;

function run(scenario: Scenario): Run {
  if (missingBinary) throw missingBinary;
  const r = runs.get(scenario);
  if (!r) throw new Error(`the ${scenario} scenario did not start`);
  return r;
}

async function firing(p: RunningPrometheus): Promise<ApiAlert[]> {
  return (await p.alerts()).filter((a) => a.state === "firing");
}

function names(alerts: readonly ApiAlert[]): string[] {
  return [...new Set(alerts.map((a) => a.labels.alertname))].sort();
}

/** Waits until the firing alerts are exactly `expected` (names), then returns them. */
async function firingExactly(p: RunningPrometheus, expected: readonly string[]): Promise<ApiAlert[]> {
  let last: ApiAlert[] = [];
  try {
    return await waitFor(
      `exactly ${expected.join(", ")} firing`,
      async () => {
        last = await p.alerts();
        const fired = last.filter((a) => a.state === "firing");
        return JSON.stringify(names(fired)) === JSON.stringify([...expected].sort()) && fired.length === last.length ? fired : undefined;
      },
      45_000,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; active alerts were: ${JSON.stringify(last.map((a) => [a.labels.alertname, a.state]))}`);
  }
}

describe("the rendered stack against a running Prometheus", () => {
  beforeAll(async () => {
    try {
      requireBinary("prometheus");
      requireBinary("promtool");
    } catch (e) {
      missingBinary = e as Error; // "... apt-get install -y prometheus ..."
      return;
    }
    // the rule file exactly as synth writes it (out/<stack>/prometheus/rules.yaml), made quick
    const rendered = parse(renderStack(model).get(OUT_FILES.ruleFile) as string) as { groups: PrometheusRuleGroup[] };
    const groups = quickRuleGroups(rendered.groups);
    await Promise.all(
      SCENARIOS.map(async (scenario) => {
        // noisy-node needs a baseline: its runtime has been up for HISTORY seconds (imported into the
        // data dir before Prometheus starts) and its node turned noisy a minute before the live part
        const past = scenario === "noisy-node";
        const startedAt = Date.now() - (past ? HISTORY * 1000 : 0);
        const options = { scenario, size: SMALL_RUNTIME, deadlineSeconds: E2E_DEADLINE_SECONDS, startedAt, noisySinceSeconds: HISTORY - 60 };
        let dataDir: string | undefined;
        if (past) {
          const history = mkdtempSync(join(tmpdir(), "seamless-history-"));
          cleanup.push(async () => rmSync(history, { recursive: true, force: true }));
          const file = join(history, "history.om");
          writeHistoryFile(file, syntheticRuntime({ ...options, epochSeconds: startedAt / 1000 }), { from: 0, to: HISTORY - 15, step: 15, epochSeconds: Math.floor(startedAt / 1000) });
          dataDir = join(history, "tsdb");
          importOpenMetrics(file, dataDir);
          rmSync(file);
        }
        const exporter = await startExporter(options);
        cleanup.push(() => exporter.close());
        const prometheus = await startPrometheus({ targets: [exporter.target], dataDir });
        cleanup.push(() => prometheus.stop());
        // rules start once the runtime is scraped, as they would on a Prometheus that has been up
        // for a while: absent() must not see the seconds before the first scrape
        await prometheus.waitForScrape();
        await prometheus.loadRules(groups);
        runs.set(scenario, { exporter, prometheus });
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(cleanup.reverse().map((stop) => stop()));
  });

  it("has Debian's prometheus and promtool (apt-get install -y prometheus)", () => {
    expect(missingBinary?.message).toBeUndefined();
  });

  it("scrapes the exporter and reloads with every rule group of the rendered rule file; every rule evaluates without error", async () => {
    const p = run("healthy").prometheus;
    const up = await waitFor("the first scrape", async () => {
      const r = await p.query('up{job="seamless"}');
      return r.length === 1 && lastValue(r[0]) === 1 ? r : undefined;
    }, 20_000);
    expect(up).toHaveLength(1);
    const groups = await waitFor("every rule evaluated once", async () => {
      const g = await p.ruleGroups();
      return g.every((group) => group.rules.every((r) => r.health === "ok")) ? g : undefined;
    }, 20_000);
    const expected = model.prometheusRuleFile.groups.map((g) => ({ name: g.name, rules: g.rules.map((r) => ("record" in r ? r.record : r.alert)) }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(groups.map((g) => ({ name: g.name, rules: g.rules.map((r) => r.name) })).sort(byName)).toEqual(expected.sort(byName));
    expect(groups.every((g) => g.interval === 1)).toBe(true);
    expect(groups.flatMap((g) => g.rules.filter((r) => r.lastError))).toEqual([]);
    // the stack emits everything, so no alert is gated and all of them are in the rule file
    expect(alertRules(model.rules).filter((a) => a.gatedReason)).toEqual([]);
    expect(groups.flatMap((g) => g.rules.filter((r) => r.type === "alerting").map((r) => r.name)).sort()).toEqual(alertRules(model.rules).map((a) => a.name).sort());
  }, 60_000);

  it("every recording rule produces a series: 0% errors when healthy, 100% in the sla-breach scenario", async () => {
    const records = model.prometheusRuleFile.groups.filter((g) => g.name === "seamless-slo").flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : [])));
    expect(records.length).toBe(12);
    // the dashboards' all-nodes records, with exactly the labels the rule keeps (node_filter="__all__" included)
    const kept = model.rules.groups.filter((g) => g.name === "seamless-dashboards").flatMap((g) => g.rules.flatMap((r) => (r.kind === "record" ? [r] : [])));
    expect(kept.map((r) => r.record)).toEqual([
      "phase_le:seamless_sla_deadline_seconds_bucket:rate5m",
      "phase:seamless_sla_deadline_seconds_count:rate5m",
      "world_interval_le:seamless_total_ms_bucket:rate5m",
      "world_interval_le:seamless_storage_wait_ms_bucket:rate5m",
      "world_interval_le:seamless_backfill_wait_ms_bucket:rate5m",
      "world_interval_le:seamless_live_wait_ms_bucket:rate5m",
      "phase:seamless_sla_deadline_seconds:p50_rate5m",
      "phase:seamless_sla_deadline_seconds:p95_rate5m",
      "phase:seamless_sla_deadline_seconds:p99_rate5m",
      "world_interval:seamless_total_ms:p50_rate5m",
      "world_interval:seamless_total_ms:p99_rate5m",
      "world_interval:seamless_storage_wait_ms:p99_rate5m",
      "world_interval:seamless_backfill_wait_ms:p99_rate5m",
      "world_interval:seamless_live_wait_ms:p99_rate5m",
      "node_world_interval:seamless_total_ms:p99_rate5m_topk10",
      "world_interval_reason:domain_gate_holds:rate5m",
      "world_interval_reason:partial_fill_returns:rate5m",
      "node_world_interval:coverage_ratio:bottomk10",
      "node_world_interval:live_staleness_seconds:topk10",
    ]);
    for (const r of kept) {
      const series = await waitFor(`${r.record}`, async () => {
        const got = await run("healthy").prometheus.query(r.record);
        return got.length > 0 ? got : undefined;
      }, 20_000);
      for (const one of series) expect(Object.keys(one.metric).filter((k) => k !== "__name__").sort()).toEqual([...r.keeps].sort());
      expect(series.every((one) => one.metric.node_filter === "__all__")).toBe(true);
    }
    for (const [scenario, errorRatio] of [["healthy", 0], ["sla-breach", 1]] as const) {
      const p = run(scenario).prometheus;
      for (const record of records) {
        const result = await waitFor(`${record} in ${scenario}`, async () => {
          const r = await p.query(record);
          return r.length === 1 && Number.isFinite(lastValue(r[0])) && (!record.includes("errors") || lastValue(r[0]) === errorRatio || Math.abs(lastValue(r[0]) - errorRatio) < 1e-9) ? r : undefined;
        }, 20_000);
        expect(result[0].metric).toEqual({ __name__: record });
        const value = lastValue(result[0]);
        if (record.includes(":sla_errors:")) expect(value).toBeCloseTo(errorRatio, 9);
        else if (record.includes(":sla_requests:")) expect(value).toBeGreaterThan(0);
        else expect(value).toBeGreaterThanOrEqual(0);
      }
    }
  }, 90_000);

  it("sla-breach: SeamlessSloBurnRatePage fires (critical, service, environment), with the ticket and the backfill_wait budget, nothing else", async () => {
    const p = run("sla-breach").prometheus;
    const fired = await firingExactly(p, ["SeamlessPhaseBudgetBackfillWait", "SeamlessSloBurnRatePage", "SeamlessSloBurnRateTicket"]);
    const page = fired.find((a) => a.labels.alertname === "SeamlessSloBurnRatePage") as ApiAlert;
    expect(page.labels).toEqual({ alertname: "SeamlessSloBurnRatePage", severity: "critical", ...LABELS });
    expect(Number(page.value)).toBe(1);
    expect(page.annotations.description).toMatch(new RegExp(`^100% of Seamless requests exceeded the ${E2E_DEADLINE_SECONDS}s deadline over the last 1h and 5m`));
    expect(page.annotations.runbook_url).toMatch(/#runbooks$/);
    const ticket = fired.find((a) => a.labels.alertname === "SeamlessSloBurnRateTicket") as ApiAlert;
    expect(ticket.labels).toEqual({ alertname: "SeamlessSloBurnRateTicket", severity: "warning", ...LABELS });
  }, 60_000);

  it("healthy: nothing fires, nothing is pending, and every alert rule is inactive (absent()-based instrumentation alert included)", async () => {
    // give the healthy runtime as long as the breach took to page, and at least 12s
    const breach = run("sla-breach").prometheus;
    const { prometheus: p, exporter } = run("healthy");
    await waitFor("the sla-breach page", async () => ((await firing(breach)).length ? true : undefined), 45_000);
    await waitFor("12s of healthy samples", async () => (Date.now() - exporter.startedAt > 12_000 ? true : undefined), 20_000, 500);
    expect(await p.alerts()).toEqual([]);
    // ALERTS holds a sample for every evaluation in which an alert was pending or firing
    expect(await p.query("count_over_time(ALERTS[10m])")).toEqual([]);
    const rules = (await p.ruleGroups()).flatMap((g) => g.rules).filter((r) => r.type === "alerting");
    expect(rules.map((r) => [r.name, r.state, r.health])).toEqual(rules.map((r) => [r.name, "inactive", "ok"]));
    expect(rules.map((r) => r.name)).toContain("SeamlessInstrumentationLost");
  }, 90_000);

  it("stalled-lease: SeamlessBackfillLeaseStuck fires for the stuck lease only, and the stale-claims panel counts it", async () => {
    const p = run("stalled-lease").prometheus;
    const stuck = stalledLease(SMALL_RUNTIME);
    const fired = await firingExactly(p, ["SeamlessBackfillLeaseStuck"]);
    // not aggregated, so the alert keeps the target's job and instance
    const target = { job: "seamless", instance: run("stalled-lease").exporter.target };
    expect(fired.map((a) => a.labels)).toEqual([{ alertname: "SeamlessBackfillLeaseStuck", severity: "warning", ...LABELS, ...stuck, ...target }]);
    expect(Number(fired[0].value)).toBe(STALLED_RATIO);
    const dashboard = model.dashboards.find((d) => d.key === "backfillHealth")!.json;
    const panel = panelTargets(dashboard).find((t) => t.panelId === PANEL.backfillHealth.staleClaims)!;
    const result = await p.query(substitute(panel.expr, allValues(dashboard, BUILTINS)));
    expect(result.map((s) => [s.metric, lastValue(s)])).toEqual([[{ node_id: stuck.node_id, interval: stuck.interval }, 1]]);
  }, 60_000);

  it("noisy-node: after 29 quiet minutes, SeamlessConformanceFlagSpike fires for the noisy node only", async () => {
    const p = run("noisy-node").prometheus;
    // the history is there: every node has flags from 30 minutes ago
    const old = await p.query("sum by (node_id) (seamless_conformance_flag_total offset 25m)");
    expect(old.map((s) => s.metric.node_id).sort()).toEqual(nodeIds(SMALL_RUNTIME));
    const fired = await firingExactly(p, ["SeamlessConformanceFlagSpike"]);
    expect(fired.map((a) => a.labels)).toEqual([{ alertname: "SeamlessConformanceFlagSpike", severity: "warning", ...LABELS, node_id: noisyNode(SMALL_RUNTIME) }]);
  }, 60_000);

  it("the dashboards' variables list the runtime's label values", async () => {
    const p = run("healthy").prometheus;
    const expected: Record<string, string[]> = { node_id: nodeIds(SMALL_RUNTIME), world_id: worldIds(SMALL_RUNTIME), interval: intervalValues(SMALL_RUNTIME), phase: [...PHASES] };
    const variables = model.dashboards.flatMap((d) => ((d.json.templating as { list: Array<{ name: string; type: string; query: string }> }).list ?? []).filter((v) => v.type === "query").map((v) => ({ ...v, dashboard: d.key })));
    expect([...new Set(variables.map((v) => v.name))].sort()).toEqual(Object.keys(expected).sort());
    for (const v of variables) {
      // as Grafana runs label_values(selector, label): the label values endpoint with match[]
      const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(v.query) ?? [];
      expect(label, v.query).toBe(v.name);
      const values = await p.api<string[]>(`/api/v1/label/${label}/values`, { "match[]": selector });
      expect(values.sort(), `${v.dashboard} ${v.name}`).toEqual([...expected[v.name]].sort());
    }
  }, 30_000);

  it("every dashboard query runs with variables on All and returns data when healthy, except the listed and the not-emitted panels", async () => {
    const { prometheus: p, exporter } = run("healthy");
    await waitFor("8s of healthy samples", async () => (Date.now() - exporter.startedAt > 8_000 ? true : undefined), 20_000, 500);
    const start = Math.floor(exporter.startedAt / 1000) - 5;
    const end = Math.ceil(Date.now() / 1000);
    const problems: string[] = [];
    const used = new Set<string>();
    let live = 0;
    let checked = 0;
    // every dashboard on All; the SLA Overview also with one node selected (its raw side, see ALL_NODES)
    const oneNode = nodeIds(SMALL_RUNTIME)[0];
    const views = model.dashboards.flatMap((d) => [
      { d, label: "All", values: allValues(d.json, BUILTINS) },
      ...(d.key === "slaOverview" ? [{ d, label: `node_id=${oneNode}`, values: { ...allValues(d.json, BUILTINS), node_id: oneNode } }] : []),
    ]);
    for (const { d, label, values } of views) {
      for (const t of panelTargets(d.json)) {
        checked++;
        const where = `${d.title} (${label}) / panel ${t.panelId} "${t.title}" ${t.refId}`;
        const expr = substitute(t.expr, values);
        if (expr.includes("$")) problems.push(`${where}: unsubstituted variable in ${expr}`);
        let results;
        try {
          results = [await p.queryRange(expr, start, end, 1), ...(t.instant ? [await p.query(expr)] : [])];
        } catch (e) {
          problems.push(`${where}: ${(e as Error).message}`);
          continue;
        }
        const data = results.every((r) => hasFiniteValue(r));
        const exception = EMPTY_WHEN_HEALTHY.find((x) => x.dashboard === d.key && x.panelId === t.panelId);
        if (t.description.startsWith("Not emitted")) {
          // gated: its metric is proposed, so nothing may answer it either
          if (results.some((r) => r.length > 0)) problems.push(`${where}: gated as not emitted, yet returned data`);
        } else if (exception) {
          used.add(`${d.key}/${t.panelId}`);
          if (results.some((r) => r.length > 0)) problems.push(`${where}: listed as empty when healthy (${exception.reason}), yet returned data`);
        } else if (!data) {
          problems.push(`${where}: no data for ${expr}`);
        } else live++;
      }
    }
    expect(problems).toEqual([]);
    expect([...used].sort()).toEqual(EMPTY_WHEN_HEALTHY.map((x) => `${x.dashboard}/${x.panelId}`).sort());
    // every panel but the proposed regression checks and the stale claims has data
    expect(checked).toBe(live + 2);
    expect(checked).toBe(model.dashboards.reduce((n, d) => n + panelTargets(d.json).length, 0) + panelTargets(model.dashboards.find((d) => d.key === "slaOverview")!.json).length);
  }, 90_000);
});

/** Parses the text format into [name, labels, value] rows. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not a sample line: ${l}`);
      const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      return { name: m[1], labels, value: Number(m[3]) };
    });
}

describe("the synthetic Seamless runtime (offline)", () => {
  const at = (scenario: Scenario, t: number) => samples(exposition(syntheticRuntime({ scenario, size: SMALL_RUNTIME, deadlineSeconds: E2E_DEADLINE_SECONDS }), t));

  it("exposes every catalogue metric but the proposed ones, with the catalogue's label names, types and the client's default buckets", () => {
    const text = exposition(syntheticRuntime({ scenario: "healthy", size: SMALL_RUNTIME }), 60);
    const typed = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    // prometheus_client names a counter family <name>_total in the text format
    const family = (m: MetricDef) => (m.type === "histogram" ? m.name : series(m));
    expect(typed).toEqual(CATALOGUE.filter((m) => m.status !== "proposed").map((m) => [family(m), m.type]));
    const rows = at("healthy", 60);
    for (const m of CATALOGUE.filter((x) => x.status !== "proposed")) {
      const mine = rows.filter((r) => r.name === family(m) || (r.name.startsWith(`${m.name}_`) && m.type === "histogram"));
      expect(mine.length, m.name).toBeGreaterThan(0);
      for (const r of mine) expect(Object.keys(r.labels).filter((k) => k !== "le").sort(), `${m.name} labels`).toEqual([...m.labels].sort());
      if (m.type === "histogram") {
        const first = mine.filter((r) => r.name === `${m.name}_bucket` && JSON.stringify({ ...r.labels, le: "" }) === JSON.stringify({ ...mine[0].labels, le: "" }));
        expect(first.map((r) => r.labels.le)).toEqual([...DEFAULT_HISTOGRAM_BUCKETS.map(leValue), "+Inf"]);
        expect(first.map((r) => r.value)).toEqual([...first.map((r) => r.value)].sort((a, b) => a - b));
        expect(mine.some((r) => r.name === `${m.name}_count`) && mine.some((r) => r.name === `${m.name}_sum`)).toBe(true);
      }
    }
  });

  it("counters are a function of elapsed time: the same at the same t, never lower later; +Inf equals _count", () => {
    const a = at("healthy", 120);
    expect(at("healthy", 120)).toEqual(a);
    const later = at("healthy", 600);
    const counters = new Set(CATALOGUE.filter((m) => m.type !== "gauge").flatMap((m) => (m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name])));
    a.forEach((r, i) => {
      if (counters.has(r.name)) expect(later[i].value, `${r.name} ${JSON.stringify(r.labels)}`).toBeGreaterThanOrEqual(r.value);
    });
    const total = (rows: typeof a, name: string) => rows.filter((r) => r.name === name && r.labels.phase === "total" && r.labels.node_id === "node-00");
    expect(total(later, "seamless_sla_deadline_seconds_bucket").find((r) => r.labels.le === "+Inf")?.value).toBe(total(later, "seamless_sla_deadline_seconds_count")[0].value);
    // node-00 makes 2 requests per second and phase: 1200 after 600s
    expect(total(later, "seamless_sla_deadline_seconds_count")[0].value).toBe(1200);
  });

  it("healthy requests all meet the deadline; in sla-breach every total-phase request lands above the deadline's bucket", () => {
    expect(breachLatency(DEFAULT_HISTOGRAM_BUCKETS, 4)).toBe(7.5);
    expect(breachLatency(DEFAULT_HISTOGRAM_BUCKETS, 5)).toBe(7.5);
    expect(breachLatency(DEFAULT_HISTOGRAM_BUCKETS, 10)).toBe(20);
    const bucket = (rows: ReturnType<typeof at>, le: string) => rows.find((r) => r.name === "seamless_sla_deadline_seconds_bucket" && r.labels.phase === "total" && r.labels.node_id === "node-01" && r.labels.le === le)?.value;
    const healthy = at("healthy", 300);
    expect(bucket(healthy, "1.0")).toBe(bucket(healthy, "+Inf"));
    const breach = at("sla-breach", 300);
    expect(bucket(breach, "5.0")).toBe(0);
    expect(bucket(breach, "7.5")).toBe(bucket(breach, "+Inf"));
    expect(bucket(breach, "+Inf")).toBe(900);
  });

  it("stalled-lease keeps one lease still while the others move; noisy-node raises one node's flags only", () => {
    const ratio = (rows: ReturnType<typeof at>) => Object.fromEntries(rows.filter((r) => r.name === "backfill_completion_ratio").map((r) => [r.labels.lease_key, r.value]));
    const [early, late] = [ratio(at("stalled-lease", 60)), ratio(at("stalled-lease", 120))];
    expect(early[stalledLease(SMALL_RUNTIME).lease_key]).toBe(STALLED_RATIO);
    expect(late[stalledLease(SMALL_RUNTIME).lease_key]).toBe(STALLED_RATIO);
    for (const key of Object.keys(early).filter((k) => k !== stalledLease(SMALL_RUNTIME).lease_key)) expect(late[key]).toBeGreaterThan(early[key]);
    const flags = (rows: ReturnType<typeof at>) => {
      const by: Record<string, number> = {};
      for (const r of rows.filter((x) => x.name === "seamless_conformance_flag_total")) by[r.labels.node_id] = (by[r.labels.node_id] ?? 0) + r.value;
      return by;
    };
    const noisy = flags(at("noisy-node", 1000));
    expect(noisy[noisyNode(SMALL_RUNTIME)]).toBeGreaterThan(100 * Math.max(...Object.entries(noisy).filter(([n]) => n !== noisyNode(SMALL_RUNTIME)).map(([, v]) => v), 1));
    // every other node flags exactly as it does when healthy
    const healthy = flags(at("healthy", 1000));
    for (const n of nodeIds(SMALL_RUNTIME).filter((x) => x !== noisyNode(SMALL_RUNTIME))) expect(noisy[n], n).toBe(healthy[n]);
  });

  it("serves /metrics over HTTP on 127.0.0.1 from its clock, and 404 elsewhere", async () => {
    let now = 1_000_000;
    const exporter = await startExporter({ scenario: "healthy", size: SMALL_RUNTIME, clock: () => now });
    try {
      expect(exporter.target).toMatch(/^127\.0\.0\.1:\d+$/);
      now += 30_000;
      const res = await fetch(exporter.url);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(await res.text()).toBe(exposition(syntheticRuntime({ scenario: "healthy", size: SMALL_RUNTIME, epochSeconds: 1000 }), 30));
      expect((await fetch(exporter.url.replace("/metrics", "/other"))).status).toBe(404);
      expect(exporter.scrapes()).toBe(1);
    } finally {
      await exporter.close();
    }
  });
});
