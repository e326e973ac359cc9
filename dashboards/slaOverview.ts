/** Seamless SLA Overview: the SLO, its error budget and burn rate, latency per phase and per domain, downgrades, coverage and staleness. */
import * as gauge from "@grafana/grafana-foundation-sdk/gauge";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { DEFAULT_HISTOGRAM_BUCKETS, METRIC, MetricDef, leValue, series } from "../model/catalogue";
import { boundsOf, describeBound } from "../model/buckets";
import { Matchers, badRatio, num, selector, sumBy, sumRate, weightedBuckets } from "../model/promql";
import { ALL_NODES, BUDGETED_PHASES, phaseBudgetShare, DASHBOARD_QUANTILES, DASHBOARD_RATE, PHASE_WAITS, RECORD, WORST_DOMAINS } from "../model/rules";
import { DashboardContext, FilterLabel, PanelBuilder, filters, finishDashboard, gate, instantQuery, layout, query, thresholds } from "./common";
import { PANEL } from "./ids";

const LABELS: readonly FilterLabel[] = ["node_id", "world_id", "interval", "phase"];
const ID = PANEL.slaOverview;
/** Per-domain panels show the worst domains only: hundreds of lines are neither readable nor cheap. */
const WORST = WORST_DOMAINS;

/** The dashboard as Grafana JSON. */
export function slaOverview(ctx: DashboardContext): Record<string, unknown> {
  const panels = layout([
    [[errorBudget(ctx), 6, 8], [burnRate(ctx), 18, 8]],
    [[deadlineHeatmap(ctx), 12, 9], [phaseQuantiles(ctx), 12, 9]],
    [[phaseBudget(ctx), 24, 8]],
    [[latencyByWorld(ctx), 12, 8], [slowestNodes(ctx), 12, 8]],
    [[phaseWaitByWorld(ctx), 24, 8]],
    [[downgrades(ctx), 8, 8], [coverage(ctx), 8, 8], [liveStaleness(ctx), 8, 8]],
  ]);
  // with the PrometheusRule deployed, All on node_id selects the recorded all-nodes series
  const allValues = ctx.recorded ? { node_id: ALL_NODES.value } : {};
  return finishDashboard(ctx, "slaOverview", "Seamless Data Provider v2 SLA: error budget, burn rate, latency per phase and domain, downgrades, coverage and staleness.", LABELS, panels, allValues);
}

/** Bad-request ratio over the SLO window, from recorded rates when they are deployed. */
export function errorRatioOverWindow(ctx: DashboardContext): string {
  const { window } = ctx.config.slo;
  if (ctx.recorded) {
    const shortest = ctx.config.slo.burnRate.page.short;
    return `1 - (sum_over_time(${RECORD.goodRequests(shortest)}[${window}]) / sum_over_time(${RECORD.requests(shortest)}[${window}]))`;
  }
  return badRatio(METRIC.slaDeadline, { phase: "total" }, ctx.deadline, window);
}

function errorBudget(ctx: DashboardContext): PanelBuilder {
  const { objective, window, deadlineSeconds } = ctx.config.slo;
  const budget = 1 - objective;
  const panel = new gauge.PanelBuilder()
    .id(ID.errorBudget)
    .title(`Error budget remaining (${window})`)
    .unit("percentunit")
    .min(0)
    .max(1)
    .decimals(1)
    .thresholds(thresholds("red", [0.25, "orange"], [0.5, "green"]))
    .withTarget(instantQuery(`1 - ((${errorRatioOverWindow(ctx)}) / ${num(budget)})`, "remaining"));
  return gate(
    panel,
    ctx,
    `Share of the ${window} error budget left: 1 - (bad / all) / (1 - ${num(objective)}), where bad = requests of ${METRIC.slaDeadline.name}{phase="total"} slower than the ${num(deadlineSeconds)}s deadline (${describeBound(ctx.deadline)}). Service-wide: the SLO does not follow the node/world filters. Bad: below 25%, and 0% means the SLO is broken for the window.`,
    [METRIC.slaDeadline],
  );
}

