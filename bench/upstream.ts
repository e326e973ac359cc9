/**
 * QMTL's upstream alert rules (../shared/qmtl/upstream.md), written from their documented
 * behaviour for side-by-side measurement only; they are never deployed.
 */
import { PrometheusRuleGroup } from "../model/prometheus";

/** Upstream rules as a Prometheus rule file. */
export function upstreamRules(): { groups: PrometheusRuleGroup[] } {
  return {
    groups: [
      {
        name: "upstream",
        interval: "1m",
        rules: [
          {
            alert: "SeamlessSla99thDegraded",
            expr: 'histogram_quantile(0.99, sum by (le) (rate(seamless_sla_deadline_seconds_bucket{phase="total"}[5m]))) > 240',
            for: "5m",
            labels: { severity: "warning" },
            annotations: {},
          },
          { alert: "SeamlessBackfillStuckLease", expr: "min_over_time(backfill_completion_ratio[10m]) < 0.5", for: "10m", labels: { severity: "critical" }, annotations: {} },
          { alert: "SeamlessConformanceFlagSpike", expr: "sum(increase(seamless_conformance_flag_total[15m])) > 50", for: "15m", labels: { severity: "warning" }, annotations: {} },
        ],
      },
    ],
  };
}
