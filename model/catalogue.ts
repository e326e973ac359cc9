/**
 * The Seamless metrics catalogue: every metric the stack reads, with its type, labels,
 * histogram buckets and rollout status. Facts come from QMTL's runtime
 * (`../shared/qmtl/metrics.yaml`); dashboards, rules and gates read names from here only.
 */

/** `emitted`: exported today; `planned`: named by the runbook, not exported yet;
 * `proposed`: no such metric exists, the name is a proposal for the runtime team. */
export type MetricStatus = "emitted" | "planned" | "proposed";
export type MetricType = "counter" | "gauge" | "histogram";

/** One catalogue entry. */
export interface MetricDef {
  /** Metric family name as exported (histograms without `_bucket`/`_count`/`_sum`). */
  readonly name: string;
  readonly type: MetricType;
  /** Unit of the observed value (`seconds`, `milliseconds`, `ratio`, `timestamp`, `1`). */
  readonly unit: string;
  /** Label names the runtime attaches (without `le`). */
  readonly labels: readonly string[];
  readonly status: MetricStatus;
  readonly help: string;
}

/** prometheus_client's default histogram bounds: QMTL creates every histogram with these. */
export const DEFAULT_HISTOGRAM_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

const SLA_DOMAIN = ["node_id", "interval", "world_id"] as const;

function def(name: string, type: MetricType, unit: string, labels: readonly string[], status: MetricStatus, help: string): MetricDef {
  return { name, type, unit, labels, status, help };
}

/** Catalogue entries by role; code refers to `METRIC.x.name`, never to a literal. */
export const METRIC = {
  slaDeadline: def("seamless_sla_deadline_seconds", "histogram", "seconds", ["node_id", "phase"], "planned", "Observed SLA phase durations for Seamless data requests."),
  storageWait: def("seamless_storage_wait_ms", "histogram", "milliseconds", SLA_DOMAIN, "planned", "Time spent waiting on storage, per domain."),
  backfillWait: def("seamless_backfill_wait_ms", "histogram", "milliseconds", SLA_DOMAIN, "planned", "Time spent waiting on backfill, per domain."),
  liveWait: def("seamless_live_wait_ms", "histogram", "milliseconds", SLA_DOMAIN, "planned", "Time spent waiting on live data, per domain."),
  totalWait: def("seamless_total_ms", "histogram", "milliseconds", SLA_DOMAIN, "planned", "Total end-to-end request latency per domain (world_id, node_id)."),
  coverage: def("coverage_ratio", "gauge", "ratio", SLA_DOMAIN, "planned", "Bars delivered / bars requested."),
  liveStaleness: def("live_staleness_seconds", "gauge", "seconds", SLA_DOMAIN, "planned", "Age of the newest live bar."),
  gateHolds: def("domain_gate_holds", "counter", "1", [...SLA_DOMAIN, "reason"], "planned", "Responses downgraded to HOLD by the SLA policy."),
  partialFills: def("partial_fill_returns", "counter", "1", [...SLA_DOMAIN, "reason"], "planned", "Responses downgraded to PARTIAL_FILL by the SLA policy."),
  backfillJobs: def("backfill_jobs_in_progress", "gauge", "1", [], "emitted", "Number of active backfill jobs (leases held)."),
  backfillLastTimestamp: def("backfill_last_timestamp", "gauge", "timestamp", ["node_id", "interval"], "emitted", "Latest timestamp (epoch seconds) successfully backfilled."),
  backfillFailures: def("backfill_failure_total", "counter", "1", ["node_id", "interval"], "emitted", "Backfill failures."),
  backfillRetries: def("backfill_retry_total", "counter", "1", ["node_id", "interval"], "emitted", "Backfill retries."),
  backfillCompletion: def("backfill_completion_ratio", "gauge", "ratio", ["node_id", "interval", "lease_key"], "planned", "Per-lease completion (0..1) reported by the distributed coordinator."),
  backfillStaleClaims: def("backfill_stale_claims_total", "counter", "1", ["node_id", "interval"], "proposed", "Leases reclaimed because their claim expired (proposed; derived from backfill_completion_ratio until it exists)."),
  conformanceFlags: def("seamless_conformance_flag_total", "counter", "1", [...SLA_DOMAIN, "flag_type"], "emitted", "Conformance flags from normalisation (only when a ConformancePipeline is supplied)."),
  conformanceWarnings: def("seamless_conformance_warning_total", "counter", "1", SLA_DOMAIN, "planned", "Conformance warnings from normalisation."),
  schemaFailures: def("seamless_schema_validation_failures_total", "counter", "1", ["subject", "mode"], "planned", "Strict schema violations in the schema registry governance layer."),
  regressionChecks: def("seamless_regression_report_checks_total", "counter", "1", ["node_id", "outcome"], "proposed", "Outcome of regression report checks (outcome = pass|fail)."),
} as const satisfies Record<string, MetricDef>;

