/**
 * Rule specs -> plain Prometheus rule groups (a rule file) and the Prometheus Operator
 * `PrometheusRule` object. Paused (gated) alerts are left out: Prometheus has no pause.
 */
import { AlertRule, RuleGroupSpec } from "./rules";
import { k8sName } from "./names";

/** A rule as Prometheus reads it. */
export type PrometheusRule =
  | { record: string; expr: string; labels?: Record<string, string> }
  | { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> };

/** A rule group as Prometheus reads it. */
export interface PrometheusRuleGroup {
  name: string;
  interval: string;
  rules: PrometheusRule[];
}

/** Which rules to render. */
export interface PrometheusRenderOptions {
  /** Include active alerts (true for the plain rule file; `kubernetes.mirrorAlerts` for the PrometheusRule). */
  readonly alerts: boolean;
}

/** Renders groups for Prometheus. Empty groups are dropped. */
export function prometheusGroups(groups: readonly RuleGroupSpec[], options: PrometheusRenderOptions): PrometheusRuleGroup[] {
  return groups
    .map((g) => ({
      name: g.name,
      interval: g.interval,
      rules: g.rules.flatMap((r): PrometheusRule[] => {
        if (r.kind === "record") return [Object.keys(r.labels).length ? { record: r.record, expr: r.expr, labels: { ...r.labels } } : { record: r.record, expr: r.expr }];
        return options.alerts && !r.gatedReason ? [alertRule(r)] : [];
      }),
    }))
    .filter((g) => g.rules.length > 0);
}

function alertRule(r: AlertRule): PrometheusRule {
  return {
    alert: r.name,
    expr: r.expr,
    ...(r.for !== "0s" ? { for: r.for } : {}),
    labels: { ...r.labels },
    annotations: { ...r.annotations },
  };
}

/** The `PrometheusRule` custom resource (monitoring.coreos.com/v1). */
export interface PrometheusRuleObject {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "PrometheusRule";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { groups: PrometheusRuleGroup[] };
}

/** Labels the stack puts on its PrometheusRule itself; selector labels may not replace them. */
export function ownRuleLabels(environment: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "seamless-observability",
    "app.kubernetes.io/part-of": "qmtl",
    "app.kubernetes.io/managed-by": "pulumi",
    environment,
  };
}

/** Builds the PrometheusRule object of a stack. */
export function prometheusRuleObject(environment: string, namespace: string, selectorLabels: Readonly<Record<string, string>>, groups: PrometheusRuleGroup[]): PrometheusRuleObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: k8sName("seamless", environment, "rules"),
      namespace,
      labels: { ...ownRuleLabels(environment), ...selectorLabels },
    },
    spec: { groups },
  };
}
