/**
 * Contact points and routing, decided from the flags and the gates: which integrations
 * exist, which alerts reach them, which are held back and why. Secrets appear only as
 * references to config keys.
 */
import { AlertRule, RulesModel, alertRules } from "./rules";
import { ConfigProblem, SECRET_KEYS, SecretKey, StackConfig, configKey } from "./config";
import { RULE_PREFIX, Severity } from "./names";

export type Integration = "pagerduty" | "slack";

/** A value that comes from Pulumi secret config: the model names the key, never the value. */
export interface SecretRef {
  readonly secret: SecretKey;
}

/** One Grafana contact point the stack creates: the receiver of one severity. */
export interface ContactPointSpec {
  readonly severity: Severity;
  readonly name: string;
  readonly pagerduty?: {
    readonly integrationKey: SecretRef;
    readonly severity: string;
    readonly class: string;
    readonly component: string;
    readonly group: string;
    readonly source: string;
    readonly summary: string;
    readonly client: string;
    readonly clientUrl: string;
    readonly details: Readonly<Record<string, string>>;
  };
  readonly slack?: {
    /** Webhook URL or bot token: exactly one is set. */
    readonly url?: SecretRef;
    readonly token?: SecretRef;
    readonly recipient: string;
    readonly title: string;
    readonly text: string;
  };
}

/** Where one alert goes. */
export interface Route {
  readonly alert: string;
  readonly severity: Severity;
  /** Contact point name, when the stack routes it (Grafana simplified routing). */
  readonly contactPoint?: string;
  readonly integrations: readonly Integration[];
  /** Why it reaches no stack contact point (gated, flag off): it then follows the org's default policy. */
  readonly heldBack?: string;
}

/** A maintenance window (Grafana mute timing), applied to the paging (critical) routes. */
export interface MuteTimingSpec {
  readonly name: string;
  readonly intervals: ReadonlyArray<{
    readonly times?: ReadonlyArray<{ readonly start: string; readonly end: string }>;
    readonly weekdays?: readonly string[];
    readonly daysOfMonths?: readonly string[];
    readonly months?: readonly string[];
    readonly years?: readonly string[];
    readonly location?: string;
  }>;
}

/** The org's notification policy tree, when the stack owns it (`grafana.manageNotificationPolicy`). */
export interface NotificationPolicySpec {
  readonly contactPoint: string;
  readonly groupBies: readonly string[];
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
  readonly policies: ReadonlyArray<{
    readonly matchers: ReadonlyArray<{ readonly label: string; readonly match: "="; readonly value: string }>;
    readonly contactPoint: string;
    readonly muteTimings: readonly string[];
  }>;
}

/** Everything about notifications in one stack. */
export interface NotificationsModel {
  readonly messageTemplate: { readonly name: string; readonly template: string };
  readonly contactPoints: readonly ContactPointSpec[];
  readonly routes: readonly Route[];
  readonly settings: { readonly groupBy: readonly string[]; readonly groupWait: string; readonly groupInterval: string; readonly repeatInterval: string };
  readonly muteTimings: readonly MuteTimingSpec[];
  /** Set only when the stack owns the org's policy; then rules carry no notification settings. */
  readonly policy?: NotificationPolicySpec;
}

/** Per integration: the alerts that reach it, and those held back with the reason. */
export interface IntegrationReach {
  readonly reaches: readonly string[];
  readonly heldBack: Readonly<Record<string, string>>;
}

/** Integrations each severity reaches when its flag is on. */
const RECEIVES: Record<Integration, readonly Severity[]> = { pagerduty: ["critical"], slack: ["critical", "warning"] };

