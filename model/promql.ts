/**
 * PromQL building blocks shared by the rules and the dashboards, so both read the same
 * series the same way.
 */
import { MetricDef, leValue, series } from "./catalogue";
import { BoundChoice } from "./buckets";

/** A label matcher: `{ phase: "total" }` or `{ node_id: { re: "$node_id" } }`. */
export type Matchers = Readonly<Record<string, string | { readonly re: string }>>;

/** `name{a="b",c=~"d"}` with matchers in the given order. */
export function selector(name: string, matchers: Matchers = {}): string {
  const parts = Object.entries(matchers).map(([k, v]) => (typeof v === "string" ? `${k}="${v}"` : `${k}=~"${v.re}"`));
  return parts.length ? `${name}{${parts.join(",")}}` : name;
}

/** `sum by (labels) (rate(series[window]))`; `by ()` is left out when no labels are given. */
export function sumRate(seriesSelector: string, window: string, by: readonly string[] = [], fn = "rate"): string {
  return `${sumBy(by)}(${fn}(${seriesSelector}[${window}]))`;
}

/** `sum by (a, b) ` or `sum` (an aggregation prefix, followed by its parenthesised argument). */
export function sumBy(by: readonly string[], agg = "sum"): string {
  return by.length ? `${agg} by (${by.join(", ")}) ` : agg;
}

/**
 * Rate of requests at or under a threshold, from the bucket(s) the threshold maps to.
 * Interpolated: (1 - w)·rate(le=lower) + w·rate(le=upper); below the first bound, w·rate(le=upper).
 */
export function goodRate(metric: MetricDef, matchers: Matchers, choice: BoundChoice, window: string, by: readonly string[] = []): string {
  return weightedBuckets(choice, (le) => sumRate(selector(series(metric, "bucket"), { ...matchers, le: leValue(le) }), window, by));
}

/** The bucket(s) a choice reads, weighted: `bucket(le)` renders the rate at one bound. */
export function weightedBuckets(choice: BoundChoice, bucket: (le: number) => string): string {
  if (choice.kind === "exact") return bucket(choice.le);
  const upper = `${num(choice.weight)} * ${bucket(choice.upper)}`;
  if (choice.lower === 0) return `(${upper})`;
  return `(${num(1 - choice.weight)} * ${bucket(choice.lower)} + ${upper})`;
}

/** Rate of all requests of a histogram. */
export function totalRate(metric: MetricDef, matchers: Matchers, window: string, by: readonly string[] = []): string {
  return sumRate(selector(series(metric, "count"), matchers), window, by);
}

/** Fraction of requests over a threshold: 1 - good / total. */
export function badRatio(metric: MetricDef, matchers: Matchers, choice: BoundChoice, window: string, by: readonly string[] = []): string {
  return `1 - (${goodRate(metric, matchers, choice, window, by)} / ${totalRate(metric, matchers, window, by)})`;
}

/**
 * A number as PromQL text without float noise (0.144, not 0.14400000000000013): 12 significant
 * digits, so every threshold a stack file can state (0.9999999, 1234567) is written as stated.
 */
export function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}
