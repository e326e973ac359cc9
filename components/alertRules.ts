/** The seamless-* Grafana rule groups of a stack. */
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { StackModel } from "../model/model";
import { GrafanaRuleGroup } from "../model/grafana";

/** Arguments of {@link SeamlessAlertRules}. */
export interface SeamlessAlertRulesArgs {
  /** The stack model: rule groups in RuleGroup argument shape. */
  readonly model: StackModel;
  /** Folder uid the groups belong to (an Output of the folder, so groups follow it). */
  readonly folderUid: pulumi.Input<string>;
  /**
   * Contact points the rules route to. Rules depend on them, so a contact point is created
   * before rules reference it and deleted only after rules stop referencing it.
   */
  readonly contactPoints: readonly pulumi.Resource[];
  readonly provider: grafana.Provider;
}

/** Creates one `grafana.alerting.RuleGroup` per seamless-* group. */
export class SeamlessAlertRules extends pulumi.ComponentResource {
  /** Rule group names. */
  readonly groupNames: string[];

  constructor(name: string, args: SeamlessAlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("qmtl:observability:SeamlessAlertRules", name, {}, opts);
    const { model, provider } = args;
    for (const group of model.grafanaRuleGroups) {
      new grafana.alerting.RuleGroup(`${name}-${group.name}`, ruleGroupArgs(group, args.folderUid), {
        parent: this,
        provider,
        protect: model.config.protect,
        dependsOn: [...args.contactPoints],
      });
    }
    this.groupNames = model.grafanaRuleGroups.map((g) => g.name);
    this.registerOutputs({ groupNames: this.groupNames });
  }
}

/** The model's group with the folder uid taken from the folder resource. */
export function ruleGroupArgs(group: GrafanaRuleGroup, folderUid: pulumi.Input<string>): grafana.alerting.RuleGroupArgs {
  return {
    name: group.name,
    folderUid,
    intervalSeconds: group.intervalSeconds,
    orgId: group.orgId,
    rules: group.rules.map((r) => ({
      ...r,
      labels: { ...r.labels },
      annotations: { ...r.annotations },
      datas: r.datas.map((d) => ({ ...d, relativeTimeRange: { ...d.relativeTimeRange } })),
      notificationSettings: r.notificationSettings
        ? { ...r.notificationSettings, groupBies: [...r.notificationSettings.groupBies], muteTimings: r.notificationSettings.muteTimings ? [...r.notificationSettings.muteTimings] : undefined }
        : undefined,
    })),
  };
}
