/**
 * Rule specs -> Grafana-managed alert rules. Each rule is built with the foundation-sdk
 * alerting builders, then mapped by one small pure function onto the argument shape of
 * `grafana.alerting.RuleGroup` (whose query models are JSON strings).
 */
import * as alerting from "@grafana/grafana-foundation-sdk/alerting";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as expr from "@grafana/grafana-foundation-sdk/expr";
import { AlertRule, RuleGroupSpec, seconds } from "./rules";
import { ANNOTATION, EXPRESSION_DATASOURCE_UID, grafanaUid } from "./names";
import { NotificationsModel, muteTimingsFor } from "./notifications";
import { dashboardUid } from "../dashboards/ids";
import { stableJson } from "./json";

/** `grafana.alerting.RuleGroup` arguments as plain data (folderUid filled in by the model). */
export interface GrafanaRuleGroup {
  readonly name: string;
  readonly folderUid: string;
  readonly intervalSeconds: number;
  readonly orgId: string;
  readonly rules: readonly GrafanaRule[];
}

/** One `RuleGroupRule` argument. */
export interface GrafanaRule {
  readonly uid: string;
  readonly name: string;
  readonly for: string;
  readonly condition: string;
  readonly noDataState: string;
  readonly execErrState: string;
  readonly isPaused: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly datas: ReadonlyArray<{
    readonly refId: string;
    readonly datasourceUid: string;
    readonly queryType: string;
    readonly relativeTimeRange: { readonly from: number; readonly to: number };
    readonly model: string;
  }>;
  readonly notificationSettings?: {
    readonly contactPoint: string;
    readonly groupBies: readonly string[];
    readonly groupWait: string;
    readonly groupInterval: string;
    readonly repeatInterval: string;
    /** Only present when non-empty: an empty list would read as a change against Grafana's unset value. */
    readonly muteTimings?: readonly string[];
  };
}

/** Query refIds: A is the PromQL, B turns any returned series into a firing instance. */
export const REF = { query: "A", condition: "B" } as const;
/** Grafana's own Prometheus-rule conversion uses this: every series A returns is an alert instance. */
export const FIRING_EXPRESSION = `is_number($${REF.query}) || is_nan($${REF.query}) || is_inf($${REF.query})`;

/** Inputs shared by every rule of a stack. */
export interface GrafanaRuleContext {
  readonly environment: string;
  readonly folderUid: string;
  readonly orgId: number;
  readonly datasourceUid: string;
  readonly notifications: NotificationsModel;
}

/** The Grafana rule groups of a stack: alerts only (recording rules live in Prometheus). */
export function grafanaRuleGroups(groups: readonly RuleGroupSpec[], ctx: GrafanaRuleContext): GrafanaRuleGroup[] {
  return groups
    .map((group) => ({
      name: group.name,
      folderUid: ctx.folderUid,
      intervalSeconds: seconds(group.interval),
      orgId: String(ctx.orgId),
      rules: group.rules.filter((r): r is AlertRule => r.kind === "alert").map((r) => toGrafanaRule(buildSdkRule(r, group, ctx), r, ctx)),
    }))
    .filter((g) => g.rules.length > 0);
}

/** Builds one alert with the foundation-sdk builders. */
export function buildSdkRule(rule: AlertRule, group: RuleGroupSpec, ctx: GrafanaRuleContext): alerting.Rule {
  const lookback = Math.max(600, seconds(group.interval) * 10);
  const query = new alerting.QueryBuilder(REF.query)
    .datasourceUid(ctx.datasourceUid)
    .relativeTimeRange({ from: lookback, to: 0 })
    .model(new prometheus.DataqueryBuilder().expr(rule.grafanaExpr).instant().refId(REF.query).datasource({ type: "prometheus", uid: ctx.datasourceUid }));
  const condition = new alerting.QueryBuilder(REF.condition)
    .datasourceUid(EXPRESSION_DATASOURCE_UID)
    .relativeTimeRange({ from: 0, to: 0 })
    .model(new expr.TypeMathBuilder().expression(FIRING_EXPRESSION).refId(REF.condition).datasource({ type: "__expr__", uid: EXPRESSION_DATASOURCE_UID }));
  const annotations: Record<string, string> = {
    ...grafanaTemplates(rule.annotations),
    [ANNOTATION.dashboardUid]: dashboardUid(ctx.environment, rule.panel.dashboard),
    [ANNOTATION.panelId]: String(rule.panel.panelId),
  };
  if (rule.gatedReason) annotations[ANNOTATION.gated] = rule.gatedReason;
  return new alerting.RuleBuilder(rule.name)
    .uid(grafanaUid("seamless", ctx.environment, rule.name))
    .ruleGroup(group.name)
    .folderUID(ctx.folderUid)
    .orgID(ctx.orgId)
    .forDuration(rule.for)
    .condition(REF.condition)
    .queries([query, condition])
    .noDataState(rule.noDataState)
    .execErrState(rule.execErrState)
    .isPaused(rule.gatedReason !== undefined)
    .labels({ ...rule.labels })
    .annotations(annotations)
    .build();
}

/** Maps a foundation-sdk rule onto the `RuleGroupRule` argument shape. */
export function toGrafanaRule(rule: alerting.Rule, spec: AlertRule, ctx: GrafanaRuleContext): GrafanaRule {
  const route = ctx.notifications.routes.find((r) => r.alert === spec.name);
  const s = ctx.notifications.settings;
  return {
    uid: rule.uid ?? "",
    name: rule.title,
    for: rule.for,
    condition: rule.condition,
    noDataState: rule.noDataState,
    execErrState: rule.execErrState,
    isPaused: rule.isPaused ?? false,
    labels: rule.labels ?? {},
    annotations: rule.annotations ?? {},
    datas: rule.data.map((q) => ({
      refId: q.refId ?? "",
      datasourceUid: q.datasourceUid ?? "",
      queryType: q.queryType ?? "",
      relativeTimeRange: { from: q.relativeTimeRange?.from ?? 0, to: q.relativeTimeRange?.to ?? 0 },
      model: stableJson(q.model ?? {}),
    })),
    // simplified routing only when the org's policy tree is not ours; otherwise the tree routes
    notificationSettings:
      route?.contactPoint && !ctx.notifications.policy
        ? withMuteTimings(
            { contactPoint: route.contactPoint, groupBies: s.groupBy, groupWait: s.groupWait, groupInterval: s.groupInterval, repeatInterval: s.repeatInterval },
            muteTimingsFor(spec.severity, ctx.notifications),
          )
        : undefined,
  };
}

function withMuteTimings<T extends object>(settings: T, muteTimings: readonly string[]): T & { muteTimings?: readonly string[] } {
  return muteTimings.length ? { ...settings, muteTimings } : settings;
}

/** Grafana exposes the query value as `$values.A.Value`; Prometheus templates say `$value`. */
export function grafanaTemplates(annotations: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, v.replace(/\$value\b(?!s)/g, `$values.${REF.query}.Value`)]));
}
