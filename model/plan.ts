/**
 * The plan: every resource the stack would create, with its type, name and whether it is
 * created, paused (gated) or skipped, and why; then where each alert is routed.
 */
import { StackModel } from "./model";
import { alertRules } from "./rules";
import { ContactPointSpec, Route, integrationsOf, reachByIntegration, secretConfigKey } from "./notifications";
import { bucketChoices } from "./rules";
import { describeBound } from "./buckets";

/** One row of the plan. */
export interface PlanRow {
  readonly type: string;
  readonly name: string;
  readonly action: "create" | "create (paused)" | "skip";
  readonly why: string;
}

/** Pulumi type tokens of every resource the stack makes, defined once. */
export const RESOURCE_TYPES = {
  stack: "qmtl:observability:SeamlessObservability",
  folder: "grafana:oss/folder:Folder",
  dashboard: "grafana:oss/dashboard:Dashboard",
  ruleGroup: "grafana:alerting/ruleGroup:RuleGroup",
  contactPoint: "grafana:alerting/contactPoint:ContactPoint",
  messageTemplate: "grafana:alerting/messageTemplate:MessageTemplate",
  muteTiming: "grafana:alerting/muteTiming:MuteTiming",
  notificationPolicy: "grafana:alerting/notificationPolicy:NotificationPolicy",
  prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
} as const;

/** Rows of the plan, in deploy order. */
export function planRows(model: StackModel): PlanRow[] {
  const env = model.environment;
  const rows: PlanRow[] = [
    { type: RESOURCE_TYPES.folder, name: model.folder.title, action: "create", why: `uid ${model.folder.uid}; preventDestroyIfNotEmpty` },
    ...model.dashboards.map((d): PlanRow => ({ type: RESOURCE_TYPES.dashboard, name: d.title, action: "create", why: `uid ${d.uid}` })),
  ];
  for (const group of model.grafanaRuleGroups) {
    const paused = group.rules.filter((r) => r.isPaused).length;
    rows.push({ type: RESOURCE_TYPES.ruleGroup, name: group.name, action: "create", why: `${group.rules.length} alert rule(s), ${paused} paused, every ${group.intervalSeconds}s` });
  }
  for (const alert of alertRules(model.rules)) {
    rows.push({ type: "alert rule", name: alert.name, action: alert.gatedReason ? "create (paused)" : "create", why: alert.gatedReason ?? `severity ${alert.severity}, for ${alert.for}` });
  }
  for (const d of model.rules.disabled) rows.push({ type: "alert rule", name: d.name, action: "skip", why: d.reason });
  const hasCp = model.notifications.contactPoints.length > 0;
  rows.push({ type: RESOURCE_TYPES.messageTemplate, name: model.notifications.messageTemplate.name, action: hasCp ? "create" : "skip", why: hasCp ? "shared title/text of every integration" : "no contact point is on" });
  for (const severity of ["critical", "warning"] as const) {
    const cp = model.notifications.contactPoints.find((c) => c.severity === severity);
    rows.push(
      cp
        ? { type: RESOURCE_TYPES.contactPoint, name: cp.name, action: "create", why: `${integrationsOf(cp).join(" + ")} (secrets: ${secretsOf(cp).join(", ")} = [secret])` }
        : { type: RESOURCE_TYPES.contactPoint, name: `seamless-${env}-${severity}`, action: "skip", why: `no integration for ${severity} is on (seamless:notifications.*.enabled)` },
    );
  }
  const paging = model.notifications.contactPoints.some((c) => c.severity === "critical");
  for (const m of model.notifications.muteTimings) {
    rows.push({ type: RESOURCE_TYPES.muteTiming, name: m.name, action: "create", why: paging ? "maintenance window on the paging (critical) routes" : "maintenance window for the paging (critical) routes; unused while no critical integration is on" });
  }
  const policy = model.notifications.policy;
  rows.push(
    policy
      ? { type: RESOURCE_TYPES.notificationPolicy, name: `org ${model.config.grafana.orgId}`, action: "create", why: `REPLACES the org's whole policy tree: default -> ${policy.contactPoint}; ${policy.policies.map((p) => `severity=${p.matchers[0].value} -> ${p.contactPoint}`).join(", ")}` }
      : { type: RESOURCE_TYPES.notificationPolicy, name: `org ${model.config.grafana.orgId}`, action: "skip", why: "left to its owners (seamless:grafana.manageNotificationPolicy is false); rules route by their own notification settings" },
  );
  const k8s = model.prometheusRule;
  rows.push(
    k8s
      ? { type: RESOURCE_TYPES.prometheusRule, name: `${k8s.metadata.namespace}/${k8s.metadata.name}`, action: "create", why: `${k8s.spec.groups.reduce((n, g) => n + g.rules.length, 0)} rule(s); alerts ${model.config.kubernetes.mirrorAlerts ? "mirrored" : "not mirrored"}` }
      : { type: RESOURCE_TYPES.prometheusRule, name: "-", action: "skip", why: "seamless:kubernetes.enabled is false" },
  );
  return rows;
}

