/** The stack's message template and its PagerDuty/Slack contact points, created only when their flags are on. */
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { StackModel } from "../model/model";
import { SecretKey } from "../model/config";
import { contactPointArgs } from "../model/contactPoints";

/** Arguments of {@link SeamlessContactPoints}. */
export interface SeamlessContactPointsArgs {
  /** The stack model: which contact points exist and what they say. */
  readonly model: StackModel;
  /** Secret values by key; each is wrapped as a Pulumi secret before use. */
  readonly secrets: Partial<Record<SecretKey, pulumi.Input<string>>>;
  readonly provider: grafana.Provider;
}

/** Creates the message template and one contact point per severity that has an integration on. */
export class SeamlessContactPoints extends pulumi.ComponentResource {
  /** The contact points, for rules to depend on. */
  readonly contactPoints: grafana.alerting.ContactPoint[];

  constructor(name: string, args: SeamlessContactPointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("qmtl:observability:SeamlessContactPoints", name, {}, opts);
    const { model, provider, secrets } = args;
    const child = { parent: this, provider, protect: model.config.protect };
    const orgId = String(model.config.grafana.orgId);
    const cps = model.notifications.contactPoints;
    const template = cps.length
      ? new grafana.alerting.MessageTemplate(`${name}-template`, { name: model.notifications.messageTemplate.name, template: model.notifications.messageTemplate.template, orgId }, child)
      : undefined;
    this.contactPoints = cps.map(
      (cp) =>
        new grafana.alerting.ContactPoint(
          `${name}-${cp.severity}`,
          {
            ...contactPointArgs(cp, (ref) => {
              const value = secrets[ref.secret];
              // the model only creates an integration whose secret is set; this guards the edge
              if (value === undefined) throw new pulumi.RunError(`secret seamless:${ref.secret} is not set`);
              return pulumi.secret(value);
            }),
            orgId,
          },
          { ...child, dependsOn: template ? [template] : [] },
        ),
    );
    this.registerOutputs({});
  }
}
