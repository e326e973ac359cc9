/** Conformance Quality: flags (total, rate, by type, by node), warnings, schema failures, regression checks. */
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { METRIC } from "../model/catalogue";
import { selector, sumRate } from "../model/promql";
import { DashboardContext, FilterLabel, PanelBuilder, filters, finishDashboard, gate, instantQuery, layout, query, thresholds } from "./common";
import { PANEL } from "./ids";

const LABELS: readonly FilterLabel[] = ["node_id", "world_id", "interval"];
const ID = PANEL.conformanceQuality;

/** The dashboard as Grafana JSON. */
export function conformanceQuality(ctx: DashboardContext): Record<string, unknown> {
  const panels = layout([
    [[flagTotal(ctx), 6, 8], [flagRate(ctx), 18, 8]],
    [[flagsByType(ctx), 12, 8], [flagsByNode(ctx), 12, 8]],
    [[warnings(ctx), 8, 8], [schemaFailures(ctx), 8, 8], [regressionChecks(ctx), 8, 8]],
  ]);
  return finishDashboard(ctx, "conformanceQuality", "Conformance flags, warnings, schema validation failures and regression report checks.", LABELS, panels);
}

const flags = () => selector(METRIC.conformanceFlags.name, filters(METRIC.conformanceFlags, LABELS));

function flagTotal(ctx: DashboardContext): PanelBuilder {
  const panel = new stat.PanelBuilder().id(ID.flagTotal).title("Flags in range").unit("short").thresholds(thresholds("green")).withTarget(instantQuery(sumRate(flags(), "$__range", [], "increase"), "flags"));
  return gate(panel, ctx, `Conformance flags raised over the selected time range (${METRIC.conformanceFlags.name}). Only emitted when the caller supplies a ConformancePipeline. Bad: a jump compared with the previous range.`, [METRIC.conformanceFlags]);
}

function flagRate(ctx: DashboardContext): PanelBuilder {
  const panel = new timeseries.PanelBuilder().id(ID.flagRate).title("Flag rate").unit("ops").min(0).withTarget(query(sumRate(flags(), "$__rate_interval"), "flags/s"));
  return gate(panel, ctx, "Conformance flags per second. Bad: a step up that does not come back down.", [METRIC.conformanceFlags]);
}

function flagsByType(ctx: DashboardContext): PanelBuilder {
  const panel = new timeseries.PanelBuilder().id(ID.flagsByType).title("Flags by flag_type").unit("ops").min(0).withTarget(query(sumRate(flags(), "$__rate_interval", ["flag_type"]), "{{flag_type}}"));
  return gate(panel, ctx, "Conformance flags per second by flag_type. Bad: one type dominating.", [METRIC.conformanceFlags]);
}

function flagsByNode(ctx: DashboardContext): PanelBuilder {
  const panel = new timeseries.PanelBuilder().id(ID.flagsByNode).title("Flags by node").unit("ops").min(0).withTarget(query(sumRate(flags(), "$__rate_interval", ["node_id"]), "{{node_id}}"));
  return gate(panel, ctx, "Conformance flags per second by node. Bad: one node far above the others (the spike alert compares each node with its own baseline).", [METRIC.conformanceFlags]);
}

function warnings(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.conformanceWarnings;
  const panel = new timeseries.PanelBuilder().id(ID.warnings).title("Conformance warnings").unit("ops").min(0).withTarget(query(sumRate(selector(m.name, filters(m, LABELS)), "$__rate_interval", ["node_id"]), "{{node_id}}"));
  return gate(panel, ctx, `${m.name} per second by node. Bad: a sustained rate.`, [m]);
}

function schemaFailures(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.schemaFailures;
  const panel = new timeseries.PanelBuilder()
    .id(ID.schemaFailures)
    .title("Schema validation failures")
    .unit("short")
    .min(0)
    .thresholds(thresholds("green", [1, "red"]))
    .withTarget(query(sumRate(m.name, "$__rate_interval", ["subject", "mode"], "increase"), "{{subject}} ({{mode}})"));
  return gate(panel, ctx, `Schema validation failures by subject and validation mode (${m.name}; no node/world labels, filters do not apply). Bad: any in strict mode.`, [m]);
}

function regressionChecks(ctx: DashboardContext): PanelBuilder {
  const m = METRIC.regressionChecks;
  const panel = new timeseries.PanelBuilder()
    .id(ID.regressionChecks)
    .title("Regression report checks")
    .unit("short")
    .min(0)
    .withTarget(query(sumRate(selector(m.name, filters(m, LABELS)), "$__rate_interval", ["outcome"], "increase"), "{{outcome}}"));
  return gate(panel, ctx, "Outcome of regression report checks (pass/fail). Bad: any fail.", [m]);
}
