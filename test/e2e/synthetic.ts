/**
 * A synthetic Seamless runtime: every catalogue metric (except proposed ones) with the
 * catalogue's label sets and the histogram bounds of `DEFAULT_HISTOGRAM_BUCKETS`, as pure
 * functions of the seconds elapsed since the runtime started. The exporter serves it over
 * HTTP; the query benchmark writes it as OpenMetrics. Test code only.
 *
 * Counters count whole events (`floor(rate * t)`), so they are deterministic given the
 * elapsed time and never go down; histogram buckets are cumulative and monotonic in `le`.
 */
import { CATALOGUE, DEFAULT_HISTOGRAM_BUCKETS, METRIC, MetricDef, PHASES, leValue, series as seriesName } from "../../model/catalogue";

/** Named runtime behaviours. */
export const SCENARIOS = ["healthy", "sla-breach", "stalled-lease", "noisy-node"] as const;
/** One of {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];

/** How big the runtime is. */
export interface RuntimeSize {
  /** Nodes (`node_id` values). */
  readonly nodes: number;
  /** Worlds (`world_id` values) per node and interval. */
  readonly worlds: number;
  /** Backfill leases (`lease_key` values), spread over nodes and intervals. */
  readonly leases: number;
  /** Intervals (`interval` values, at most {@link INTERVALS}.length); default 2. */
  readonly intervals?: number;
}

/** The size the end-to-end tests use. */
export const SMALL_RUNTIME: RuntimeSize = { nodes: 3, worlds: 2, leases: 4 };

/** `interval` label values (bar intervals in seconds, as QMTL labels them). */
export const INTERVALS = ["60", "300", "3600"] as const;
/** `flag_type` values of the conformance flag counter. */
export const FLAG_TYPES = ["gap", "duplicate", "late_bar"] as const;
/** `reason` values of the downgrade counters. */
export const DOWNGRADE_REASONS = ["coverage", "deadline"] as const;
/** `subject` values of the schema validation counter. */
export const SCHEMA_SUBJECTS = ["ohlcv", "trades"] as const;
/** `mode` values of the schema validation counter: strict failures stay at 0 (its alert fires on any). */
export const SCHEMA_MODES = ["canary", "strict"] as const;

/** Requests per second per node and phase (node i gets BASE * (1 + (i % 4) / 2)). */
export const BASE_REQUEST_RATE = 2;
/** Conformance flags per second per node when healthy: below the spike alert's floor of 0.05/s. */
export const HEALTHY_FLAG_RATE = 0.01;
/** Conformance flags per second of the noisy node in `noisy-node`. */
export const NOISY_FLAG_RATE = 20;
/** The value the stalled lease is stuck at. */
export const STALLED_RATIO = 0.6;

/** What to run. */
export interface SyntheticOptions {
  readonly scenario: Scenario;
  readonly size?: RuntimeSize;
  /** The SLO deadline the `sla-breach` scenario exceeds (seconds); default 5. */
  readonly deadlineSeconds?: number;
  /** Finite bounds per histogram, when the runtime uses other than the client defaults. */
  readonly buckets?: Readonly<Record<string, readonly number[]>>;
  /** Catalogue metrics to serve; default every metric that is not proposed. */
  readonly metrics?: readonly string[];
  /** Labels a broken runtime leaves out, per metric (series that collapse are served once). */
  readonly dropLabels?: Readonly<Record<string, readonly string[]>>;
  /** A broken runtime: counters named without the `_total` prometheus_client always adds. */
  readonly bareCounterNames?: boolean;
  /** Epoch seconds at t = 0 (for timestamp gauges); default 0. */
  readonly epochSeconds?: number;
  /** Histogram `_sum` series; default true. */
  readonly sums?: boolean;
  /** `noisy-node`: seconds after start at which the node turns noisy (healthy before); default 0. */
  readonly noisySinceSeconds?: number;
}

/** One exposed series: its name, labels and value over time. */
export interface SyntheticSeries {
  /** Series name as exposed (`_bucket`, `_count`, `_sum` for histograms). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Value `t` seconds after the runtime started. */
  readonly at: (t: number) => number;
}

/** One metric family as exposed. */
export interface SyntheticFamily {
  readonly metric: MetricDef;
  /** Family name in `# TYPE`: the catalogue name (with `_total` under `pythonCounterNames`). */
  readonly name: string;
  readonly series: readonly SyntheticSeries[];
}

/** Node ids of a size: node-00, node-01, ... */
export function nodeIds(size: RuntimeSize): string[] {
  const width = Math.max(2, String(size.nodes - 1).length);
  return Array.from({ length: size.nodes }, (_, i) => `node-${String(i).padStart(width, "0")}`);
}

/** World ids of a size. */
export function worldIds(size: RuntimeSize): string[] {
  return Array.from({ length: size.worlds }, (_, i) => `world-${i}`);
}

/** Interval label values of a size. */
export function intervalValues(size: RuntimeSize): string[] {
  return INTERVALS.slice(0, Math.min(INTERVALS.length, size.intervals ?? 2));
}

