import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Child, modelOf, runComponent } from "./helpers/component";
import { ConfigError } from "../model/config";
import { SecretKey } from "../model/config";
import { planMarkdown } from "../model/plan";

const CP = "grafana:alerting/contactPoint:ContactPoint";
const GROUP = "grafana:alerting/ruleGroup:RuleGroup";
type Rule = { name: string; isPaused: boolean; notificationSettings?: { contactPoint: string; muteTimings?: string[] } };
const rulesOf = (children: Child[]) => children.filter((c) => c.type === GROUP).flatMap((g) => g.inputs.rules as Rule[]);
const routeOf = (children: Child[], alert: string) => rulesOf(children).find((r) => r.name === alert)?.notificationSettings?.contactPoint ?? "-";

type Flags = { pagerduty: boolean; slack: boolean };
const flagsConfig = (f: Flags, channel = "#seamless-alerts") => ({ "seamless:notifications": { pagerduty: { enabled: f.pagerduty }, slack: { enabled: f.slack, channel } } });
const secretsFor = (f: Flags): SecretKey[] => [...(f.pagerduty ? (["pagerdutyIntegrationKey"] as const) : []), ...(f.slack ? (["slackWebhookUrl"] as const) : [])];

describe("contact points and routing for every flag combination of every stack", () => {
  const combos: Array<[string, Flags, string | { contactPoints: string[]; page: string; failures: string }]> = [
    ["dev", { pagerduty: false, slack: false }, { contactPoints: [], page: "-", failures: "-" }],
    ["dev", { pagerduty: false, slack: true }, { contactPoints: ["seamless-dev-critical", "seamless-dev-warning"], page: "-", failures: "seamless-dev-warning" }],
    ["dev", { pagerduty: true, slack: false }, "would wire pagerduty to alerts that are all paused, because their metrics are not emitted: seamless_sla_deadline_seconds"],
    ["dev", { pagerduty: true, slack: true }, "would wire pagerduty to alerts that are all paused, because their metrics are not emitted: seamless_sla_deadline_seconds"],
    ["staging", { pagerduty: false, slack: false }, { contactPoints: [], page: "-", failures: "-" }],
    ["staging", { pagerduty: false, slack: true }, { contactPoints: ["seamless-staging-critical", "seamless-staging-warning"], page: "seamless-staging-critical", failures: "seamless-staging-warning" }],
    ["staging", { pagerduty: true, slack: false }, { contactPoints: ["seamless-staging-critical"], page: "seamless-staging-critical", failures: "-" }],
    ["staging", { pagerduty: true, slack: true }, { contactPoints: ["seamless-staging-critical", "seamless-staging-warning"], page: "seamless-staging-critical", failures: "seamless-staging-warning" }],
    ["prod", { pagerduty: false, slack: false }, { contactPoints: [], page: "-", failures: "-" }],
    ["prod", { pagerduty: false, slack: true }, { contactPoints: ["seamless-prod-critical", "seamless-prod-warning"], page: "-", failures: "seamless-prod-warning" }],
    ["prod", { pagerduty: true, slack: false }, "would wire pagerduty to alerts that are all paused, because their metrics are not emitted: seamless_sla_deadline_seconds"],
    ["prod", { pagerduty: true, slack: true }, "would wire pagerduty to alerts that are all paused, because their metrics are not emitted: seamless_sla_deadline_seconds"],
  ];
  it.each(combos)("%s with %o", async (stack, flags, expected) => {
    if (typeof expected === "string") {
      expect(() => modelOf(stack, flagsConfig(flags), secretsFor(flags))).toThrow(expected);
      return;
    }
    const children = await runComponent(modelOf(stack, flagsConfig(flags), secretsFor(flags)), { pagerdutyIntegrationKey: "pd", slackWebhookUrl: "https://hooks.test/x" });
    expect(children.filter((c) => c.type === CP).map((c) => c.inputs.name).sort()).toEqual(expected.contactPoints);
    expect(routeOf(children, "SeamlessSloBurnRatePage")).toBe(expected.page);
    expect(routeOf(children, "SeamlessBackfillFailures")).toBe(expected.failures);
    // a paused rule never routes anywhere
    expect(rulesOf(children).filter((r) => r.isPaused && r.notificationSettings)).toEqual([]);
  });
});