/** Builds the notifications model, or the problems that refuse the flags. */
export function buildNotifications(config: StackConfig, rules: RulesModel, slackAuth: "webhook" | "token" = "webhook"): { notifications?: NotificationsModel; problems: ConfigProblem[] } {
  const env = config.environment;
  const flags: Record<Integration, boolean> = { pagerduty: config.notifications.pagerduty.enabled, slack: config.notifications.slack.enabled };
  const alerts = alertRules(rules);
  const problems = config.notifications.allowInactivePaging ? [] : inactiveFlagProblems(flags, alerts);
  if (problems.length) return { problems };

  const tmpl = templateNames(env);
  const contactPoints: ContactPointSpec[] = (["critical", "warning"] as const)
    .map((severity): ContactPointSpec => {
      const on = (i: Integration) => flags[i] && RECEIVES[i].includes(severity);
      return {
        severity,
        name: `${RULE_PREFIX}-${env}-${severity}`,
        pagerduty: on("pagerduty")
          ? {
              integrationKey: { secret: "pagerdutyIntegrationKey" },
              severity: "{{ .CommonLabels.severity }}",
              class: "{{ .CommonLabels.alertname }}",
              component: "seamless",
              group: env,
              source: `${RULE_PREFIX}-${env}`,
              summary: `{{ template "${tmpl.title}" . }}`,
              client: "Grafana",
              clientUrl: "{{ .ExternalURL }}",
              details: { description: `{{ template "${tmpl.text}" . }}`, runbook_url: "{{ .CommonAnnotations.runbook_url }}", dashboard_url: "{{ .CommonAnnotations.dashboard_url }}", environment: env },
            }
          : undefined,
        slack: on("slack")
          ? {
              ...(slackAuth === "token" ? { token: { secret: "slackToken" as const } } : { url: { secret: "slackWebhookUrl" as const } }),
              recipient: config.notifications.slack.channel,
              title: `{{ template "${tmpl.title}" . }}`,
              text: `{{ template "${tmpl.text}" . }}`,
            }
          : undefined,
      };
    })
    .filter((cp) => cp.pagerduty || cp.slack);

  const routes = alerts.map((alert): Route => {
    const cp = contactPoints.find((c) => c.severity === alert.severity);
    const integrations = cp ? integrationsOf(cp) : [];
    if (alert.gatedReason) return { alert: alert.name, severity: alert.severity, integrations: [], heldBack: `paused: ${alert.gatedReason}` };
    if (!cp) return { alert: alert.name, severity: alert.severity, integrations: [], heldBack: `no ${alert.severity} integration is on in ${env}: follows the org's default notification policy` };
    return { alert: alert.name, severity: alert.severity, contactPoint: cp.name, integrations };
  });
  const n = config.notifications;
  const muteTimings = n.muteTimings.map((m): MuteTimingSpec => ({
    name: `${RULE_PREFIX}-${env}-${m.name}`,
    intervals: m.intervals.map(({ daysOfMonth, ...rest }) => ({ ...rest, ...(daysOfMonth ? { daysOfMonths: daysOfMonth } : {}) })),
  }));
  const settings = { groupBy: n.groupBy, groupWait: n.groupWait, groupInterval: n.groupInterval, repeatInterval: n.repeatInterval };
  return {
    notifications: {
      messageTemplate: { name: `${RULE_PREFIX}-${env}`, template: messageTemplate(tmpl) },
      contactPoints,
      routes,
      settings,
      muteTimings,
      // with no contact point the config is refused (seamless:grafana.manageNotificationPolicy); never build a tree without a default
      policy: config.grafana.manageNotificationPolicy && contactPoints.length ? policyTree(contactPoints, settings, muteTimings) : undefined,
    },
    problems: [],
  };
}

/** Mute timings a route of this severity carries: maintenance windows mute paging only. */
export function muteTimingsFor(severity: Severity, notifications: Pick<NotificationsModel, "muteTimings">): string[] {
  return severity === "critical" ? notifications.muteTimings.map((m) => m.name) : [];
}

