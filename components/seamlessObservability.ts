/** The top component: everything one stack deploys, wired from the model. */
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import * as k8s from "@pulumi/kubernetes";
import { StackModel } from "../model/model";
import { SecretKey } from "../model/config";
import { alertRules } from "../model/rules";
import { Integration, IntegrationReach, reachByIntegration } from "../model/notifications";
import { SeamlessDashboards } from "./dashboards";
import { SeamlessContactPoints } from "./contactPoints";
import { SeamlessAlertRules } from "./alertRules";
import { SeamlessPrometheusRule } from "./prometheusRule";

/** Arguments of {@link SeamlessObservability}. */
export interface SeamlessObservabilityArgs {
  /** The stack model built by `buildModel` (decides everything). */
  readonly model: StackModel;
  /** Secret values from Pulumi secret config; only referenced keys are used. */
  readonly secrets: Partial<Record<SecretKey, pulumi.Input<string>>>;
}

/**
 * Creates explicit Grafana and Kubernetes providers from stack config, then the folder and
 * dashboards, contact points, seamless-* rule groups and the PrometheusRule.
 */
export class SeamlessObservability extends pulumi.ComponentResource {
  readonly folderUid: pulumi.Output<string>;
  readonly dashboardUrls: pulumi.Output<Record<string, string>>;
  readonly ruleGroups: string[];
  readonly gatedAlerts: Record<string, string>;
  readonly routes: Record<string, string>;
  readonly paging: Record<Integration, IntegrationReach>;
  readonly prometheusRule?: string;

  constructor(name: string, args: SeamlessObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("qmtl:observability:SeamlessObservability", name, {}, opts);
    const { model, secrets } = args;
    const grafanaProvider = new grafana.Provider(
      `${name}-grafana`,
      {
        url: model.config.grafana.url,
        auth: secrets.grafanaAuth !== undefined ? pulumi.secret(secrets.grafanaAuth) : undefined,
        orgId: model.config.grafana.orgId,
      },
      { parent: this },
    );
    const dashboards = new SeamlessDashboards(`${name}-dashboards`, { model, provider: grafanaProvider }, { parent: this });
    const contactPoints = new SeamlessContactPoints(`${name}-contact-points`, { model, secrets, provider: grafanaProvider }, { parent: this });
    const rules = new SeamlessAlertRules(
      `${name}-alerts`,
      { model, folderUid: dashboards.folderUid, contactPoints: [...contactPoints.contactPoints, ...contactPoints.muteTimings], provider: grafanaProvider },
      { parent: this },
    );
    if (model.prometheusRule) {
      const k8sProvider = new k8s.Provider(`${name}-kubernetes`, { context: model.config.kubernetes.context }, { parent: this });
      this.prometheusRule = new SeamlessPrometheusRule(`${name}-prometheus`, { rule: model.prometheusRule, provider: k8sProvider, protect: model.config.protect }, { parent: this }).name;
    }
    this.folderUid = dashboards.folderUid;
    this.dashboardUrls = dashboards.urls;
    this.ruleGroups = rules.groupNames;
    this.gatedAlerts = Object.fromEntries(alertRules(model.rules).filter((a) => a.gatedReason).map((a) => [a.name, a.gatedReason as string]));
    this.routes = Object.fromEntries(model.notifications.routes.map((r) => [r.alert, r.contactPoint ? `${r.contactPoint} (${r.integrations.join(" + ")})` : `held back: ${r.heldBack}`]));
    this.paging = reachByIntegration(model.notifications);
    this.registerOutputs({ folderUid: this.folderUid, dashboardUrls: this.dashboardUrls, ruleGroups: this.ruleGroups, gatedAlerts: this.gatedAlerts, routes: this.routes, paging: this.paging });
  }
}