describe("the component tree", () => {
  it("parents every child, makes rule groups depend on the contact points, and protects prod only", async () => {
    const flags = { pagerduty: true, slack: true };
    const staging = await runComponent(modelOf("staging", flagsConfig(flags), secretsFor(flags)), { pagerdutyIntegrationKey: "pd", slackWebhookUrl: "https://hooks.test/x" });
    expect(staging.filter((c) => c.name !== "seamless" && c.parent === undefined)).toEqual([]);
    for (const group of staging.filter((c) => c.type === GROUP)) {
      expect(group.dependsOn).toEqual(["seamless-contact-points-critical", "seamless-contact-points-warning"]);
    }
    expect(staging.find((c) => c.type === CP && c.name.endsWith("critical"))?.dependsOn).toEqual(["seamless-contact-points-template"]);
    expect(staging.filter((c) => c.protect)).toEqual([]);
    const prod = await runComponent(modelOf("prod"));
    const grafanaOrK8s = prod.filter((c) => c.type.startsWith("grafana:") || c.type.startsWith("kubernetes:"));
    expect(grafanaOrK8s.map((c) => [c.type, c.protect])).toEqual(grafanaOrK8s.map((c) => [c.type, true]));
  });

  it.each([
    { pagerduty: true, slack: true },
    { pagerduty: true, slack: false },
    { pagerduty: false, slack: true },
    { pagerduty: false, slack: false },
  ])("pagerduty $pagerduty, slack $slack: a rule group depends on every contact point and mute timing its rules name, so a flag turned off updates the rules before the contact point is deleted", async (flags) => {
    const extra = { "seamless:notifications": { ...flagsConfig(flags)["seamless:notifications"], muteTimings: [{ name: "night", intervals: [{ times: [{ start: "01:00", end: "03:00" }] }] }] } };
    const children = await runComponent(modelOf("staging", extra, secretsFor(flags)), { pagerdutyIntegrationKey: "pd", slackWebhookUrl: "https://hooks.test/x" });
    const resourceOf = new Map(children.filter((c) => c.type === CP || c.type === "grafana:alerting/muteTiming:MuteTiming").map((c) => [c.inputs.name as string, c.name]));
    for (const group of children.filter((c) => c.type === GROUP)) {
      const named = (group.inputs.rules as Rule[]).flatMap((r) => (r.notificationSettings ? [r.notificationSettings.contactPoint, ...(r.notificationSettings.muteTimings ?? [])] : []));
      for (const name of named) expect(group.dependsOn, `${group.name} names ${name}`).toContain(resourceOf.get(name));
    }
    // with both flags off nothing is named, and no contact point exists to be deleted early
    if (!flags.pagerduty && !flags.slack) expect(children.filter((c) => c.type === CP)).toEqual([]);
  });

  it("takes grouping and timings from config into every routed rule", async () => {
    const flags = { pagerduty: false, slack: true };
    const extra = { "seamless:notifications": { ...flagsConfig(flags)["seamless:notifications"], groupBy: ["alertname", "grafana_folder", "node_id"], groupWait: "45s", groupInterval: "10m", repeatInterval: "12h" } };
    const children = await runComponent(modelOf("staging", extra, secretsFor(flags)), { slackWebhookUrl: "https://hooks.test/x" });
    const ticket = rulesOf(children).find((r) => r.name === "SeamlessSloBurnRateTicket")!;
    expect(ticket.notificationSettings).toEqual({ contactPoint: "seamless-staging-warning", groupBies: ["alertname", "grafana_folder", "node_id"], groupWait: "45s", groupInterval: "10m", repeatInterval: "12h" });
  });

  it("passes every secret to the contact points as a Pulumi secret", async () => {
    const flags = { pagerduty: true, slack: true };
    const children = await runComponent(modelOf("staging", flagsConfig(flags), secretsFor(flags)), { pagerdutyIntegrationKey: "pd-1", slackWebhookUrl: "https://hooks.test/1" });
    const critical = children.find((c) => c.type === CP && c.name.endsWith("critical"))!;
    const pd = (critical.props.pagerduties as Array<{ integrationKey: pulumi.Output<string> }>)[0];
    const slack = (critical.props.slacks as Array<{ url: pulumi.Output<string> }>)[0];
    expect(await pulumi.isSecret(pd.integrationKey)).toBe(true);
    expect(await pulumi.isSecret(slack.url)).toBe(true);
  });

  it("a key rotation changes the contact point's inputs, so preview shows an update", async () => {
    const flags = { pagerduty: true, slack: false };
    const model = modelOf("staging", flagsConfig(flags), secretsFor(flags));
    const key = async (value: string) => {
      const children = await runComponent(model, { pagerdutyIntegrationKey: value });
      return JSON.stringify(children.find((c) => c.type === CP)!.inputs);
    };
    const before = await key("pd-old");
    const after = await key("pd-new");
    expect(before).toContain("pd-old");
    expect(after).toContain("pd-new");
    expect(after).toBe(before.replace("pd-old", "pd-new"));
  });

  it("with both flags off, rules carry no notification settings and follow the org's default policy, as the plan says", async () => {
    const model = modelOf("staging");
    const children = await runComponent(model);
    expect(rulesOf(children).map((r) => r.notificationSettings)).toEqual(rulesOf(children).map(() => undefined));
    expect(children.filter((c) => c.type.startsWith("grafana:alerting/notificationPolicy"))).toEqual([]);
    expect(planMarkdown(model)).toContain("| SeamlessSloBurnRatePage | critical | org default policy (not managed here) | no critical integration is on in staging: follows the org's default notification policy |");
  });

  it("the plan warns that alerts mirrored into the PrometheusRule also notify through the cluster's Alertmanager", () => {
    expect(planMarkdown(modelOf("prod"))).toContain(
      "Mirrored into the PrometheusRule (seamless:kubernetes.mirrorAlerts): SeamlessBackfillFailures, SeamlessConformanceFlagSpike, SeamlessInstrumentationLost. The cluster's Prometheus also evaluates these and sends them to its Alertmanager, whose routing this stack does not manage: each can notify twice, once from Grafana as above and once from Alertmanager.",
    );
    expect(planMarkdown(modelOf("staging"))).not.toContain("Mirrored into the PrometheusRule");
    // and it names what a change would replace
    expect(planMarkdown(modelOf("prod"))).toContain(
      "Identity: org 1, folder uid seamless-prod, dashboard uids seamless-prod-sla-overview, seamless-prod-backfill-health, seamless-prod-conformance-quality. **A change to any of these replaces the resource in Grafana**",
    );
  });

  it("mute timings apply to the paging routes only", async () => {
    const flags = { pagerduty: true, slack: true };
    const extra = { ...flagsConfig(flags), "seamless:notifications": { pagerduty: { enabled: true }, slack: { enabled: true }, muteTimings: [{ name: "release-window", intervals: [{ weekdays: ["saturday", "sunday"], times: [{ start: "02:00", end: "04:00" }] }] }] } };
    const children = await runComponent(modelOf("staging", extra, secretsFor(flags)), { pagerdutyIntegrationKey: "pd", slackWebhookUrl: "https://hooks.test/x" });
    const mute = children.find((c) => c.type === "grafana:alerting/muteTiming:MuteTiming")!;
    expect(mute.inputs).toEqual({ name: "seamless-staging-release-window", orgId: "1", intervals: [{ times: [{ start: "02:00", end: "04:00" }], weekdays: ["saturday", "sunday"] }] });
    const page = rulesOf(children).find((r) => r.name === "SeamlessSloBurnRatePage")!;
    const ticket = rulesOf(children).find((r) => r.name === "SeamlessSloBurnRateTicket")!;
    expect(page.notificationSettings?.muteTimings).toEqual(["seamless-staging-release-window"]);
    expect(ticket.notificationSettings?.muteTimings).toBeUndefined();
    expect(planMarkdown(modelOf("staging", extra, secretsFor(flags)))).toContain("| grafana:alerting/muteTiming:MuteTiming | seamless-staging-release-window | create | maintenance window on the paging (critical) routes |");
    // with no critical integration on, the plan says the window mutes nothing yet
    const off = { "seamless:notifications": { muteTimings: extra["seamless:notifications"].muteTimings } };
    expect(planMarkdown(modelOf("staging", off))).toContain("| grafana:alerting/muteTiming:MuteTiming | seamless-staging-release-window | create | maintenance window for the paging (critical) routes; unused while no critical integration is on |");
  });
});

