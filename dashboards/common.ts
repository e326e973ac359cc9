/**
 * Panel and query defaults shared by the three dashboards: the datasource variable,
 * label filters, gating of panels whose metrics are not emitted, thresholds, layout.
 */
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as common from "@grafana/grafana-foundation-sdk/common";
import { CATALOGUE, MetricDef, presenceSeries } from "../model/catalogue";
import { Matchers } from "../model/promql";
import { StackConfig } from "../model/config";
import { BoundChoice } from "../model/buckets";
import { Phase } from "../model/catalogue";
import { DASHBOARDS, DashboardKey } from "./ids";

/** What every dashboard builder reads: the stack config and the model's decisions. */
export interface DashboardContext {
  readonly environment: string;
  readonly config: StackConfig;
  readonly emitted: ReadonlySet<string>;
  /** Recording rules are deployed (PrometheusRule on): SLO panels read them. */
  readonly recorded: boolean;
  readonly deadline: BoundChoice;
  readonly budgets: ReadonlyMap<Phase, BoundChoice>;
  readonly uids: Readonly<Record<DashboardKey, string>>;
}

/** A panel builder of any visualisation. */
export type Panel = dashboard.Panel;
export type PanelBuilder = { build(): Panel; gridPos(g: dashboard.GridPos): unknown; datasource(ref: common.DataSourceRef): unknown; noValue(t: string): unknown; description(t: string): unknown; title(t: string): unknown };

/** Every query goes through the dashboard's datasource variable. */
export const DATASOURCE: common.DataSourceRef = { type: "prometheus", uid: "${datasource}" };

/** Dashboard variables that filter by a metric label. */
export const FILTER_LABELS = ["node_id", "world_id", "interval", "phase"] as const;
export type FilterLabel = (typeof FILTER_LABELS)[number];

/** A range query with a legend. */
export function query(expr: string, legend: string, refId = "A"): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).range().datasource(DATASOURCE);
}

/** An instant query (stat and gauge panels). */
export function instantQuery(expr: string, legend: string, refId = "A"): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).instant().datasource(DATASOURCE);
}

/** Matchers for the dashboard's filter variables that this metric carries. */
export function filters(metric: MetricDef, labels: readonly FilterLabel[], fixed: Matchers = {}): Matchers {
  const vars = Object.fromEntries(labels.filter((l) => metric.labels.includes(l) && !(l in fixed)).map((l) => [l, { re: `$${l}` }]));
  return { ...fixed, ...vars };
}

/**
 * Marks a panel whose metrics are not emitted in this environment: it says so instead of
 * staying silently empty, and for a proposed signal names the metric the runtime must add.
 */
export function gate<T extends PanelBuilder>(panel: T, ctx: DashboardContext, description: string, metrics: readonly MetricDef[]): T {
  const missing = metrics.filter((m) => !ctx.emitted.has(m.name));
  if (missing.length === 0) {
    panel.description(description);
    return panel;
  }
  const proposed = missing.filter((m) => m.status === "proposed");
  const note = proposed.length
    ? `Not emitted yet: the runtime must add ${proposed.map((m) => m.name).join(", ")} (proposed).`
    : `Not emitted in ${ctx.environment} yet: ${missing.map((m) => m.name).join(", ")}.`;
  panel.description(`${note} ${description}`);
  panel.noValue(note);
  return panel;
}

