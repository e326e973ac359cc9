/**
 * Bucket awareness: a latency threshold can only be measured at a histogram's `le`
 * bounds. A threshold on a bound is exact; between two bounds it is estimated by linear
 * interpolation (or refused when the stack asks for exact bounds); above the largest
 * finite bound it cannot be measured at all and is always refused.
 */
import { DEFAULT_HISTOGRAM_BUCKETS, MetricDef, leValue } from "./catalogue";

/** How a threshold maps onto bucket bounds. */
export type BoundChoice =
  | { readonly kind: "exact"; readonly le: number }
  /** good(t) ≈ (1 - weight)·count(le=lower) + weight·count(le=upper); lower 0 means below the first bound. */
  | { readonly kind: "interpolated"; readonly lower: number; readonly upper: number; readonly weight: number };

/** Why a threshold cannot be used, in words that name the metric and the bounds around it. */
export interface BoundRefusal {
  readonly kind: "refused";
  readonly reason: string;
  readonly fix: string;
}

/** How a value is shown in messages: the config key's unit, not the histogram's. */
export interface Display {
  readonly scale: number;
  readonly unit: string;
}

/** Finite bounds of a histogram in a stack: the stack's declared bounds or the client defaults. */
export function boundsOf(metric: MetricDef, declared: Readonly<Record<string, readonly number[]>>): readonly number[] {
  return declared[metric.name] ?? DEFAULT_HISTOGRAM_BUCKETS;
}

/** Chooses the bound(s) that measure `threshold` (in the histogram's unit). */
export function chooseBound(metric: MetricDef, bounds: readonly number[], threshold: number, exactOnly: boolean, display: Display = { scale: 1, unit: metric.unit }): BoundChoice | BoundRefusal {
  const largest = bounds[bounds.length - 1];
  const shown = (v: number) => `${round(v * display.scale)}`;
  if (threshold > largest) {
    return {
      kind: "refused",
      reason: `${shown(threshold)} ${display.unit} is above the largest finite bucket of ${metric.name} (le="${leValue(largest)}", next is +Inf): every slower request lands in +Inf, so this can never be measured`,
      fix: `lower the value to at most ${shown(largest)}, or declare the runtime's real bounds in seamless:metrics.buckets.${metric.name} once it exports larger buckets`,
    };
  }
  if (bounds.includes(threshold)) return { kind: "exact", le: threshold };
  const upperIndex = bounds.findIndex((b) => b > threshold);
  const lower = upperIndex === 0 ? 0 : bounds[upperIndex - 1];
  const upper = bounds[upperIndex];
  if (exactOnly) {
    return {
      kind: "refused",
      reason: `${shown(threshold)} ${display.unit} falls between the buckets le="${leValue(lower)}" and le="${leValue(upper)}" of ${metric.name} and seamless:slo.exactBuckets is on`,
      fix: `use ${lower > 0 ? `${shown(lower)} or ` : ""}${shown(upper)}, or turn seamless:slo.exactBuckets off to accept an interpolated estimate`,
    };
  }
  return { kind: "interpolated", lower, upper, weight: round((threshold - lower) / (upper - lower)) };
}

/** Human words for a choice, for descriptions: "exact at le=5.0" or "estimated between le=2.5 and le=5.0". */
export function describeBound(choice: BoundChoice): string {
  return choice.kind === "exact"
    ? `counted exactly at the bucket le="${leValue(choice.le)}"`
    : choice.lower === 0
      ? `estimated by linear interpolation between 0 and the first bucket le="${leValue(choice.upper)}"`
      : `estimated by linear interpolation between the buckets le="${leValue(choice.lower)}" and le="${leValue(choice.upper)}"`;
}

/** Rounds to 6 significant digits so output stays stable and readable. */
export function round(value: number): number {
  return Number(value.toPrecision(6));
}