/** The node whose conformance flags spike in `noisy-node`: the last one, so it is not simply "the first". */
export function noisyNode(size: RuntimeSize): string {
  return nodeIds(size)[size.nodes - 1];
}

/** The lease stuck in `stalled-lease`, with its node and interval. */
export function stalledLease(size: RuntimeSize): { lease_key: string; node_id: string; interval: string } {
  return lease(size, 0);
}

/** Requests per second of node `i`, per phase. */
export function requestRate(i: number): number {
  return BASE_REQUEST_RATE * (1 + (i % 4) / 2);
}

/** A latency distribution: observed values and their integer weights. */
type Distribution = ReadonlyArray<readonly [value: number, weight: number]>;

/** Healthy latencies (seconds): everything at or under 0.75s, so under every budget and deadline. */
const HEALTHY: Distribution = [
  [0.004, 5],
  [0.02, 15],
  [0.06, 20],
  [0.2, 30],
  [0.4, 20],
  [0.7, 10],
];

/**
 * The latency of a request that breaks the deadline: above the bucket that measures the
 * deadline (the smallest bound at or over it), so no interpolation can count it as good.
 */
export function breachLatency(bounds: readonly number[], deadlineSeconds: number): number {
  const at = bounds.findIndex((b) => b >= deadlineSeconds);
  if (at < 0 || at + 1 >= bounds.length) return 2 * bounds[bounds.length - 1];
  return bounds[at + 1];
}

/** Builds the runtime's metric families. */
export function syntheticRuntime(options: SyntheticOptions): SyntheticFamily[] {
  const size = options.size ?? SMALL_RUNTIME;
  const wanted = new Set(options.metrics ?? CATALOGUE.filter((m) => m.status !== "proposed").map((m) => m.name));
  return CATALOGUE.filter((m) => wanted.has(m.name)).map((metric) => {
    // counters are exposed the way prometheus_client names them (<name>_total), as the catalogue's series() says
    const name = options.bareCounterNames || metric.type === "histogram" ? metric.name : seriesName(metric);
    const series = dropLabels(familySeries(metric, name, size, options), options.dropLabels?.[metric.name] ?? []);
    return { metric, name, series };
  });
}

function familySeries(metric: MetricDef, name: string, size: RuntimeSize, o: SyntheticOptions): SyntheticSeries[] {
  const nodes = nodeIds(size);
  const domains = nodes.flatMap((node_id, n) => intervalValues(size).flatMap((interval) => worldIds(size).map((world_id) => ({ n, labels: { node_id, interval, world_id } }))));
  const perDomain = domains.length / nodes.length;
  const bounds = o.buckets?.[metric.name] ?? DEFAULT_HISTOGRAM_BUCKETS;
  const breach = o.scenario === "sla-breach";
  const slow: Distribution = [[breachLatency(o.buckets?.[METRIC.slaDeadline.name] ?? DEFAULT_HISTOGRAM_BUCKETS, o.deadlineSeconds ?? 5), 1]];
  const histogram = (labels: Record<string, string>, rate: number, dist: Distribution, scale = 1) => histogramSeries(name, labels, rate, scaled(dist, scale), bounds, o.sums ?? true);
  const gauge = (labels: Record<string, string>, at: (t: number) => number): SyntheticSeries => ({ name, labels, at });
  const counter = (labels: Record<string, string>, rate: number): SyntheticSeries => ({ name, labels, at: (t) => Math.floor(rate * t) });
  /** A counter whose rate changes from `before` to `after` at `since` seconds. */
  const stepCounter = (labels: Record<string, string>, before: number, after: number, since: number): SyntheticSeries => ({
    name,
    labels,
    at: (t) => Math.floor(before * Math.min(t, since) + after * Math.max(0, t - since)),
  });

  switch (metric.name) {
    case METRIC.slaDeadline.name:
      // total and backfill_wait break the deadline in sla-breach; storage and live stay healthy
      return nodes.flatMap((node_id, n) => PHASES.flatMap((phase) => histogram({ node_id, phase }, requestRate(n), breach && (phase === "total" || phase === "backfill_wait") ? slow : HEALTHY)));
    case METRIC.totalWait.name:
    case METRIC.backfillWait.name:
      return domains.flatMap((d) => histogram(d.labels, requestRate(d.n) / perDomain, breach ? slow : HEALTHY, 1000));
    case METRIC.storageWait.name:
    case METRIC.liveWait.name:
      return domains.flatMap((d) => histogram(d.labels, requestRate(d.n) / perDomain, HEALTHY, 1000));
    case METRIC.coverage.name:
      return domains.map((d, i) => gauge(d.labels, () => 0.99 + 0.005 * (i % 3)));
    case METRIC.liveStaleness.name:
      return domains.map((d, i) => gauge(d.labels, (t) => 1 + ((Math.floor(t) + i) % 5)));
    case METRIC.gateHolds.name:
    case METRIC.partialFills.name: {
      // healthy: the runtime pre-creates the series at 0; sla-breach downgrades for the deadline
      const share = metric.name === METRIC.gateHolds.name ? 0.2 : 0.05;
      return domains.flatMap((d) => DOWNGRADE_REASONS.map((reason) => counter({ ...d.labels, reason }, breach && reason === "deadline" ? (share * requestRate(d.n)) / perDomain : 0)));
    }
    case METRIC.backfillJobs.name: {
      const held = leases(size, o.scenario);
      return [gauge({}, (t) => held.filter((l) => l.at(t) < 1).length)];
    }
    case METRIC.backfillLastTimestamp.name:
      return nodeIntervals(size).map((l, i) => gauge(l, (t) => Math.floor((o.epochSeconds ?? 0) + t) - 30 - ((i * 7) % 60)));
    case METRIC.backfillFailures.name:
      return nodeIntervals(size).map((l) => counter(l, 0.001));
    case METRIC.backfillRetries.name:
      return nodeIntervals(size).map((l) => counter(l, 0.004));
    case METRIC.backfillCompletion.name:
      return leases(size, o.scenario).map((l) => gauge(l.labels, l.at));
    case METRIC.conformanceFlags.name:
      return domains.flatMap((d) => {
        const noisy = o.scenario === "noisy-node" && d.labels.node_id === noisyNode(size);
        const per = perDomain * FLAG_TYPES.length;
        return FLAG_TYPES.map((flag_type) => stepCounter({ ...d.labels, flag_type }, HEALTHY_FLAG_RATE / per, (noisy ? NOISY_FLAG_RATE : HEALTHY_FLAG_RATE) / per, o.noisySinceSeconds ?? 0));
      });
    case METRIC.conformanceWarnings.name:
      return domains.map((d) => counter(d.labels, 0.002));
    case METRIC.schemaFailures.name:
      // strict-mode failures stay at 0 (the strict alert would fire on any); canary ones trickle
      return SCHEMA_SUBJECTS.flatMap((subject) => SCHEMA_MODES.map((mode) => counter({ subject, mode }, mode === "strict" ? 0 : 0.01)));
    case METRIC.backfillStaleClaims.name:
      return nodeIntervals(size).map((l) => counter(l, 0));
    case METRIC.regressionChecks.name:
      return nodes.flatMap((node_id) => ["pass", "fail"].map((outcome) => counter({ node_id, outcome }, outcome === "pass" ? 0.01 : 0)));
    default:
      throw new Error(`the synthetic runtime has no behaviour for ${metric.name}`);
  }
}

