import { describe, expect, it } from "vitest";
import { Captured, ROOT, runProgram, stackConfig } from "./helpers/mocks";
import { buildModel } from "../model/model";
import { rawFromEntries, readStackFile } from "../model/stackfile";
import { renderStack, OUT_FILES } from "../synth/render";
import { parse } from "yaml";

const byType = (resources: Captured[], type: string) => resources.filter((r) => r.type === type);
/** Pulumi's RPC signature of a secret value: the value only counts if it arrives wrapped in it. */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
function secretValue(wrapped: unknown): unknown {
  expect(wrapped).toMatchObject(SECRET_SIG);
  return (wrapped as { value: unknown }).value;
}
const PD_KEY = "pd-test-integration-key-5f1c";
const SLACK_URL = "https://hooks.slack.test/T000/B000/secret-xyz";

describe("the whole program under mocks", () => {
  it("dev creates the folder, three dashboards, five rule groups and the PrometheusRule, and no contact point", async () => {
    const { resources, outputs } = await runProgram("dev", stackConfig("dev"));
    const names = resources.map((r) => `${r.type} ${r.name}`).sort();
    expect(names).toEqual([
      "qmtl:observability:SeamlessObservability seamless",
      "pulumi:providers:grafana seamless-grafana",
      "qmtl:observability:SeamlessDashboards seamless-dashboards",
      "grafana:oss/folder:Folder seamless-dashboards-folder",
      "grafana:oss/dashboard:Dashboard seamless-dashboards-sla-overview",
      "grafana:oss/dashboard:Dashboard seamless-dashboards-backfill-health",
      "grafana:oss/dashboard:Dashboard seamless-dashboards-conformance-quality",
      "qmtl:observability:SeamlessContactPoints seamless-contact-points",
      "qmtl:observability:SeamlessAlertRules seamless-alerts",
      "grafana:alerting/ruleGroup:RuleGroup seamless-alerts-seamless-slo",
      "grafana:alerting/ruleGroup:RuleGroup seamless-alerts-seamless-sla",
      "grafana:alerting/ruleGroup:RuleGroup seamless-alerts-seamless-backfill",
      "grafana:alerting/ruleGroup:RuleGroup seamless-alerts-seamless-conformance",
      "grafana:alerting/ruleGroup:RuleGroup seamless-alerts-seamless-instrumentation",
      "pulumi:providers:kubernetes seamless-kubernetes",
      "qmtl:observability:SeamlessPrometheusRule seamless-prometheus",
      "kubernetes:monitoring.coreos.com/v1:PrometheusRule seamless-prometheus-rule",
    ].sort());
    const folder = byType(resources, "grafana:oss/folder:Folder")[0];
    expect(folder.inputs).toMatchObject({ title: "Seamless (dev)", uid: "seamless-dev", orgId: "1", preventDestroyIfNotEmpty: true });
    expect(outputs.folderUid).toBe("seamless-dev");
    expect(outputs.ruleGroups).toEqual(["seamless-slo", "seamless-sla", "seamless-backfill", "seamless-conformance", "seamless-instrumentation"]);
    expect((outputs.gatedAlerts as Record<string, string>).SeamlessSloBurnRatePage).toBe("not emitted in dev yet: seamless_sla_deadline_seconds");
    expect(outputs.dashboardUrls).toEqual({
      "Seamless SLA Overview": "https://grafana.test/d/seamless-dev-sla-overview",
      "Backfill Coordinator Health": "https://grafana.test/d/seamless-dev-backfill-health",
      "Conformance Quality": "https://grafana.test/d/seamless-dev-conformance-quality",
    });
  });

  it("pauses rules whose metrics are not emitted and says why in an annotation", async () => {
    const { resources } = await runProgram("dev", stackConfig("dev"));
    const slo = byType(resources, "grafana:alerting/ruleGroup:RuleGroup").find((r) => r.inputs.name === "seamless-slo")!;
    const rules = slo.inputs.rules as Array<{ name: string; isPaused: boolean; annotations: Record<string, string> }>;
    expect(rules.map((r) => [r.name, r.isPaused, r.annotations.gated_reason])).toEqual([
      ["SeamlessSloBurnRatePage", true, "not emitted in dev yet: seamless_sla_deadline_seconds"],
      ["SeamlessSloBurnRateTicket", true, "not emitted in dev yet: seamless_sla_deadline_seconds"],
    ]);
    const backfill = byType(resources, "grafana:alerting/ruleGroup:RuleGroup").find((r) => r.inputs.name === "seamless-backfill")!;
    expect((backfill.inputs.rules as Array<{ name: string; isPaused: boolean }>).map((r) => [r.name, r.isPaused])).toEqual([
      ["SeamlessBackfillLeaseStuck", true],
      ["SeamlessBackfillFailures", false],
    ]);
  });

  it("every resource input equals the synth output built from the same model", async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const { resources } = await runProgram(stack, stackConfig(stack));
      const files = renderStack(buildModel(readStackFile(ROOT, stack)));
      for (const d of byType(resources, "grafana:oss/dashboard:Dashboard")) {
        const json = JSON.parse(String(d.inputs.configJson));
        const slug = d.name.replace("seamless-dashboards-", "");
        expect(json).toEqual(JSON.parse(files.get(OUT_FILES.dashboard(slug))!));
      }
      const groups = byType(resources, "grafana:alerting/ruleGroup:RuleGroup")
        .map((r) => r.inputs)
        .sort((a, b) => JSON.parse(files.get(OUT_FILES.ruleGroups)!).findIndex((g: { name: string }) => g.name === a.name) - JSON.parse(files.get(OUT_FILES.ruleGroups)!).findIndex((g: { name: string }) => g.name === b.name));
      expect(groups).toEqual(JSON.parse(files.get(OUT_FILES.ruleGroups)!));
      const k8s = byType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0].inputs;
      expect(k8s).toEqual(parse(files.get(OUT_FILES.prometheusRule)!));
    }
  });

  it("prod protects every Grafana and Kubernetes resource; dev protects none", async () => {
    // protect is a resource option, visible to mocks only through the model; assert the model decision the components read
    expect(buildModel(readStackFile(ROOT, "prod")).config.protect).toBe(true);
    expect(buildModel(readStackFile(ROOT, "dev")).config.protect).toBe(false);
  });

  it("with both flags on, creates the template and both contact points with secret inputs that never leak", async () => {
    const config = stackConfig("staging", {
      "seamless:notifications": { pagerduty: { enabled: true }, slack: { enabled: true, channel: "#seamless-staging" } },
      "seamless:pagerdutyIntegrationKey": PD_KEY,
      "seamless:slackWebhookUrl": SLACK_URL,
    });
    const { resources, outputs, logs } = await runProgram("staging", config, ["seamless:pagerdutyIntegrationKey", "seamless:slackWebhookUrl"]);
    const cps = byType(resources, "grafana:alerting/contactPoint:ContactPoint").sort((a, b) => a.name.localeCompare(b.name));
    expect(cps.map((c) => c.inputs.name)).toEqual(["seamless-staging-critical", "seamless-staging-warning"]);
    const critical = cps[0].inputs;
    // the engine sees the integrations as Pulumi secrets (the RPC secret signature wraps them)
    expect(secretValue(critical.pagerduties)).toEqual([
      {
        class: "{{ .CommonLabels.alertname }}",
        client: "Grafana",
        clientUrl: "{{ .ExternalURL }}",
        component: "seamless",
        details: { dashboard_url: "{{ .CommonAnnotations.dashboard_url }}", description: '{{ template "seamless_staging.text" . }}', environment: "staging", runbook_url: "{{ .CommonAnnotations.runbook_url }}" },
        group: "staging",
        integrationKey: PD_KEY,
        severity: "{{ .CommonLabels.severity }}",
        source: "seamless-staging",
        summary: '{{ template "seamless_staging.title" . }}',
      },
    ]);
    expect(secretValue(critical.slacks)).toEqual([
      { recipient: "#seamless-staging", text: '{{ template "seamless_staging.text" . }}', title: '{{ template "seamless_staging.title" . }}', url: SLACK_URL },
    ]);
    expect(cps[1].inputs.pagerduties).toBeUndefined();
    expect(secretValue(cps[1].inputs.slacks)).toEqual(secretValue(critical.slacks));
    expect(byType(resources, "grafana:alerting/messageTemplate:MessageTemplate").map((t) => t.inputs.name)).toEqual(["seamless-staging"]);
    const page = (byType(resources, "grafana:alerting/ruleGroup:RuleGroup").find((r) => r.inputs.name === "seamless-slo")!.inputs.rules as Array<{ name: string; notificationSettings?: { contactPoint: string } }>)[0];
    expect(page.notificationSettings?.contactPoint).toBe("seamless-staging-critical");
    const visible = JSON.stringify(outputs) + logs.join("\n");
    expect(visible).not.toContain(PD_KEY);
    expect(visible).not.toContain(SLACK_URL);
    // the contact points and template are the synth file's, secrets aside (synth prints [secret])
    const synthConfig = { ...config, "seamless:pagerdutyIntegrationKey": { secure: "v1:x" }, "seamless:slackWebhookUrl": { secure: "v1:x" } };
    const file = JSON.parse(renderStack(buildModel(rawFromEntries("Pulumi.staging.yaml", Object.entries(synthConfig)))).get(OUT_FILES.contactPoints)!) as { contactPoints: unknown[]; messageTemplate: { name: string; template: string } };
    const masked = (list: unknown) => JSON.parse(JSON.stringify(secretValue(list)).replaceAll(PD_KEY, "[secret]").replaceAll(SLACK_URL, "[secret]"));
    expect(cps.map((c) => ({ name: c.inputs.name, ...(c.inputs.pagerduties ? { pagerduties: masked(c.inputs.pagerduties) } : {}), slacks: masked(c.inputs.slacks) }))).toEqual(file.contactPoints);
    const template = byType(resources, "grafana:alerting/messageTemplate:MessageTemplate")[0].inputs;
    expect({ name: template.name, template: template.template }).toEqual(file.messageTemplate);
    // the stack outputs say, per integration, which alerts reach it and which are held back
    const paging = outputs.paging as Record<string, { reaches: string[]; heldBack: Record<string, string> }>;
    expect(paging.pagerduty.reaches).toEqual(["SeamlessSloBurnRatePage"]);
    expect(paging.slack.reaches).toEqual(["SeamlessSloBurnRatePage", "SeamlessSloBurnRateTicket", "SeamlessPhaseBudgetStorageWait", "SeamlessPhaseBudgetBackfillWait", "SeamlessPhaseBudgetLiveWait", "SeamlessBackfillLeaseStuck", "SeamlessBackfillFailures", "SeamlessConformanceFlagSpike", "SeamlessInstrumentationLost"]);
    expect(paging.slack.heldBack).toEqual({
      SeamlessCoverageLow: "paused: not emitted in staging yet: coverage_ratio",
      SeamlessLiveStale: "paused: not emitted in staging yet: live_staleness_seconds",
      SeamlessSchemaValidationFailures: "paused: not emitted in staging yet: seamless_schema_validation_failures_total",
    });
  });

  it("refuses a flag that is on without its secret, naming the stack file and key", async () => {
    const config = stackConfig("staging", { "seamless:notifications": { slack: { enabled: true } } });
    await expect(runProgram("staging", config)).rejects.toThrow(
      "Pulumi.staging.yaml: 1 config problem:\n  - seamless:notifications.slack.enabled = true: is on but neither the secret seamless:slackWebhookUrl nor seamless:slackToken is set. Fix: run: pulumi config set --secret seamless:slackWebhookUrl <value> (or --secret seamless:slackToken <bot token>)",
    );
  });
});