function burnRate(ctx: DashboardContext): PanelBuilder {
  const { objective, burnRate: b } = ctx.config.slo;
  const ratio = (w: string) => (ctx.recorded ? RECORD.errorRatio(w) : `(${badRatio(METRIC.slaDeadline, { phase: "total" }, ctx.deadline, w)})`);
  const panel = new timeseries.PanelBuilder()
    .id(ID.burnRate)
    .title("SLO burn rate")
    .unit("x")
    .min(0)
    .thresholds(thresholds("green", [b.ticket.factor, "orange"], [b.page.factor, "red"]))
    .withTarget(query(`${ratio(b.page.long)} / ${num(1 - objective)}`, `burn ${b.page.long}`, "A"))
    .withTarget(query(`${ratio(b.ticket.long)} / ${num(1 - objective)}`, `burn ${b.ticket.long}`, "B"));
  return gate(
    panel,
    ctx,
    `How many times faster than allowed the error budget burns, over ${b.page.long} and ${b.ticket.long}: bad ratio / (1 - ${num(objective)}). 1x spends the budget exactly over the SLO window. Bad: above ${num(b.ticket.factor)}x (ticket) and ${num(b.page.factor)}x (page).`,
    [METRIC.slaDeadline],
  );
}

function deadlineHeatmap(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.slaDeadline;
  const panel = new heatmap.PanelBuilder()
    .id(ID.deadlineHeatmap)
    .title("SLA phase durations (heatmap)")
    .unit("s")
    .calculate(false)
    .withTarget(query(bucketRates(ctx, m, RECORD.phaseBuckets, filters(m, LABELS), ["le"]), "{{le}}").format(prometheus.PromQueryFormat.Heatmap));
  return gate(panel, ctx, `Distribution of ${m.name} per bucket for the selected phases. Bad: mass moving into the top buckets; the top finite bucket is ${largest(ctx, m)}s, anything slower lands in +Inf.`, [m]);
}

function phaseQuantiles(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.slaDeadline;
  const panel = new timeseries.PanelBuilder()
    .id(ID.phaseQuantiles)
    .title("p50 / p95 / p99 per phase")
    .unit("s")
    .min(0)
    .thresholds(thresholds("green", [ctx.config.slo.deadlineSeconds, "red"]));
  DASHBOARD_QUANTILES.forEach((q, i) => panel.withTarget(query(quantile(ctx, m, q, RECORD.phaseQuantile(q), ["phase"]), `p${Math.round(q * 100)} {{phase}}`, String.fromCharCode(65 + i))));
  return gate(panel, ctx, `Quantiles of ${m.name} per phase. Bad: the total phase above the ${num(ctx.config.slo.deadlineSeconds)}s deadline. Quantiles cannot exceed the top finite bucket (${largest(ctx, m)}s).`, [m]);
}

function phaseBudget(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.slaDeadline;
  // the line where the alerts fire (the lowest, when overrides set them apart)
  const share = Math.min(...BUDGETED_PHASES.map(({ phase }) => phaseBudgetShare(ctx.config, phase)));
  const panel = new timeseries.PanelBuilder().id(ID.phaseBudget).title("Requests over their phase budget").unit("percentunit").min(0).thresholds(thresholds("green", [share, "red"]));
  const words: string[] = [];
  BUDGETED_PHASES.forEach(({ phase, key }, i) => {
    const choice = ctx.budgets.get(phase);
    if (!choice) return;
    const node = filters(m, ["node_id"], { phase });
    const sumOf = (suffix: "bucket" | "count", recorded: string, extra: Matchers = {}) =>
      `sum(${eitherNodes(`rate(${selector(series(m, suffix), { ...node, ...extra })}[${DASHBOARD_RATE}])`, selector(recorded, onAllNodes({ ...node, ...extra })))})`;
    const ratio = ctx.recorded
      ? `1 - (${weightedBuckets(choice, (le) => sumOf("bucket", RECORD.phaseBuckets, { le: leValue(le) }))} / ${sumOf("count", RECORD.phaseCount)})`
      : badRatio(m, node, choice, "$__rate_interval");
    panel.withTarget(query(ratio, `${phase} > ${num(ctx.config.policy[key])}ms`, String.fromCharCode(65 + i)));
    words.push(`${phase} over ${num(ctx.config.policy[key])}ms (${describeBound(choice)})`);
  });
  return gate(panel, ctx, `Share of requests whose phase took longer than the SLA policy budget: ${words.join("; ")}. Bad: above ${num(share * 100)}%, where SeamlessPhaseBudget* fires.`, [m]);
}

