/**
 * The seamless-* rule definitions: one list from which the Grafana rule groups and the
 * Prometheus rule groups are both rendered. Pure: config in, plain rule objects out.
 */
import { METRIC, MetricDef, Phase, exportedFromStart, presenceSeries, series } from "./catalogue";
import { BoundChoice, boundsOf, chooseBound, describeBound } from "./buckets";
import { ConfigProblem, StackConfig, configKey, nearest } from "./config";
import { parseDuration } from "./duration";
import { ANNOTATION, LABEL, RULE_PREFIX, SERVICE, Severity } from "./names";
import { badRatio, goodRate, num, selector, sumBy, sumRate, totalRate } from "./promql";
import { DASHBOARDS, DashboardKey, PANEL, dashboardUid } from "../dashboards/ids";

/** A Prometheus recording rule (`level:metric:operations`). */
export interface RecordingRule {
  readonly kind: "record";
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Labels the recorded series carries (what queries may match or group by). */
  readonly keeps: readonly string[];
}

/** An alert, final for one stack: thresholds and overrides applied, gating decided. */
export interface AlertRule {
  readonly kind: "alert";
  readonly name: string;
  /** PromQL for Prometheus (may read this stack's recording rules). */
  readonly expr: string;
  /** PromQL for Grafana: `expr`, or the same query without recording rules when none are deployed. */
  readonly grafanaExpr: string;
  readonly for: string;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  /** Prometheus-templated annotations (`$labels`, `$value`). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Catalogue metrics the alert reads. */
  readonly metrics: readonly string[];
  /** Why the alert is paused in this stack (metrics not emitted); undefined when active. */
  readonly gatedReason?: string;
  readonly noDataState: "OK" | "NoData" | "Alerting" | "KeepLast";
  readonly execErrState: "OK" | "Error" | "Alerting" | "KeepLast";
  readonly panel: { readonly dashboard: DashboardKey; readonly panelId: number };
}

/** A rule group named `seamless-<area>`. */
export interface RuleGroupSpec {
  readonly name: string;
  readonly interval: string;
  readonly rules: ReadonlyArray<RecordingRule | AlertRule>;
}

