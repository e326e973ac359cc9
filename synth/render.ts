/**
 * Renders a stack model into the files of `out/<stack>/`: what the stack would deploy,
 * importable or loadable as is. Pure: model in, path -> content out.
 */
import { stringify } from "yaml";
import { StackModel } from "../model/model";
import { prettyJson } from "../model/json";
import { planMarkdown } from "../model/plan";
import { SECRET_PLACEHOLDER, contactPointArgs } from "../model/contactPoints";

/** File layout under `out/<stack>/`, defined once. */
export const OUT_FILES = {
  dashboard: (slug: string) => `dashboards/${slug}.json`,
  ruleGroups: "grafana/rule-groups.json",
  contactPoints: "grafana/contact-points.json",
  ruleFile: "prometheus/rules.yaml",
  prometheusRule: "kubernetes/prometheusrule.yaml",
  plan: "plan.md",
} as const;

/** YAML as the project writes it: block style, no line folding, no anchors. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Every file of a stack, sorted by path. */
export function renderStack(model: StackModel): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of model.dashboards) files.set(OUT_FILES.dashboard(d.slug), prettyJson(d.json));
  files.set(OUT_FILES.ruleGroups, prettyJson(model.grafanaRuleGroups));
  files.set(
    OUT_FILES.contactPoints,
    prettyJson({
      messageTemplate: model.notifications.contactPoints.length ? model.notifications.messageTemplate : null,
      contactPoints: model.notifications.contactPoints.map((cp) => contactPointArgs(cp, () => SECRET_PLACEHOLDER)),
      routes: model.notifications.routes,
      muteTimings: model.notifications.muteTimings,
      notificationPolicy: model.notifications.policy ?? null,
    }),
  );
  files.set(OUT_FILES.ruleFile, toYaml(model.prometheusRuleFile));
  if (model.prometheusRule) files.set(OUT_FILES.prometheusRule, toYaml(model.prometheusRule));
  files.set(OUT_FILES.plan, planMarkdown(model));
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