function latencyByWorld(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.totalWait;
  const panel = new timeseries.PanelBuilder()
    .id(ID.latencyByWorld)
    .title("p99 end-to-end latency by world_id and interval")
    .unit("ms")
    .min(0)
    .withTarget(query(quantile(ctx, m, 0.99, RECORD.domainQuantile(m, 0.99), ["world_id", "interval"]), "p99 {{world_id}} {{interval}}", "A"))
    .withTarget(query(quantile(ctx, m, 0.5, RECORD.domainQuantile(m, 0.5), ["world_id", "interval"]), "p50 {{world_id}} {{interval}}", "B"));
  return gate(
    panel,
    ctx,
    `p99 and p50 of ${m.name} per world_id and interval over the selected nodes. Bad: one world far above the others. ${topBucket(ctx, m)}`,
    [m],
  );
}

function phaseWaitByWorld(ctx: DashboardContext): PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .id(ID.phaseWaitByWorld)
    .title("p99 wait per phase by world_id and interval")
    .unit("ms")
    .min(0);
  PHASE_WAITS.forEach((m, i) => {
    const phase = m.name.replace(/^seamless_|_ms$/g, "");
    panel.withTarget(query(quantile(ctx, m, 0.99, RECORD.domainQuantile(m, 0.99), ["world_id", "interval"]), `${phase} {{world_id}} {{interval}}`, String.fromCharCode(65 + i)));
  });
  return gate(
    panel,
    ctx,
    `p99 of ${PHASE_WAITS.map((m) => m.name).join(", ")} per world_id and interval over the selected nodes: which phase makes a domain slow. Bad: one phase of one world near its budget (storage ${ctx.config.policy.maxWaitStorageMs}ms, backfill ${ctx.config.policy.maxWaitBackfillMs}ms, live ${ctx.config.policy.maxWaitLiveMs}ms) while the others are low. ${topBucket(ctx, METRIC.storageWait)}`,
    PHASE_WAITS,
  );
}

function slowestNodes(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.totalWait;
  const matchers = filters(m, LABELS);
  const by = ["le", ...SLA_DOMAIN];
  const rawP99 = `histogram_quantile(0.99, ${sumRate(selector(series(m, "bucket"), matchers), ctx.recorded ? DASHBOARD_RATE : "$__rate_interval", by)})`;
  const p99 = ctx.recorded ? eitherNodes(rawP99, selector(RECORD.slowestDomains, onAllNodes(matchers))) : rawP99;
  const panel = new timeseries.PanelBuilder()
    .id(ID.latencyByNode)
    .title(`p99 end-to-end latency by node_id (${WORST} slowest)`)
    .unit("ms")
    .min(0)
    .withTarget(query(`topk(${WORST}, max by (node_id) (${p99}))`, "p99 {{node_id}}", "A"));
  return gate(
    panel,
    ctx,
    `The ${WORST} nodes with the highest p99 of ${m.name} at each moment; a node's value is the p99 of its slowest selected domain (world_id, interval). Bad: one node far above the others. ${topBucket(ctx, m)}`,
    [m],
  );
}

function downgrades(ctx: DashboardContext): PanelBuilder {
  const holds = METRIC.gateHolds;
  const fills = METRIC.partialFills;
  const panel = new timeseries.PanelBuilder()
    .id(ID.downgrades)
    .title("SLA downgrades by reason")
    .unit("ops")
    .min(0)
    .withTarget(query(counterRates(ctx, holds, RECORD.gateHolds, ["reason"]), "HOLD {{reason}}", "A"))
    .withTarget(query(counterRates(ctx, fills, RECORD.partialFills, ["reason"]), "PARTIAL_FILL {{reason}}", "B"));
  return gate(panel, ctx, "Responses the SLA policy downgraded to HOLD or PARTIAL_FILL, per second, by reason. Bad: any sustained rate.", [holds, fills]);
}

function coverage(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.coverage;
  const min = ctx.config.policy.minCoverage;
  const panel = new timeseries.PanelBuilder()
    .id(ID.coverage)
    .title(`Coverage vs min_coverage (${WORST} worst domains)`)
    .unit("percentunit")
    .max(1)
    .thresholds(thresholds("red", [min, "green"]))
    .withTarget(query(`bottomk(${WORST}, min by (world_id, node_id) (${gaugeOrWorst(ctx, m, RECORD.worstCoverage)}))`, "{{world_id}} {{node_id}}"));
  return gate(panel, ctx, `Bars delivered / bars requested for the ${WORST} domains with the lowest coverage at each moment (filter by node or world to see others). Bad: below min_coverage ${num(min)}.`, [m]);
}

