/** Backfill Coordinator Health: leases held, completion per lease, stale claims, failures and retries, lag. */
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { METRIC } from "../model/catalogue";
import { selector, sumRate } from "../model/promql";
import { DashboardContext, FilterLabel, PanelBuilder, filters, finishDashboard, gate, instantQuery, layout, query, thresholds } from "./common";
import { PANEL } from "./ids";

const LABELS: readonly FilterLabel[] = ["node_id", "interval"];
const ID = PANEL.backfillHealth;

/** The dashboard as Grafana JSON. */
export function backfillHealth(ctx: DashboardContext): Record<string, unknown> {
  const panels = layout([
    [[leasesNow(ctx), 6, 8], [leasesOverTime(ctx), 18, 8]],
    [[completionPerLease(ctx), 12, 9], [staleClaims(ctx), 12, 9]],
    [[failuresRetries(ctx), 12, 8], [lag(ctx), 12, 8]],
  ]);
  return finishDashboard(ctx, "backfillHealth", "Backfill coordinator: leases, completion, stale claims, failures, retries and lag.", LABELS, panels);
}

/**
 * Leases below `below` completion whose ratio has not moved for `window` and that are at
 * least `window` old: the honest stale-claim signal until backfill_stale_claims_total exists.
 */
export function staleLeaseSelector(window: string, matchers = {}): string {
  const ratio = selector(METRIC.backfillCompletion.name, matchers);
  const lease = METRIC.backfillCompletion.labels.join(", ");
  return `(${ratio} < 1) and on (${lease}) (changes(${ratio}[${window}]) == 0) and on (${lease}) (${ratio} offset ${window})`;
}

function leasesNow(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.backfillJobs;
  const panel = new stat.PanelBuilder().id(ID.leasesNow).title("Leases held now").unit("short").thresholds(thresholds("green")).withTarget(instantQuery(`sum(${m.name})`, "leases"));
  return gate(panel, ctx, `Active backfill jobs (leases held) right now, from ${m.name}. Bad: zero while backfills are queued, or a count that only grows. This gauge has no node label, so the filters do not apply.`, [m]);
}

function leasesOverTime(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.backfillJobs;
  const panel = new timeseries.PanelBuilder().id(ID.leasesOverTime).title("Leases held over time").unit("short").min(0).withTarget(query(`sum(${m.name})`, "leases"));
  return gate(panel, ctx, "Leases held over the selected time range. Bad: a plateau that never drains.", [m]);
}

function completionPerLease(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.backfillCompletion;
  const panel = new timeseries.PanelBuilder()
    .id(ID.completionPerLease)
    .title("Completion per lease")
    .unit("percentunit")
    .min(0)
    .max(1)
    .withTarget(query(`max by (lease_key, node_id, interval) (${selector(m.name, filters(m, LABELS))})`, "{{lease_key}} ({{node_id}} {{interval}})"));
  return gate(panel, ctx, `${m.name} per lease. Bad: a flat line below 100%.`, [m]);
}

function staleClaims(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.backfillCompletion;
  const window = ctx.config.alerts.staleLeaseWindow;
  const panel = new timeseries.PanelBuilder()
    .id(ID.staleClaims)
    .title(`Stale claims (no progress for ${window})`)
    .unit("short")
    .min(0)
    .thresholds(thresholds("green", [1, "red"]))
    .withTarget(query(`count by (node_id, interval) (${staleLeaseSelector(window, filters(m, LABELS))})`, "{{node_id}} {{interval}}"));
  return gate(
    panel,
    ctx,
    `Leases below 100% whose ${m.name} has not changed for ${window} (and that are older than that), per node and interval. Derived from ${m.name} until the runtime emits ${METRIC.backfillStaleClaims.name}. Bad: any.`,
    [m],
  );
}

function failuresRetries(ctx: DashboardContext): PanelBuilder {
  const f = METRIC.backfillFailures;
  const r = METRIC.backfillRetries;
  const panel = new timeseries.PanelBuilder()
    .id(ID.failuresRetries)
    .title("Failures and retries per node")
    .unit("ops")
    .min(0)
    .withTarget(query(sumRate(selector(f.name, filters(f, LABELS)), "$__rate_interval", ["node_id"]), "failures {{node_id}}", "A"))
    .withTarget(query(sumRate(selector(r.name, filters(r, LABELS)), "$__rate_interval", ["node_id"]), "retries {{node_id}}", "B"));
  return gate(panel, ctx, "Backfill failures and retries per second, per node. Bad: failures that persist, or retries rising on one node.", [f, r]);
}

function lag(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.backfillLastTimestamp;
  const panel = new timeseries.PanelBuilder()
    .id(ID.lag)
    .title("Backfill lag per node and interval")
    .unit("s")
    .min(0)
    .withTarget(query(`time() - max by (node_id, interval) (${selector(m.name, filters(m, LABELS))})`, "{{node_id}} {{interval}}"));
  return gate(panel, ctx, `Now minus ${m.name}: how far behind the newest backfilled bar is. Bad: growing without bound.`, [m]);
}