describe("owning the org's notification policy (opt-in)", () => {
  const managed = (flags: Flags) => ({ ...flagsConfig(flags), "seamless:grafana": { url: "https://grafana.staging.qmtl.example", manageNotificationPolicy: true } });
  it.each([
    [{ pagerduty: false, slack: true }, "seamless-staging-warning"],
    [{ pagerduty: true, slack: true }, "seamless-staging-warning"],
  ])("with flags %o every receiver the tree names exists and the default goes to %s", async (flags, fallback) => {
    const children = await runComponent(modelOf("staging", managed(flags), secretsFor(flags)), { pagerdutyIntegrationKey: "pd", slackWebhookUrl: "https://hooks.test/x" });
    const policy = children.find((c) => c.type === "grafana:alerting/notificationPolicy:NotificationPolicy")!;
    const created = children.filter((c) => c.type === CP).map((c) => c.inputs.name);
    const named = [policy.inputs.contactPoint, ...(policy.inputs.policies as Array<{ contactPoint: string }>).map((p) => p.contactPoint)];
    expect(named.filter((n) => !created.includes(n))).toEqual([]);
    expect(policy.inputs.contactPoint).toBe(fallback);
    expect(policy.dependsOn.sort()).toEqual(children.filter((c) => c.type === CP).map((c) => c.name).sort());
    // the tree routes; rules carry no simplified-routing settings
    expect(rulesOf(children).filter((r) => r.notificationSettings)).toEqual([]);
  });

  it("is refused with both flags off", () => {
    expect(() => modelOf("staging", managed({ pagerduty: false, slack: false }))).toThrow(ConfigError);
    expect(() => modelOf("staging", managed({ pagerduty: false, slack: false }))).toThrow(
      "seamless:grafana.manageNotificationPolicy = true: needs a contact point for the policy's default route, but PagerDuty and Slack are both off. Fix: turn on seamless:notifications.slack.enabled for the default route, or leave the org's policy alone (false)",
    );
  });

  it("is refused with PagerDuty alone, whose default route would page every warning of the org", () => {
    const flags = { pagerduty: true, slack: false };
    expect(() => modelOf("staging", managed(flags), secretsFor(flags))).toThrow(
      "seamless:grafana.manageNotificationPolicy = true: would send the policy's default route (every warning, and every other alert of the org) to PagerDuty, because Slack is off.",
    );
  });
});
