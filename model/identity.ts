/**
 * Identity across stacks: stacks that share a Grafana (URL and org) or a Kubernetes
 * namespace must not collide on uids, titles, names, or ownership of the org's
 * notification policy. Collisions are refused before anything renders, naming both files.
 */
import { ConfigProblem } from "./config";
import { StackModel } from "./model";

/** A model with the stack file it came from. */
export interface NamedModel {
  readonly file: string;
  readonly model: StackModel;
}

/** Where a stack's Grafana objects live. */
export function grafanaInstance(model: StackModel): string {
  return `${canonicalUrl(model.config.grafana.url) ?? "(seamless:grafana.url unset)"} org ${model.config.grafana.orgId}`;
}

/** One spelling per Grafana: lower-case host, no default port, no repeated or trailing slashes. */
export function canonicalUrl(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return url;
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+/g, "/").replace(/\/$/, "")}`;
}

/** Every identity a stack claims, as [kind, key] pairs; two stacks claiming one key collide. */
export function claims(model: StackModel): Array<[string, string]> {
  const g = grafanaInstance(model);
  const out: Array<[string, string]> = [
    ["folder uid", `${g}: ${model.folder.uid}`],
    ["folder title", `${g}: ${model.folder.title}`],
    ...model.dashboards.map((d): [string, string] => ["dashboard uid", `${g}: ${d.uid}`]),
    ...model.grafanaRuleGroups.flatMap((group) => group.rules.map((r): [string, string] => ["alert rule uid", `${g}: ${r.uid}`])),
    ...model.notifications.contactPoints.map((c): [string, string] => ["contact point name", `${g}: ${c.name}`]),
    ["message template name", `${g}: ${model.notifications.messageTemplate.name}`],
    ...model.notifications.muteTimings.map((m): [string, string] => ["mute timing name", `${g}: ${m.name}`]),
  ];
  if (model.notifications.policy) out.push([POLICY_OWNER, g]);
  if (model.prometheusRule) {
    const k = model.config.kubernetes;
    out.push(["PrometheusRule", `${k.context ?? "(current kube context)"}: ${model.prometheusRule.metadata.namespace}/${model.prometheusRule.metadata.name}`]);
  }
  return out;
}

/** Problems for identities claimed by two stacks: one per pair of stack files, naming both and the first clashes. */
export function collisions(models: readonly NamedModel[]): Array<ConfigProblem & { file: string }> {
  const seen = new Map<string, string>();
  const clashes = new Map<string, { file: string; other: string; policy: boolean; what: string[] }>();
  for (const { file, model } of models) {
    for (const [kind, key] of new Map(claims(model).map(([k, v]) => [`${k}|${v}`, [k, v] as const])).values()) {
      const id = `${kind}|${key}`;
      const other = seen.get(id);
      if (other === undefined) {
        seen.set(id, file);
        continue;
      }
      const policy = kind === POLICY_OWNER;
      const pair = `${file}|${other}|${policy}`;
      const entry = clashes.get(pair) ?? { file, other, policy, what: [] };
      entry.what.push(`${kind} ${key}`);
      clashes.set(pair, entry);
    }
  }
  return [...clashes.values()].map(({ file, other, policy, what }) => ({
    file,
    ...blame(what[0], models.find((m) => m.file === file)!.model),
    problem: `collides with ${other} on ${what.slice(0, 3).join("; ")}${what.length > 3 ? ` and ${what.length - 3} more` : ""}`,
    fix: policy
      ? `only one stack may own the policy of a Grafana org: set it to false in ${file} or ${other}`
      : "give each stack its own environment name, Grafana org or URL (and Kubernetes namespace or context)",
  }));
}

const POLICY_OWNER = "owner of the notification policy";

/** The key (and its value) that makes a stack claim an identity of this kind. */
function blame(claim: string, model: StackModel): { key: string; value: unknown } {
  if (claim.startsWith(POLICY_OWNER)) return { key: "seamless:grafana.manageNotificationPolicy", value: true };
  if (claim.startsWith("folder title")) return { key: "seamless:grafana.folderTitle", value: model.folder.title };
  if (claim.startsWith("PrometheusRule")) return { key: "seamless:kubernetes.namespace", value: model.config.kubernetes.namespace };
  return { key: "seamless:environment", value: model.environment };
}