/** Every rule of a stack, plus the alerts left out by config. */
export interface RulesModel {
  readonly groups: readonly RuleGroupSpec[];
  readonly disabled: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

/** Area groups, in render order. */
export const GROUPS = {
  slo: `${RULE_PREFIX}-slo`,
  sla: `${RULE_PREFIX}-sla`,
  backfill: `${RULE_PREFIX}-backfill`,
  conformance: `${RULE_PREFIX}-conformance`,
  instrumentation: `${RULE_PREFIX}-instrumentation`,
  dashboards: `${RULE_PREFIX}-dashboards`,
} as const;

/** Recording-rule names, defined once (`level:metric:operations`). */
export const RECORD = {
  requests: (window: string) => `seamless:sla_requests:rate${window}`,
  goodRequests: (window: string) => `seamless:sla_good_requests:rate${window}`,
  errorRatio: (window: string) => `seamless:sla_errors:ratio_rate${window}`,
  phaseBuckets: "phase_le:seamless_sla_deadline_seconds_bucket:rate5m",
  phaseCount: "phase:seamless_sla_deadline_seconds_count:rate5m",
  /** 5m bucket rates of a per-domain `*_ms` histogram by world and interval. */
  domainBuckets: (m: MetricDef) => `world_interval_le:${m.name}_bucket:rate5m`,
  phaseQuantile: (q: DashboardQuantile) => `phase:seamless_sla_deadline_seconds:p${Math.round(q * 100)}_rate5m`,
  domainQuantile: (m: MetricDef, q: DashboardQuantile) => `world_interval:${m.name}:p${Math.round(q * 100)}_rate5m`,
  slowestDomains: "node_world_interval:seamless_total_ms:p99_rate5m_topk10",
  gateHolds: "world_interval_reason:domain_gate_holds:rate5m",
  partialFills: "world_interval_reason:partial_fill_returns:rate5m",
  worstCoverage: "node_world_interval:coverage_ratio:bottomk10",
  stalestLive: "node_world_interval:live_staleness_seconds:topk10",
} as const;

/** Per-phase wait histograms per domain (`*_wait_ms`), and with the end-to-end one every per-domain histogram. */
export const PHASE_WAITS: readonly MetricDef[] = [METRIC.storageWait, METRIC.backfillWait, METRIC.liveWait];
const DOMAIN_HISTOGRAMS: readonly MetricDef[] = [METRIC.totalWait, ...PHASE_WAITS];

/**
 * The "All nodes" convention of the SLA Overview. Its `node_id` variable sends this value
 * when All is selected, which no node is called; the dashboards' recording rules carry it
 * in `label`. A panel reads `raw{node_id=~"$node_id"} or recorded{node_filter=~"$node_id"}`:
 * on All the raw side selects nothing and the few pre-aggregated series answer; with
 * nodes selected the recorded side selects nothing and the raw series of those nodes do.
 */
export const ALL_NODES = { label: "node_filter", value: "__all__" } as const;

/** Rate window of the dashboards' recording rules, and of the raw side of their panels. */
export const DASHBOARD_RATE = "5m";

/** Quantiles the SLA Overview draws, recorded for All nodes. */
export const DASHBOARD_QUANTILES = [0.5, 0.95, 0.99] as const;
export type DashboardQuantile = (typeof DASHBOARD_QUANTILES)[number];

/** How many domains the worst-domain panels and their recording rules keep. */
export const WORST_DOMAINS = 10;

/**
 * What the SLA Overview reads when every node is selected, aggregated over nodes (or, for
 * the per-domain panels, cut to the worst domains of each world and interval), so a 24h
 * panel reads a few series whatever the number of nodes (see `npm run bench:queries`).
 */
export function dashboardRecordings(): RecordingRule[] {
  const marker = { [ALL_NODES.label]: ALL_NODES.value };
  const rec = (record: string, expr: string, keeps: string[]): RecordingRule => ({ kind: "record", record, expr, labels: marker, keeps: [...keeps, ALL_NODES.label] });
  const rate = (name: string, keeps: string[]) => sumRate(name, DASHBOARD_RATE, keeps);
  const domain = ["node_id", "world_id", "interval"];
  const perWorld = "by (world_id, interval)";
  return [
    rec(RECORD.phaseBuckets, rate(series(METRIC.slaDeadline, "bucket"), ["phase", "le"]), ["phase", "le"]),
    rec(RECORD.phaseCount, rate(series(METRIC.slaDeadline, "count"), ["phase"]), ["phase"]),
    ...DOMAIN_HISTOGRAMS.map((m) => rec(RECORD.domainBuckets(m), rate(series(m, "bucket"), ["world_id", "interval", "le"]), ["world_id", "interval", "le"])),
    // quantiles from the records just above (a group evaluates its rules in order): a panel then reads a few series, not every bucket
    ...DASHBOARD_QUANTILES.map((q) => rec(RECORD.phaseQuantile(q), `histogram_quantile(${q}, ${RECORD.phaseBuckets})`, ["phase"])),
    ...([0.5, 0.99] as const).map((q) => rec(RECORD.domainQuantile(METRIC.totalWait, q), `histogram_quantile(${q}, ${RECORD.domainBuckets(METRIC.totalWait)})`, ["world_id", "interval"])),
    ...PHASE_WAITS.map((m) => rec(RECORD.domainQuantile(m, 0.99), `histogram_quantile(0.99, ${RECORD.domainBuckets(m)})`, ["world_id", "interval"])),
    // the 10 slowest domains of each world and interval hold the 10 slowest nodes of any selection of them
    rec(RECORD.slowestDomains, `topk ${perWorld} (${WORST_DOMAINS}, histogram_quantile(0.99, ${rate(series(METRIC.totalWait, "bucket"), [...domain, "le"])}))`, domain),
    rec(RECORD.gateHolds, rate(series(METRIC.gateHolds), ["world_id", "interval", "reason"]), ["world_id", "interval", "reason"]),
    rec(RECORD.partialFills, rate(series(METRIC.partialFills), ["world_id", "interval", "reason"]), ["world_id", "interval", "reason"]),
    // per domain first (min/max drop the target's job and instance), then the worst of each world and interval
    rec(RECORD.worstCoverage, `bottomk ${perWorld} (${WORST_DOMAINS}, ${sumBy(domain, "min")}(${METRIC.coverage.name}))`, domain),
    rec(RECORD.stalestLive, `topk ${perWorld} (${WORST_DOMAINS}, ${sumBy(domain, "max")}(${METRIC.liveStaleness.name}))`, domain),
  ];
}

/** Alert names, defined once. */
export const ALERT = {
  burnPage: "SeamlessSloBurnRatePage",
  burnTicket: "SeamlessSloBurnRateTicket",
  phaseBudget: (phase: Phase) => `SeamlessPhaseBudget${phase.split("_").map(cap).join("")}`,
  coverage: "SeamlessCoverageLow",
  staleness: "SeamlessLiveStale",
  leaseStuck: "SeamlessBackfillLeaseStuck",
  backfillFailures: "SeamlessBackfillFailures",
  flagSpike: "SeamlessConformanceFlagSpike",
  schemaFailures: "SeamlessSchemaValidationFailures",
  instrumentationLost: "SeamlessInstrumentationLost",
} as const;

/** Share of requests over a phase budget at which SeamlessPhaseBudget* fires (an override may change it). */
export const PHASE_BUDGET_SHARE = 0.05;

/** The share a stack alerts at for one phase: its override, or the default. */
export function phaseBudgetShare(config: StackConfig, phase: Phase): number {
  return config.alerts.overrides[ALERT.phaseBudget(phase)]?.threshold ?? PHASE_BUDGET_SHARE;
}

/** Phases with a policy budget, and the config key of each budget. */
export const BUDGETED_PHASES: ReadonlyArray<{ phase: Phase; key: "maxWaitStorageMs" | "maxWaitBackfillMs" | "maxWaitLiveMs" }> = [
  { phase: "storage_wait", key: "maxWaitStorageMs" },
  { phase: "backfill_wait", key: "maxWaitBackfillMs" },
  { phase: "live_wait", key: "maxWaitLiveMs" },
];

/** Inputs every definition reads. */
interface Context {
  readonly config: StackConfig;
  readonly deadline: BoundChoice;
  readonly budgets: ReadonlyMap<Phase, BoundChoice>;
  readonly recorded: boolean;
}

/** What a definition renders for a given threshold. */
interface Rendered {
  readonly expr: string;
  readonly inlineExpr?: string;
  readonly summary: string;
  readonly description: string;
}

/** One alert definition before overrides and gating. */
interface AlertDefinition {
  readonly name: string;
  readonly group: string;
  readonly severity: Severity;
  readonly for: string;
  /** Default threshold; `seamless:alerts.overrides.<name>.threshold` replaces it. */
  readonly threshold: number;
  /** Thresholds the alert can fire at: [lowest, highest, inclusive?] and what the number means. */
  readonly range: { readonly min: number; readonly max: number; readonly inclusive: boolean; readonly meaning: string };
  readonly metrics: readonly MetricDef[];
  readonly panel: { readonly dashboard: DashboardKey; readonly panelId: number };
  readonly noDataState?: AlertRule["noDataState"];
  readonly runbookSection: string;
  readonly render: (threshold: number) => Rendered;
}

const RATIO = { min: 0, max: 1, inclusive: false, meaning: "a ratio between 0 and 1" } as const;
const COUNT = { min: 0, max: Number.MAX_SAFE_INTEGER, inclusive: true, meaning: "a count of events in the window" } as const;

/** How to pick a threshold inside an alert's range, in words. */
function thresholdFix({ min, max, inclusive }: AlertDefinition["range"]): string {
  if (min === max) return "remove the threshold override: this alert has no threshold";
  if (max === Number.MAX_SAFE_INTEGER) return inclusive ? `use a value of ${num(min)} or more (below 2^53)` : `use a value above ${num(min)} (below 2^53)`;
  return inclusive ? `use a value from ${num(min)} to ${num(max)}` : `use a value above ${num(min)} and below ${num(max)}`;
}

/** Windows the SLO burn-rate alerts read, shortest first. */
export function burnWindows(config: StackConfig): string[] {
  const { page, ticket } = config.slo.burnRate;
  return [...new Set([page.long, page.short, ticket.long, ticket.short])].sort((a, b) => (parseDuration(a) ?? 0) - (parseDuration(b) ?? 0));
}

/** Bucket choices of a stack, or the problems that make its thresholds unmeasurable. */
export function bucketChoices(config: StackConfig): { deadline?: BoundChoice; budgets: Map<Phase, BoundChoice>; problems: ConfigProblem[] } {
  const bounds = boundsOf(METRIC.slaDeadline, config.metrics.buckets);
  const problems: ConfigProblem[] = [];
  const pick = (seconds: number, key: string, scale = 1): BoundChoice | undefined => {
    const choice = chooseBound(METRIC.slaDeadline, bounds, seconds, config.slo.exactBuckets, { scale, unit: scale === 1 ? "seconds" : "ms" });
    if (choice.kind !== "refused") return choice;
    problems.push({ key, value: seconds * scale, problem: choice.reason, fix: choice.fix });
    return undefined;
  };
  const deadline = pick(config.slo.deadlineSeconds, configKey(["slo", "deadlineSeconds"]));
  const budgets = new Map<Phase, BoundChoice>();
  for (const { phase, key } of BUDGETED_PHASES) {
    const choice = pick(config.policy[key] / 1000, configKey(["policy", key]), 1000);
    if (choice) budgets.set(phase, choice);
  }
  return { deadline, budgets, problems };
}

/** The recording rules of the SLO group. */
export function sloRecordings(config: StackConfig, deadline: BoundChoice): RecordingRule[] {
  const total = { phase: "total" };
  return burnWindows(config).flatMap((w): RecordingRule[] => [
    { kind: "record", record: RECORD.requests(w), expr: totalRate(METRIC.slaDeadline, total, w), labels: {}, keeps: [] },
    { kind: "record", record: RECORD.goodRequests(w), expr: goodRate(METRIC.slaDeadline, total, deadline, w), labels: {}, keeps: [] },
    { kind: "record", record: RECORD.errorRatio(w), expr: `1 - (${RECORD.goodRequests(w)} / ${RECORD.requests(w)})`, labels: {}, keeps: [] },
  ]);
}

/**
 * Builds the rule groups of a stack. Returns problems (unmeasurable thresholds, unknown
 * override names) instead of rules when the config cannot be rendered.
 */
export function buildRules(config: StackConfig): { rules?: RulesModel; problems: ConfigProblem[] } {
  const { deadline, budgets, problems } = bucketChoices(config);
  const definitions = deadline ? alertDefinitions({ config, deadline, budgets, recorded: config.kubernetes.enabled }) : [];
  const known = definitions.map((d) => d.name);
  for (const d of definitions) {
    const t = config.alerts.overrides[d.name]?.threshold;
    if (t === undefined) continue;
    const { min, max, inclusive, meaning } = d.range;
    const inside = inclusive ? t >= min && t <= max : t > min && t < max;
    if (!inside) {
      problems.push({
        key: configKey(["alerts", "overrides", d.name, "threshold"]),
        value: t,
        problem: `is outside what ${d.name} can fire at (${meaning})`,
        fix: thresholdFix(d.range),
      });
    }
  }
  for (const name of Object.keys(config.alerts.overrides)) {
    if (deadline && !known.includes(name)) {
      const near = nearest(name, known);
      problems.push({ key: configKey(["alerts", "overrides", name]), problem: "names no seamless-* alert", fix: near ? `did you mean ${near}?` : `known alerts: ${known.join(", ")}` });
    }
  }
  const interval = seconds(config.alerts.evaluationInterval);
  for (const [name, o] of Object.entries(config.alerts.overrides)) {
    if (o.for !== undefined && o.for !== "0s" && seconds(o.for) < interval) {
      problems.push({
        key: configKey(["alerts", "overrides", name, "for"]),
        value: o.for,
        problem: `is shorter than the evaluation interval ${config.alerts.evaluationInterval}, so Grafana cannot honour it`,
        fix: `use 0s or at least ${config.alerts.evaluationInterval}`,
      });
    }
  }
  // a rule's own `for` must be honourable too, not only an override's
  const tooShort = definitions.filter((d) => {
    const o = config.alerts.overrides[d.name];
    return !o?.disabled && o?.for === undefined && d.for !== "0s" && seconds(d.for) < interval;
  });
  const lost = tooShort.find((d) => d.name === ALERT.instrumentationLost);
  if (lost) {
    problems.push({
      key: configKey(["alerts", "instrumentationLostFor"]),
      value: lost.for,
      problem: `is shorter than the evaluation interval ${config.alerts.evaluationInterval}, so Grafana cannot honour it`,
      fix: `use at least ${config.alerts.evaluationInterval}`,
    });
  }
  const others = tooShort.filter((d) => d !== lost);
  if (others.length) {
    const shortest = others.map((d) => d.for).sort((a, b) => seconds(a) - seconds(b))[0];
    problems.push({
      key: configKey(["alerts", "evaluationInterval"]),
      value: config.alerts.evaluationInterval,
      problem: `is longer than the \`for\` of ${others.map((d) => `${d.name} (${d.for})`).join(", ")}, so Grafana cannot honour them`,
      fix: `use at most ${shortest}, or set their for in seamless:alerts.overrides.<Alert>.for`,
    });
  }
  if (problems.length > 0 || !deadline) return { problems };

  const emitted = new Set(config.metrics.emitted);
  const disabled: Array<{ name: string; reason: string }> = [];
  const alerts = new Map<string, AlertRule[]>();
  for (const definition of definitions) {
    const override = config.alerts.overrides[definition.name] ?? {};
    if (definition.metrics.length === 0) {
      disabled.push({ name: definition.name, reason: "no emitted metric is exported from start-up (labelled series appear only when first used), so an absence would say nothing" });
      continue;
    }
    if (override.disabled) {
      disabled.push({ name: definition.name, reason: `disabled by ${configKey(["alerts", "overrides", definition.name, "disabled"])}` });
      continue;
    }
    const rule = finishAlert(config, definition, override, emitted);
    if (rule) alerts.set(definition.group, [...(alerts.get(definition.group) ?? []), rule]);
  }
  const records = new Map<string, RecordingRule[]>([
    [GROUPS.slo, sloRecordings(config, deadline)],
    [GROUPS.dashboards, dashboardRecordings()],
  ]);
  const groups = Object.values(GROUPS)
    .map((name): RuleGroupSpec => ({ name, interval: config.alerts.evaluationInterval, rules: [...(records.get(name) ?? []), ...(alerts.get(name) ?? [])] }))
    .filter((g) => g.rules.length > 0);
  return { rules: { groups, disabled }, problems: [] };
}

/** Only alert rules of a model, in group order. */
export function alertRules(rules: RulesModel): AlertRule[] {
  return rules.groups.flatMap((g) => g.rules.filter((r): r is AlertRule => r.kind === "alert"));
}

function finishAlert(config: StackConfig, d: AlertDefinition, override: StackConfig["alerts"]["overrides"][string], emitted: ReadonlySet<string>): AlertRule | undefined {
  if (d.metrics.length === 0) return undefined;
  const threshold = override.threshold ?? d.threshold;
  const severity = override.severity ?? d.severity;
  const rendered = d.render(threshold);
  const missing = d.metrics.filter((m) => !emitted.has(m.name)).map((m) => m.name);
  const dashboard = DASHBOARDS[d.panel.dashboard];
  const annotations: Record<string, string> = {
    [ANNOTATION.summary]: rendered.summary,
    [ANNOTATION.description]: rendered.description,
    [ANNOTATION.runbook]: `${config.alerts.runbookBaseUrl}#${d.runbookSection}`,
  };
  if (config.grafana.url) {
    annotations.dashboard_url = `${config.grafana.url.replace(/\/$/, "")}/d/${dashboardUid(config.environment, d.panel.dashboard)}?viewPanel=${d.panel.panelId}`;
  } else {
    annotations.dashboard = `${dashboard.title} (uid ${dashboardUid(config.environment, d.panel.dashboard)}, panel ${d.panel.panelId})`;
  }
  return {
    kind: "alert",
    name: d.name,
    expr: rendered.expr,
    grafanaExpr: rendered.inlineExpr ?? rendered.expr,
    for: override.for ?? d.for,
    severity,
    labels: { [LABEL.severity]: severity, [LABEL.service]: SERVICE, [LABEL.environment]: config.environment, [LABEL.team]: config.alerts.team },
    annotations,
    metrics: d.metrics.map((m) => m.name),
    gatedReason: missing.length ? `not emitted in ${config.environment} yet: ${missing.join(", ")}` : undefined,
    noDataState: d.noDataState ?? "OK",
    execErrState: severity === "critical" ? "KeepLast" : "Error",
    panel: d.panel,
  };
}

function alertDefinitions(ctx: Context): AlertDefinition[] {
  return [...sloAlerts(ctx), ...slaAlerts(ctx), ...backfillAlerts(ctx), ...conformanceAlerts(ctx), ...instrumentationAlerts(ctx)];
}

function sloAlerts(ctx: Context): AlertDefinition[] {
  const { objective, deadlineSeconds, burnRate } = ctx.config.slo;
  const how = describeBound(ctx.deadline);
  const pair = (name: string, severity: Severity, windows: { long: string; short: string; factor: number }): AlertDefinition => ({
    name,
    group: GROUPS.slo,
    severity,
    for: "0s",
    threshold: windows.factor,
    range: { min: 0, max: 1 / (1 - objective), inclusive: false, meaning: `a burn factor; factor x (1 - ${num(objective)}) must stay below 1` },
    metrics: [METRIC.slaDeadline],
    panel: { dashboard: "slaOverview", panelId: PANEL.slaOverview.burnRate },
    runbookSection: "runbooks",
    render: (factor) => {
      const limit = num(factor * (1 - objective));
      const both = (ratio: (w: string) => string) => `${ratio(windows.long)} > ${limit}\nand\n${ratio(windows.short)} > ${limit}`;
      return {
        expr: both(RECORD.errorRatio),
        inlineExpr: ctx.recorded ? undefined : both((w) => `(${badRatio(METRIC.slaDeadline, { phase: "total" }, ctx.deadline, w)})`),
        summary: `Seamless is burning its ${num(objective * 100)}% SLO error budget ${num(factor)}x too fast`,
        description:
          `{{ $value | humanizePercentage }} of Seamless requests exceeded the ${num(deadlineSeconds)}s deadline over the last ${windows.long} and ${windows.short} ` +
          `(limit ${limit} = ${num(factor)} x (1 - ${num(objective)})). Slow requests are ${how} of ${METRIC.slaDeadline.name}{phase="total"}.`,
      };
    },
  });
  return [pair(ALERT.burnPage, "critical", burnRate.page), pair(ALERT.burnTicket, "warning", burnRate.ticket)];
}

function slaAlerts(ctx: Context): AlertDefinition[] {
  const { policy } = ctx.config;
  const domain = ["node_id", "world_id", "interval"];
  const budgets = BUDGETED_PHASES.map(({ phase, key }): AlertDefinition => {
    const choice = ctx.budgets.get(phase) as BoundChoice;
    return {
      name: ALERT.phaseBudget(phase),
      group: GROUPS.sla,
      severity: "warning",
      for: "10m",
      threshold: PHASE_BUDGET_SHARE,
      range: RATIO,
      metrics: [METRIC.slaDeadline],
      panel: { dashboard: "slaOverview", panelId: PANEL.slaOverview.phaseBudget },
      runbookSection: "runbooks",
      render: (share) => ({
        expr: `${badRatio(METRIC.slaDeadline, { phase }, choice, "10m")} > ${num(share)}`,
        summary: `Seamless ${phase} exceeds its ${num(policy[key])}ms budget for too many requests`,
        description: `{{ $value | humanizePercentage }} of requests spent more than ${num(policy[key])}ms in ${phase} over 10m (limit ${num(share * 100)}%; ${describeBound(choice)}).`,
      }),
    };
  });
  return [
    ...budgets,
    {
      name: ALERT.coverage,
      group: GROUPS.sla,
      severity: "warning",
      for: "10m",
      threshold: policy.minCoverage,
      range: RATIO,
      metrics: [METRIC.coverage],
      panel: { dashboard: "slaOverview", panelId: PANEL.slaOverview.coverage },
      runbookSection: "runbooks",
      render: (min) => ({
        expr: `${sumBy(domain, "min")}(${METRIC.coverage.name}) < ${num(min)}`,
        summary: "Seamless delivers fewer bars than requested",
        description: `Coverage of world {{ $labels.world_id }} on node {{ $labels.node_id }} ({{ $labels.interval }}) is {{ $value | humanizePercentage }}, below min_coverage ${num(min)}.`,
      }),
    },
    {
      name: ALERT.staleness,
      group: GROUPS.sla,
      severity: "warning",
      for: "5m",
      threshold: policy.maxLagSeconds,
      range: { min: 0, max: Number.MAX_SAFE_INTEGER, inclusive: false, meaning: "seconds of staleness" },
      metrics: [METRIC.liveStaleness],
      panel: { dashboard: "slaOverview", panelId: PANEL.slaOverview.liveStaleness },
      runbookSection: "runbooks",
      render: (max) => ({
        expr: `${sumBy(domain, "max")}(${METRIC.liveStaleness.name}) > ${num(max)}`,
        summary: "Seamless live data is stale",
        description: `Live data of world {{ $labels.world_id }} on node {{ $labels.node_id }} ({{ $labels.interval }}) is {{ $value | humanizeDuration }} old, above max_lag_seconds ${num(max)}s.`,
      }),
    },
  ];
}

function backfillAlerts(ctx: Context): AlertDefinition[] {
  const window = ctx.config.alerts.staleLeaseWindow;
  const ratio = METRIC.backfillCompletion.name;
  const lease = METRIC.backfillCompletion.labels.join(", ");
  return [
    {
      name: ALERT.leaseStuck,
      group: GROUPS.backfill,
      severity: "warning",
      for: "5m",
      threshold: 1,
      range: { min: 0, max: 1, inclusive: true, meaning: "a completion ratio a stuck lease stays below" },
      metrics: [METRIC.backfillCompletion],
      panel: { dashboard: "backfillHealth", panelId: PANEL.backfillHealth.staleClaims },
      runbookSection: "runbooks",
      render: (below) => ({
        // a lease must be older than the window (offset) so a young lease is not "stuck"
        expr: `${ratio} < ${num(below)}\nand on (${lease})\nchanges(${ratio}[${window}]) == 0\nand on (${lease})\n${ratio} offset ${window}`,
        summary: "Backfill lease {{ $labels.lease_key }} is stuck",
        description: `Lease {{ $labels.lease_key }} on node {{ $labels.node_id }} ({{ $labels.interval }}) has stayed at {{ $value | humanizePercentage }} complete for more than ${window}. Reclaim it with scripts/lease_recover.py.`,
      }),
    },
    {
      name: ALERT.backfillFailures,
      group: GROUPS.backfill,
      severity: "warning",
      for: "10m",
      threshold: 5,
      range: COUNT,
      metrics: [METRIC.backfillFailures],
      panel: { dashboard: "backfillHealth", panelId: PANEL.backfillHealth.failuresRetries },
      runbookSection: "runbooks",
      render: (count) => ({
        expr: `${sumRate(METRIC.backfillFailures.name, "10m", ["node_id"], "increase")} > ${num(count)}`,
        summary: "Backfills fail on node {{ $labels.node_id }}",
        description: `Node {{ $labels.node_id }} had {{ $value | humanize }} backfill failures in the last 10m (limit ${num(count)}).`,
      }),
    },
  ];
}

function conformanceAlerts(_ctx: Context): AlertDefinition[] {
  const flags = METRIC.conformanceFlags.name;
  const floor = 0.05;
  const recent = sumRate(flags, "15m", ["node_id"]);
  // the average of 5m rates over the 6h before the recent window: rate(x[6h]) would divide a
  // young series' short history by 6h and make every new node look like a spike
  const baseline = `avg_over_time((${sumRate(flags, "5m", ["node_id"])})[6h:5m] offset 15m)`;
  return [
    {
      name: ALERT.flagSpike,
      group: GROUPS.conformance,
      severity: "warning",
      for: "15m",
      threshold: 3,
      range: { min: 1, max: Number.MAX_SAFE_INTEGER, inclusive: false, meaning: "how many times a node's own baseline rate counts as a spike" },
      metrics: [METRIC.conformanceFlags],
      panel: { dashboard: "conformanceQuality", panelId: PANEL.conformanceQuality.flagsByNode },
      runbookSection: "runbooks",
      render: (factor) => ({
        // a node needs some history before now-15m to have a baseline
        expr: `${recent}\n> ${num(factor)} * ${baseline}\nand\n${recent} > ${num(floor)}`,
        summary: "Conformance flags spike on node {{ $labels.node_id }}",
        description: `Node {{ $labels.node_id }} raises {{ $value | humanize }} conformance flags/s over 15m: more than ${num(factor)}x its own average rate over the 6h before and above the floor of ${num(floor)}/s.`,
      }),
    },
    {
      name: ALERT.schemaFailures,
      group: GROUPS.conformance,
      severity: "warning",
      for: "0s",
      threshold: 0,
      range: COUNT,
      metrics: [METRIC.schemaFailures],
      panel: { dashboard: "conformanceQuality", panelId: PANEL.conformanceQuality.schemaFailures },
      runbookSection: "runbooks",
      render: (count) => ({
        expr: `${sumRate(selector(METRIC.schemaFailures.name, { mode: "strict" }), "10m", ["subject"], "increase")} > ${num(count)}`,
        summary: "Strict schema validation fails for {{ $labels.subject }}",
        description: `Subject {{ $labels.subject }} failed strict schema validation {{ $value | humanize }} times in the last 10m.`,
      }),
    },
  ];
}

function instrumentationAlerts(ctx: Context): AlertDefinition[] {
  // unknown names are config problems reported elsewhere; only metrics exported from start-up can be missed
  const emitted = ctx.config.metrics.emitted
    .map((name) => Object.values(METRIC).find((m) => m.name === name))
    .filter((m): m is MetricDef => m !== undefined && exportedFromStart(m));
  const lost = ctx.config.alerts.instrumentationLostFor;
  return [
    {
      name: ALERT.instrumentationLost,
      group: GROUPS.instrumentation,
      severity: "warning",
      for: lost,
      threshold: 0,
      range: { min: 0, max: 0, inclusive: true, meaning: "unused: this alert fires on absence" },
      metrics: emitted,
      // backfill_jobs_in_progress is the catalogue's only metric exported from start-up; its panel shows the gap
      panel: { dashboard: "backfillHealth", panelId: PANEL.backfillHealth.leasesNow },
      runbookSection: "metrics-and-alerts",
      render: () => ({
        expr: emitted.map((m) => `label_replace(absent(${presenceSeries(m)}), "metric", "${m.name}", "", "")`).join("\nor\n"),
        summary: "Seamless metric {{ $labels.metric }} is no longer reported",
        description: `{{ $labels.metric }} is marked as emitted in ${ctx.config.environment} and exported from start-up, but no series has been seen for ${lost}: the exporter, the scrape or the runtime instrumentation is broken, and the alerts reading it are blind. (Labelled metrics appear only after their first event, so only unlabelled ones are watched.)`,
      }),
    },
  ];
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Seconds of a canonical duration, for Grafana's `intervalSeconds`. */
export function seconds(duration: string): number {
  return parseDuration(duration) ?? 0;
}