function liveStaleness(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.liveStaleness;
  const max = ctx.config.policy.maxLagSeconds;
  const panel = new timeseries.PanelBuilder()
    .id(ID.liveStaleness)
    .title(`Live staleness vs max_lag_seconds (${WORST} stalest domains)`)
    .unit("s")
    .min(0)
    .thresholds(thresholds("green", [max, "red"]))
    .withTarget(query(`topk(${WORST}, max by (world_id, node_id) (${gaugeOrWorst(ctx, m, RECORD.stalestLive)}))`, "{{world_id}} {{node_id}}"));
  return gate(panel, ctx, `Age of the newest live bar for the ${WORST} stalest domains at each moment (filter by node or world to see others). Bad: above max_lag_seconds ${num(max)}s.`, [m]);
}

/** The raw series of the selected nodes, or on All the recorded all-nodes series (see ALL_NODES). */
function eitherNodes(raw: string, recorded: string): string {
  return `${raw} or ${recorded}`;
}

/** The same matchers for a recorded all-nodes series: `node_id` becomes the marker label. */
function onAllNodes(matchers: Matchers): Matchers {
  return Object.fromEntries(Object.entries(matchers).map(([k, v]) => [k === "node_id" ? ALL_NODES.label : k, v]));
}

/**
 * Per-bucket rates of a histogram grouped by `by`. With the PrometheusRule deployed, All
 * nodes reads the recorded all-nodes 5m rates (a 24h panel reads a few series whatever the
 * number of nodes) and selected nodes read their raw series over the same 5m; without it,
 * raw rates over $__rate_interval.
 */
function bucketRates(ctx: DashboardContext, m: MetricDef, recorded: string, matchers: Matchers, by: readonly string[]): string {
  const raw = selector(series(m, "bucket"), matchers);
  if (!ctx.recorded) return sumRate(raw, "$__rate_interval", by);
  return `${sumBy(by)}(${eitherNodes(`rate(${raw}[${DASHBOARD_RATE}])`, selector(recorded, onAllNodes(matchers)))})`;
}

/**
 * A quantile of a histogram per `by`. With the PrometheusRule deployed, All nodes reads the
 * recorded quantile (a few series, whatever the number of nodes and buckets) and selected
 * nodes compute it from their raw buckets over the same 5m; without it, raw over $__rate_interval.
 */
function quantile(ctx: DashboardContext, m: MetricDef, q: number, recorded: string, by: readonly string[]): string {
  const matchers = filters(m, LABELS);
  const raw = `histogram_quantile(${q}, ${sumRate(selector(series(m, "bucket"), matchers), ctx.recorded ? DASHBOARD_RATE : "$__rate_interval", ["le", ...by])})`;
  return ctx.recorded ? eitherNodes(raw, selector(recorded, onAllNodes(matchers))) : raw;
}

/** Per-second rate of a counter grouped by `by`, as `bucketRates` reads histograms. */
function counterRates(ctx: DashboardContext, m: MetricDef, recorded: string, by: readonly string[]): string {
  const raw = selector(series(m), filters(m, LABELS));
  if (!ctx.recorded) return sumRate(raw, "$__rate_interval", by);
  return `${sumBy(by)}(${eitherNodes(`rate(${raw}[${DASHBOARD_RATE}])`, selector(recorded, onAllNodes(filters(m, LABELS))))})`;
}

/** A per-domain gauge of the selected nodes, or on All the recorded worst domains of each world and interval. */
function gaugeOrWorst(ctx: DashboardContext, m: MetricDef, recorded: string): string {
  const raw = selector(m.name, filters(m, LABELS));
  return ctx.recorded ? eitherNodes(raw, selector(recorded, onAllNodes(filters(m, LABELS)))) : raw;
}

function topBucket(ctx: DashboardContext, m: MetricDef): string {
  return `This histogram uses the client's default bounds in milliseconds (top finite bucket ${largest(ctx, m)}ms), so values at the top mean "${largest(ctx, m)}ms or slower".`;
}

const SLA_DOMAIN = ["node_id", "world_id", "interval"] as const;

function largest(ctx: DashboardContext, m: MetricDef): string {
  const bounds = boundsOf(m, ctx.config.metrics.buckets) ?? DEFAULT_HISTOGRAM_BUCKETS;
  return num(bounds[bounds.length - 1]);
}

