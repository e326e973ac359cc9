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

/**
 * Creates the message template, one contact point per severity that has an integration on,
 * the mute timings, and (only when the stack owns the org's policy) the notification policy.
 */
export class SeamlessContactPoints extends pulumi.ComponentResource {
  /** The contact points, for rules to depend on. */
  readonly contactPoints: grafana.alerting.ContactPoint[];
  /** The mute timings, for rules to depend on. */
  readonly muteTimings: grafana.alerting.MuteTiming[];

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
    const muteTimings = model.notifications.muteTimings.map(
      (m) =>
        new grafana.alerting.MuteTiming(
          `${name}-mute-${m.name}`,
          { name: m.name, orgId, intervals: m.intervals.map((i) => ({ ...i, times: i.times?.map((t) => ({ ...t })), weekdays: copy(i.weekdays), daysOfMonths: copy(i.daysOfMonths), months: copy(i.months), years: copy(i.years) })) },
          child,
        ),
    );
    const policy = model.notifications.policy;
    if (policy) {
      new grafana.alerting.NotificationPolicy(
        `${name}-policy`,
        {
          orgId,
          contactPoint: policy.contactPoint,
          groupBies: [...policy.groupBies],
          groupWait: policy.groupWait,
          groupInterval: policy.groupInterval,
          repeatInterval: policy.repeatInterval,
          policies: policy.policies.map((p) => ({ contactPoint: p.contactPoint, matchers: p.matchers.map((m) => ({ ...m })), muteTimings: p.muteTimings.length ? [...p.muteTimings] : undefined })),
        },
        { ...child, dependsOn: [...this.contactPoints, ...muteTimings] },
      );
    }
    this.muteTimings = muteTimings;
    this.registerOutputs({});
  }
}

function copy(list: readonly string[] | undefined): string[] | undefined {
  return list ? [...list] : undefined;
}