/** The plan as Markdown. */
export function planMarkdown(model: StackModel): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    `# Plan: ${model.environment}`,
    "",
    `Grafana folder "${model.folder.title}" (uid ${model.folder.uid}), org ${model.config.grafana.orgId}, datasource ${model.config.grafana.datasourceUid}. SLO ${model.config.slo.objective} over ${model.config.slo.window}, deadline ${model.config.slo.deadlineSeconds}s (${describeBound(bucketChoices(model.config).deadline!)}).`,
    "",
    model.config.protect
      ? "Every resource is protected (seamless:protect): `pulumi destroy` and replacements are refused until it is turned off."
      : "Resources are not protected (seamless:protect is false).",
    "",
    `Identity: org ${model.config.grafana.orgId}, folder uid ${model.folder.uid}, dashboard uids ${model.dashboards.map((d) => d.uid).join(", ")}. **A change to any of these replaces the resource in Grafana** (deleted and created anew, with hand-made edits, history and links lost); \`npm run diff\` flags it as REPLACED.`,
    "",
    "| type | name | action | why |",
    "| --- | --- | --- | --- |",
    ...planRows(model).map((r) => `| ${cell(r.type)} | ${cell(r.name)} | ${r.action} | ${cell(r.why)} |`),
    "",
    "## Routing",
    "",
    ...(["pagerduty", "slack"] as const).map((i) => {
      const r = reachByIntegration(model.notifications)[i];
      const held = Object.keys(r.heldBack).length;
      return `- ${i}: reaches ${r.reaches.length ? r.reaches.join(", ") : "nothing"}; ${held} held back`;
    }),
    "",
    "| alert | severity | reaches | not routed by this stack because |",
    "| --- | --- | --- | --- |",
    ...model.notifications.routes.map((r) => `| ${r.alert} | ${r.severity} | ${reaches(r)} | ${cell(r.heldBack ?? "")} |`),
    "",
  ];
  const mirrored = (model.prometheusRule?.spec.groups ?? []).flatMap((g) => g.rules.flatMap((r) => ("alert" in r ? [r.alert] : [])));
  if (mirrored.length) {
    lines.push(
      `Mirrored into the PrometheusRule (seamless:kubernetes.mirrorAlerts): ${mirrored.join(", ")}. The cluster's Prometheus also evaluates these and sends them to its Alertmanager, whose routing this stack does not manage: each can notify twice, once from Grafana as above and once from Alertmanager.`,
      "",
    );
  }
  if (model.config.notifications.allowInactivePaging) lines.push("**WARNING: seamless:notifications.allowInactivePaging is on: paging integrations may be wired to alerts whose metrics are not emitted.**", "");
  return lines.join("\n");
}

/** Where a firing alert goes: a stack contact point, the org's default policy (not ours), or nowhere (paused). */
function reaches(r: Route): string {
  if (r.contactPoint) return `${r.contactPoint} (${r.integrations.join(" + ")})`;
  return r.heldBack?.startsWith("paused") ? "- (paused)" : "org default policy (not managed here)";
}

function secretsOf(cp: ContactPointSpec): string[] {
  const refs = [cp.pagerduty?.integrationKey, cp.slack?.url, cp.slack?.token];
  return refs.filter((r): r is NonNullable<typeof r> => r !== undefined).map(secretConfigKey);
}
