import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { buildProject } from "../model/project";
import { grafanaUid, isDns1123Label, k8sName } from "../model/names";
import { dashboardUid } from "../dashboards/ids";
import { tempDir } from "./helpers/tmp";

function project(stacks: Record<string, Record<string, unknown>>): string {
  const dir = tempDir("seamless-project-");
  for (const [name, config] of Object.entries(stacks)) writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringify({ config }));
  return dir;
}
const grafana = (url: string, extra: Record<string, unknown> = {}) => ({ url, orgId: 1, ...extra });

describe("identity across stacks", () => {
  it("refuses two stacks that would own the same Grafana org's notification policy, naming both files", () => {
    const slackOn = { slack: { enabled: true } };
    const dir = project({
      a: { "seamless:environment": "alpha", "seamless:grafana": grafana("https://g.test", { manageNotificationPolicy: true }), "seamless:notifications": slackOn, "seamless:slackWebhookUrl": { secure: "v1:x" } },
      b: { "seamless:environment": "beta", "seamless:grafana": grafana("https://g.test", { manageNotificationPolicy: true }), "seamless:notifications": slackOn, "seamless:slackWebhookUrl": { secure: "v1:y" } },
    });
    expect(() => buildProject(dir, ["a", "b"])).toThrow(
      "Pulumi.b.yaml: 1 config problem:\n  - seamless:grafana.manageNotificationPolicy = true: collides with Pulumi.a.yaml on owner of the notification policy https://g.test org 1. Fix: only one stack may own the policy of a Grafana org: set it to false in Pulumi.b.yaml or Pulumi.a.yaml",
    );
  });

  it("refuses two stacks with one environment name in one Grafana, and reports it when only one of them is rendered", () => {
    const dir = project({
      a: { "seamless:environment": "qa", "seamless:grafana": grafana("https://g.test") },
      b: { "seamless:environment": "qa", "seamless:grafana": grafana("https://g.test/") },
    });
    expect(() => buildProject(dir, ["a"])).toThrow(
      'Pulumi.a.yaml: 1 config problem:\n  - seamless:environment = "qa": collides with Pulumi.b.yaml on folder uid https://g.test org 1: seamless-qa; folder title https://g.test org 1: Seamless (qa); dashboard uid https://g.test org 1: seamless-qa-sla-overview and 16 more. Fix: give each stack its own environment name, Grafana org or URL (and Kubernetes namespace or context)',
    );
  });

  it("sees one Grafana behind different spellings of its URL", () => {
    const dir = project({
      a: { "seamless:environment": "prod", "seamless:grafana": grafana("https://grafana.qmtl.example") },
      b: { "seamless:environment": "prod", "seamless:grafana": grafana("https://GRAFANA.qmtl.example:443//"), "seamless:kubernetes": { namespace: "other" } },
    });
    expect(() => buildProject(dir, ["b"])).toThrow('Pulumi.b.yaml: 1 config problem:\n  - seamless:environment = "prod": collides with Pulumi.a.yaml on folder uid https://grafana.qmtl.example org 1: seamless-prod;');
  });

  it("accepts the same environment name in two Grafana orgs with separate PrometheusRule namespaces", () => {
    const dir = project({
      a: { "seamless:environment": "qa", "seamless:grafana": grafana("https://g.test") },
      b: { "seamless:environment": "qa", "seamless:grafana": grafana("https://g.test", { orgId: 2 }), "seamless:kubernetes": { namespace: "observability" } },
    });
    expect([...buildProject(dir, ["a", "b"]).keys()]).toEqual(["a", "b"]);
  });

  it("keeps uids within 40 characters and Kubernetes names valid, with a hash when shortened", () => {
    const env = "a-very-long-env-name";
    expect(dashboardUid(env, "conformanceQuality")).toBe(`${grafanaUid("seamless", env, "conformance-quality")}`);
    expect(dashboardUid(env, "conformanceQuality")).toMatch(/^seamless-a-very-long-env-name-con-[0-9a-f]{6}$/);
    expect(dashboardUid(env, "conformanceQuality").length).toBeLessThanOrEqual(40);
    const long = k8sName("seamless", "x".repeat(80), "rules");
    expect(long.length).toBe(63);
    expect(isDns1123Label(long)).toBe(true);
    expect(isDns1123Label("seamless_v2_observability-recording-rules")).toBe(false);
  });
});