/** Threshold steps; the first step is the explicit base (value null). */
export function thresholds(base: string, ...steps: Array<[number, string]>): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    // Grafana's base step has value null; the SDK's generated type says number
    .steps([{ value: null as unknown as number, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** Lays out rows of [panel, width, height] on Grafana's 24-column grid, top to bottom. */
export function layout(rows: ReadonlyArray<ReadonlyArray<readonly [PanelBuilder, number, number]>>): PanelBuilder[] {
  let y = 0;
  const placed: PanelBuilder[] = [];
  for (const row of rows) {
    let x = 0;
    let height = 0;
    for (const [panel, w, h] of row) {
      if (x + w > 24) throw new Error(`dashboard row is wider than 24 columns`);
      panel.gridPos({ x, y, w, h });
      placed.push(panel);
      x += w;
      height = Math.max(height, h);
    }
    y += height;
  }
  return placed;
}

/**
 * Datasource variable (Prometheus only) plus multi-select label filters with All. Each filter
 * lists the values of its label on the dashboard's own metrics only, so a Prometheus shared
 * with other jobs that also use `node_id` or `interval` adds nothing to the list.
 */
export function variables(
  ctx: DashboardContext,
  labels: readonly FilterLabel[],
  metrics: readonly MetricDef[],
  allValues: Partial<Record<FilterLabel, string>> = {},
): Array<dashboard.DatasourceVariableBuilder | dashboard.QueryVariableBuilder> {
  const ds = new dashboard.DatasourceVariableBuilder("datasource")
    .label("Data source")
    .type("prometheus")
    .current({ selected: true, text: ctx.config.grafana.datasourceUid, value: ctx.config.grafana.datasourceUid });
  return [
    ds,
    ...labels.map((label) =>
      new dashboard.QueryVariableBuilder(label)
        .label(label)
        .datasource(DATASOURCE)
        .query(labelValues(label, metrics))
        .definition(labelValues(label, metrics))
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(allValues[label] ?? ".*")
        .current({ selected: true, text: ["All"], value: ["$__all"] }),
    ),
  ];
}

/** Links to the other two dashboards (keeping time range and variables) and to the runbook. */
export function links(ctx: DashboardContext, self: DashboardKey): dashboard.DashboardLinkBuilder[] {
  const others = (Object.keys(DASHBOARDS) as DashboardKey[]).filter((k) => k !== self);
  return [
    ...others.map((k) =>
      new dashboard.DashboardLinkBuilder(DASHBOARDS[k].title).type(dashboard.DashboardLinkType.Link).url(`/d/${ctx.uids[k]}`).icon("dashboard").keepTime(true).includeVars(true).targetBlank(false).asDropdown(false).tags([]).tooltip(""),
    ),
    new dashboard.DashboardLinkBuilder("Runbook").type(dashboard.DashboardLinkType.Link).url(ctx.config.alerts.runbookBaseUrl).icon("doc").keepTime(false).includeVars(false).targetBlank(true).asDropdown(false).tags([]).tooltip("Seamless SLA runbook"),
  ];
}

/** Builds a dashboard with the project's defaults; returns plain JSON without id/version. */
export function finishDashboard(
  ctx: DashboardContext,
  key: DashboardKey,
  description: string,
  labels: readonly FilterLabel[],
  panels: PanelBuilder[],
  allValues: Partial<Record<FilterLabel, string>> = {},
): Record<string, unknown> {
  const builder = new dashboard.DashboardBuilder(DASHBOARDS[key].title)
    .uid(ctx.uids[key])
    .description(description)
    .tags(["seamless", "qmtl", ctx.environment])
    .timezone("utc")
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .links(links(ctx, key));
  // the panel's datasource too: Grafana sends every query of a non-mixed panel to the panel's datasource
  for (const panel of panels) {
    panel.datasource(DATASOURCE);
    builder.withPanel(panel);
  }
  builder.variables(variables(ctx, labels, metricsRead(panels), allValues));
  const { id: _id, version: _version, ...json } = builder.build() as unknown as Record<string, unknown>;
  return json;
}

/** `label_values` of a filter label over the series of the metrics that carry it. */
export function labelValues(label: FilterLabel, metrics: readonly MetricDef[]): string {
  const names = metrics.filter((m) => m.labels.includes(label)).map(presenceSeries);
  return names.length ? `label_values({__name__=~"${[...new Set(names)].sort().join("|")}"}, ${label})` : `label_values(${label})`;
}

/** Catalogue metrics whose series the panels' queries read, in catalogue order. */
function metricsRead(panels: readonly PanelBuilder[]): MetricDef[] {
  const exprs = panels.flatMap((p) => (p.build().targets ?? []).map((t) => (t as { expr?: string }).expr ?? ""));
  return CATALOGUE.filter((m) => {
    const name = new RegExp(`\\b${m.name}(_bucket|_count|_sum|_total)?\\b`);
    return exprs.some((e) => name.test(e));
  });
}
