/**
 * Identity of the three dashboards and their panels: slugs, titles, uids and panel ids.
 * Rules link to panels through these ids, so they live apart from the panel builders.
 */
import { grafanaUid } from "../model/names";

/** The runbook's three dashboards. */
export const DASHBOARDS = {
  slaOverview: { slug: "sla-overview", title: "Seamless SLA Overview" },
  backfillHealth: { slug: "backfill-health", title: "Backfill Coordinator Health" },
  conformanceQuality: { slug: "conformance-quality", title: "Conformance Quality" },
} as const;
export type DashboardKey = keyof typeof DASHBOARDS;
export const DASHBOARD_KEYS = Object.keys(DASHBOARDS) as DashboardKey[];

/** Fixed panel ids: alerts link to them with `__panelId__`. */
export const PANEL = {
  slaOverview: {
    errorBudget: 1,
    burnRate: 2,
    deadlineHeatmap: 3,
    phaseQuantiles: 4,
    phaseBudget: 5,
    latencyByWorld: 6,
    latencyByNode: 7,
    downgrades: 8,
    coverage: 9,
    liveStaleness: 10,
    phaseWaitByWorld: 11,
  },
  backfillHealth: {
    leasesNow: 1,
    leasesOverTime: 2,
    completionPerLease: 3,
    staleClaims: 4,
    failuresRetries: 5,
    lag: 6,
  },
  conformanceQuality: {
    flagTotal: 1,
    flagRate: 2,
    flagsByType: 3,
    flagsByNode: 4,
    warnings: 5,
    schemaFailures: 6,
    regressionChecks: 7,
  },
} as const satisfies Record<DashboardKey, Record<string, number>>;

/** Stable uid of a dashboard in an environment (at most 40 characters). */
export function dashboardUid(environment: string, key: DashboardKey): string {
  return grafanaUid("seamless", environment, DASHBOARDS[key].slug);
}
