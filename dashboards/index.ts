/** The three dashboards of the runbook, built for one stack. */
import { DashboardContext } from "./common";
import { DASHBOARDS, DashboardKey } from "./ids";
import { slaOverview } from "./slaOverview";
import { backfillHealth } from "./backfillHealth";
import { conformanceQuality } from "./conformanceQuality";

const BUILDERS: Record<DashboardKey, (ctx: DashboardContext) => Record<string, unknown>> = { slaOverview, backfillHealth, conformanceQuality };

/** One dashboard of a stack. */
export interface DashboardSpec {
  readonly key: DashboardKey;
  readonly slug: string;
  readonly uid: string;
  readonly title: string;
  /** Grafana dashboard JSON (no id/version); serialise with sorted keys. */
  readonly json: Record<string, unknown>;
}

/** Builds every dashboard of a stack. */
export function buildDashboards(ctx: DashboardContext): DashboardSpec[] {
  return (Object.keys(BUILDERS) as DashboardKey[]).map((key) => ({ key, slug: DASHBOARDS[key].slug, uid: ctx.uids[key], title: DASHBOARDS[key].title, json: BUILDERS[key](ctx) }));
}

export type { DashboardContext } from "./common";
