/** The stack the end-to-end tests and the query benchmark run: every metric that exists is emitted. */
import { CATALOGUE } from "../../model/catalogue";
import { StackModel, buildModel } from "../../model/model";
import { rawFromEntries } from "../../model/stackfile";

/** Environment name of the end-to-end stack. */
export const E2E_ENVIRONMENT = "e2e";

/** Deadline of the end-to-end stack: 4s, between the 2.5 and 5.0 buckets (interpolated, as in staging). */
export const E2E_DEADLINE_SECONDS = 4;

/** Names of every catalogue metric that is not proposed. */
export function allEmittable(): string[] {
  return CATALOGUE.filter((m) => m.status !== "proposed").map((m) => m.name);
}

/**
 * A staging-like stack with every non-proposed metric emitted, so no alert is gated and every
 * panel but the proposed ones is live. The stale-lease window is 10s (default 30m) so a
 * stalled lease shows within a test; `values` (`seamless:<key>` entries) replace keys whole.
 */
export function e2eStack(values: Record<string, unknown> = {}): StackModel {
  return buildModel(
    rawFromEntries(
      "Pulumi.e2e.yaml",
      Object.entries({
        "seamless:environment": E2E_ENVIRONMENT,
        "seamless:slo": { objective: 0.99, window: "30d", deadlineSeconds: E2E_DEADLINE_SECONDS },
        // the test Prometheus scrapes every second (test/e2e/prometheus.ts), so windows of seconds are sound
        "seamless:metrics": { emitted: allEmittable(), scrapeInterval: "1s" },
        "seamless:alerts": { staleLeaseWindow: "10s" },
        ...values,
      }),
    ),
  );
}
