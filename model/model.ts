/**
 * The stack as plain data, computed once per stack by pure functions. It decides
 * everything that varies (what is gated, paused, routed, named); the Pulumi components and
 * the synth CLI only hand its objects on.
 */
import { ConfigError, RawStackConfig, StackConfig, validateStackConfig } from "./config";
import { RulesModel, buildRules, bucketChoices } from "./rules";
import { GrafanaRuleGroup, grafanaRuleGroups } from "./grafana";
import { PrometheusRuleGroup, PrometheusRuleObject, prometheusGroups, prometheusRuleObject } from "./prometheus";
import { NotificationsModel, buildNotifications } from "./notifications";
import { grafanaUid } from "./names";
import { DashboardSpec, buildDashboards } from "../dashboards";
import { DASHBOARD_KEYS, DashboardKey, dashboardUid } from "../dashboards/ids";

/** Everything one stack deploys, as plain data. */
export interface StackModel {
  readonly environment: string;
  readonly config: StackConfig;
  readonly folder: { readonly uid: string; readonly title: string };
  readonly dashboards: readonly DashboardSpec[];
  readonly rules: RulesModel;
  readonly grafanaRuleGroups: readonly GrafanaRuleGroup[];
  /** The plain Prometheus rule file: recording rules and every active alert. */
  readonly prometheusRuleFile: { readonly groups: readonly PrometheusRuleGroup[] };
  /** The PrometheusRule object, when `kubernetes.enabled`. */
  readonly prometheusRule?: PrometheusRuleObject;
  readonly notifications: NotificationsModel;
}

/** Validates a stack's raw config and builds its model; throws ConfigError with every problem. */
export function buildModel(raw: RawStackConfig): StackModel {
  const validated = validateStackConfig(raw);
  const config = validated.config;
  if (!config) throw new ConfigError(validated.problems.map((p) => ({ ...p, file: raw.file })));
  const env = config.environment;
  // every stage runs, so one run reports every problem of the file
  const built = buildRules(config);
  const slackAuth = raw.secrets.slackToken ? "token" : "webhook";
  const notes = built.rules ? buildNotifications(config, built.rules, slackAuth) : { problems: [] };
  const problems = [...validated.problems, ...built.problems, ...notes.problems];
  if (!built.rules || !notes.notifications || problems.length) throw new ConfigError(problems.map((p) => ({ ...p, file: raw.file })));
  const rules = built.rules;
  const notifications = notes.notifications;

  const folder = { uid: grafanaUid("seamless", env), title: config.grafana.folderTitle ?? `Seamless (${env})` };
  const { deadline, budgets } = bucketChoices(config);
  const uids = Object.fromEntries(DASHBOARD_KEYS.map((k) => [k, dashboardUid(env, k)])) as Record<DashboardKey, string>;
  const dashboards = buildDashboards({
    environment: env,
    config,
    emitted: new Set(config.metrics.emitted),
    recorded: config.kubernetes.enabled,
    deadline: deadline!,
    budgets,
    uids,
  });
  const grafana = grafanaRuleGroups(rules.groups, { environment: env, folderUid: folder.uid, orgId: config.grafana.orgId, datasourceUid: config.grafana.datasourceUid, notifications });
  const prometheusRule = config.kubernetes.enabled
    ? prometheusRuleObject(env, config.kubernetes.namespace, config.kubernetes.ruleSelectorLabels, prometheusGroups(rules.groups, { alerts: config.kubernetes.mirrorAlerts }))
    : undefined;
  return {
    environment: env,
    config,
    folder,
    dashboards,
    rules,
    grafanaRuleGroups: grafana,
    prometheusRuleFile: { groups: prometheusGroups(rules.groups, { alerts: true }) },
    prometheusRule,
    notifications,
  };
}