/** Every catalogue entry, in catalogue order. */
export const CATALOGUE: readonly MetricDef[] = Object.values(METRIC);

/** SLA phases of `seamless_sla_deadline_seconds`. */
export const PHASES = ["storage_wait", "backfill_wait", "live_wait", "total"] as const;
export type Phase = (typeof PHASES)[number];

/** Looks a metric up by name; undefined when the catalogue has no such metric. */
export function findMetric(name: string): MetricDef | undefined {
  return CATALOGUE.find((m) => m.name === name);
}

/** Names of the metrics QMTL emits today: the default of `seamless:metrics.emitted`. */
export function defaultEmitted(): string[] {
  return CATALOGUE.filter((m) => m.status === "emitted").map((m) => m.name);
}

/**
 * The series a query reads for a metric. Histograms expose `_bucket`, `_count`, `_sum`;
 * prometheus_client exposes every counter with a `_total` suffix (`domain_gate_holds` is
 * scraped as `domain_gate_holds_total`).
 */
export function series(metric: MetricDef, suffix?: "bucket" | "count" | "sum"): string {
  if (metric.type === "histogram") {
    if (!suffix) throw new Error(`histogram ${metric.name} needs a series suffix`);
    return `${metric.name}_${suffix}`;
  }
  if (metric.type === "counter" && !metric.name.endsWith("_total")) return `${metric.name}_total`;
  return metric.name;
}

/** The series to test for presence (`absent()`), one per metric. */
export function presenceSeries(metric: MetricDef): string {
  return metric.type === "histogram" ? series(metric, "count") : series(metric);
}

/**
 * Whether the runtime exports the metric from start-up. prometheus_client exports a metric
 * without labels at registration, but a labelled series only after its first use, so the
 * absence of a labelled metric says nothing about broken instrumentation.
 */
export function exportedFromStart(metric: MetricDef): boolean {
  return metric.labels.length === 0;
}

/**
 * The `le` label value a bound has on the wire. QMTL's Python client prints floats the
 * Python way (`1.0`, `2.5`, `0.005`), and Prometheus 3 normalises classic histogram `le`
 * values to the same form, so `le="1.0"`, never `le="1"`.
 */
export function leValue(bound: number): string {
  if (!Number.isFinite(bound)) return "+Inf";
  // prometheus_client's floatToGoString: Python's repr, with Go's exponent form from 7 integer digits on
  const repr = pythonRepr(bound);
  const dot = repr.indexOf(".");
  if (bound > 0 && dot > 6) {
    const mantissa = `${repr[0]}.${repr.slice(1, dot)}${repr.slice(dot + 1)}`.replace(/[0.]+$/, "");
    return `${mantissa}e+0${dot - 1}`;
  }
  return repr;
}

/** Python's repr() of a float: shortest digits, fixed notation for exponents -4 to 15, else `1e-05`. */
function pythonRepr(value: number): string {
  const [digits, exp] = value.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const mantissa = digits.replace(/\.?0+$/, "");
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const fixed = value.toFixed(Math.max(0, (digits.split(".")[1]?.length ?? 0) - e));
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}
