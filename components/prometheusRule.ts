/** The Prometheus Operator PrometheusRule of a stack (recording rules, and alerts when mirrored). */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PrometheusRuleObject } from "../model/prometheus";

/** Arguments of {@link SeamlessPrometheusRule}. */
export interface SeamlessPrometheusRuleArgs {
  /** The PrometheusRule object from the model (name, namespace, selector labels, groups). */
  readonly rule: PrometheusRuleObject;
  readonly provider: k8s.Provider;
  /** Protect the object from deletion (prod). Default false. */
  readonly protect?: boolean;
}

/** Creates the `monitoring.coreos.com/v1` PrometheusRule with a fixed DNS-1123 name. */
export class SeamlessPrometheusRule extends pulumi.ComponentResource {
  readonly name: string;

  constructor(name: string, args: SeamlessPrometheusRuleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("qmtl:observability:SeamlessPrometheusRule", name, {}, opts);
    const { rule } = args;
    new k8s.apiextensions.CustomResource(
      `${name}-rule`,
      { apiVersion: rule.apiVersion, kind: rule.kind, metadata: { ...rule.metadata, labels: { ...rule.metadata.labels } }, spec: rule.spec },
      { parent: this, provider: args.provider, protect: args.protect ?? false },
    );
    this.name = `${rule.metadata.namespace}/${rule.metadata.name}`;
    this.registerOutputs({ name: this.name });
  }
}
