/**
 * Names used in more than one place, defined once (label keys, severities, group
 * prefixes, uid and Kubernetes name rules). Everything that names a thing imports it.
 */
import { createHash } from "node:crypto";

/** Config namespace of every project key in `Pulumi.<env>.yaml`. */
export const CONFIG_NAMESPACE = "seamless";
/** Prefix of every rule group, alert group and contact point the stack owns. */
export const RULE_PREFIX = "seamless";
/** Label keys put on every alert. */
export const LABEL = { severity: "severity", service: "service", environment: "environment", team: "team" } as const;
/** Value of the `service` label. */
export const SERVICE = "seamless";
/** Alert severities: `critical` pages, `warning` opens a ticket. */
export const SEVERITIES = ["critical", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Grafana's uid for server-side expressions in rule queries. */
export const EXPRESSION_DATASOURCE_UID = "__expr__";
/** Annotation keys Grafana uses to link an alert to a panel. */
export const ANNOTATION = {
  summary: "summary",
  description: "description",
  runbook: "runbook_url",
  dashboardUid: "__dashboardUid__",
  panelId: "__panelId__",
  gated: "gated_reason",
} as const;

/** Grafana uids: at most 40 characters of `[A-Za-z0-9_-]`. */
export const GRAFANA_UID_MAX = 40;
/** Kubernetes object names: DNS-1123 subdomain labels, at most 63 characters. */
export const K8S_NAME_MAX = 63;

/** Lower-case slug of `[a-z0-9-]`, dashes collapsed. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Short stable hash (hex) used when a name must be shortened. */
export function shortHash(text: string, length = 6): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Joins parts into a name of at most `max` characters; a shortened name keeps a hash of the whole. */
export function boundedName(parts: string[], max: number): string {
  const full = parts.map(slug).filter(Boolean).join("-");
  if (full.length <= max) return full;
  const hash = shortHash(full);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** A Grafana uid for a stack object (folder, dashboard, rule). */
export function grafanaUid(...parts: string[]): string {
  return boundedName(parts, GRAFANA_UID_MAX);
}

/** A DNS-1123 Kubernetes object name. */
export function k8sName(...parts: string[]): string {
  return boundedName(parts, K8S_NAME_MAX);
}

/** True when `name` is a valid DNS-1123 subdomain label of at most 63 characters. */
export function isDns1123Label(name: string): boolean {
  return name.length <= K8S_NAME_MAX && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** Prometheus label names. */
export function isPrometheusLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && !name.startsWith("__");
}