/** Which alerts reach each integration, and which are held back and why. */
export function reachByIntegration(notifications: NotificationsModel): Record<Integration, IntegrationReach> {
  const of = (integration: Integration): IntegrationReach => {
    const mine = notifications.routes.filter((r) => RECEIVES[integration].includes(r.severity));
    return {
      reaches: mine.filter((r) => r.integrations.includes(integration)).map((r) => r.alert),
      heldBack: Object.fromEntries(mine.filter((r) => !r.integrations.includes(integration)).map((r) => [r.alert, r.heldBack ?? `${integration} is off`])),
    };
  };
  return { pagerduty: of("pagerduty"), slack: of("slack") };
}

/**
 * The whole policy tree of a Grafana org dedicated to Seamless: the default route goes to a
 * contact point the stack creates (warning if Slack is on, else critical), one child per severity.
 */
function policyTree(contactPoints: readonly ContactPointSpec[], settings: NotificationsModel["settings"], muteTimings: readonly MuteTimingSpec[]): NotificationPolicySpec {
  const fallback = contactPoints.find((c) => c.severity === "warning") ?? contactPoints[0];
  return {
    contactPoint: fallback.name,
    groupBies: settings.groupBy,
    groupWait: settings.groupWait,
    groupInterval: settings.groupInterval,
    repeatInterval: settings.repeatInterval,
    policies: contactPoints.map((cp) => ({
      matchers: [{ label: "severity", match: "=" as const, value: cp.severity }],
      contactPoint: cp.name,
      muteTimings: muteTimingsFor(cp.severity, { muteTimings }),
    })),
  };
}

/** The integrations a contact point holds. */
export function integrationsOf(cp: ContactPointSpec): Integration[] {
  return [cp.pagerduty ? ("pagerduty" as const) : undefined, cp.slack ? ("slack" as const) : undefined].filter((i): i is Integration => i !== undefined);
}

/** Secret config key of a reference. */
export function secretConfigKey(ref: SecretRef): string {
  return `seamless:${SECRET_KEYS[ref.secret]}`;
}

function inactiveFlagProblems(flags: Record<Integration, boolean>, alerts: readonly AlertRule[]): ConfigProblem[] {
  return (Object.keys(flags) as Integration[])
    .filter((i) => flags[i])
    .flatMap((integration) => {
      const receivable = alerts.filter((a) => RECEIVES[integration].includes(a.severity));
      if (receivable.some((a) => !a.gatedReason)) return [];
      const missing = [...new Set(receivable.flatMap((a) => (a.gatedReason ? a.metrics : [])))].sort();
      if (missing.length === 0) {
        return [
          {
            key: configKey(["notifications", integration, "enabled"]),
            value: true,
            problem: `would wire ${integration} to no alert: every alert it would receive is disabled in seamless:alerts.overrides`,
            fix: `turn ${integration} off, or enable an alert of severity ${RECEIVES[integration].join(" or ")}`,
          },
        ];
      }
      return [
        {
          key: configKey(["notifications", integration, "enabled"]),
          value: true,
          problem: `would wire ${integration} to alerts that are all paused, because their metrics are not emitted: ${missing.join(", ")}`,
          fix: `keep it off until the runtime emits them and list them in seamless:metrics.emitted, or set seamless:notifications.allowInactivePaging to true`,
        },
      ];
    });
}

function templateNames(env: string): { title: string; text: string } {
  return { title: `seamless_${env.replace(/-/g, "_")}.title`, text: `seamless_${env.replace(/-/g, "_")}.text` };
}

function messageTemplate(names: { title: string; text: string }): string {
  return [
    `{{ define "${names.title}" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.environment }}){{ end }}`,
    `{{ define "${names.text}" }}{{ range .Alerts }}*{{ .Annotations.summary }}*`,
    `{{ .Annotations.description }}`,
    `Labels: {{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}`,
    `Value: {{ .ValueString }}`,
    `Runbook: {{ .Annotations.runbook_url }}`,
    `Dashboard: {{ if .PanelURL }}{{ .PanelURL }}{{ else }}{{ .DashboardURL }}{{ end }}`,
    `{{ end }}{{ end }}`,
  ].join("\n");
}