function nodeIntervals(size: RuntimeSize): Array<{ node_id: string; interval: string }> {
  return nodeIds(size).flatMap((node_id) => intervalValues(size).map((interval) => ({ node_id, interval })));
}

function lease(size: RuntimeSize, i: number): { lease_key: string; node_id: string; interval: string } {
  const intervals = intervalValues(size);
  return { lease_key: `lease-${i}`, node_id: nodeIds(size)[i % size.nodes], interval: intervals[i % intervals.length] };
}

/** Leases: each progresses from its start to 1 over 10-16 minutes; in `stalled-lease` lease-0 stays put. */
function leases(size: RuntimeSize, scenario: Scenario): Array<{ labels: Record<string, string>; at: (t: number) => number }> {
  return Array.from({ length: size.leases }, (_, i) => {
    const labels = lease(size, i);
    if (scenario === "stalled-lease" && i === 0) return { labels, at: () => STALLED_RATIO };
    const start = 0.05 * (i % 10);
    const seconds = 600 + 60 * (i % 7);
    return { labels, at: (t: number) => Math.min(1, start + t / seconds) };
  });
}

function scaled(dist: Distribution, scale: number): Distribution {
  return scale === 1 ? dist : dist.map(([v, w]) => [v * scale, w] as const);
}

function histogramSeries(name: string, labels: Record<string, string>, rate: number, dist: Distribution, bounds: readonly number[], sums: boolean): SyntheticSeries[] {
  const total = dist.reduce((s, [, w]) => s + w, 0);
  const mean = dist.reduce((s, [v, w]) => s + v * w, 0) / total;
  const count = (t: number) => Math.floor(rate * t);
  const buckets = bounds.map((le): SyntheticSeries => {
    const below = dist.filter(([v]) => v <= le).reduce((s, [, w]) => s + w, 0);
    // the same expression as the count when every observation is below, so le="+Inf" == le=<last> exactly
    const at = below === total ? count : below === 0 ? () => 0 : (t: number) => Math.floor((rate * t * below) / total);
    return { name: `${name}_bucket`, labels: { ...labels, le: leValue(le) }, at };
  });
  return [
    ...buckets,
    { name: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, at: count },
    { name: `${name}_count`, labels, at: count },
    ...(sums ? [{ name: `${name}_sum`, labels, at: (t: number) => count(t) * mean }] : []),
  ];
}

function dropLabels(series: SyntheticSeries[], drop: readonly string[]): SyntheticSeries[] {
  if (drop.length === 0) return series;
  const seen = new Set<string>();
  return series.flatMap((s) => {
    const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => !drop.includes(k)));
    const key = `${s.name}${JSON.stringify(labels)}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ ...s, labels }];
  });
}
