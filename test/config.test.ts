import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../model/config";
import { buildModel } from "../model/model";
import { readStackFile, rawFromEntries } from "../model/stackfile";
import { ROOT } from "./helpers/mocks";

const raw = (values: Record<string, unknown>) => rawFromEntries("Pulumi.test.yaml", Object.entries({ "seamless:environment": "test", ...values }));
const messageOf = (values: Record<string, unknown>) => {
  try {
    buildModel(raw(values));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("stack config", () => {
  it("accepts the three committed stack files", () => {
    expect(["dev", "staging", "prod"].map((s) => buildModel(readStackFile(ROOT, s)).config.slo.objective)).toEqual([0.99, 0.99, 0.999]);
  });

  it("fills defaults from the schema and the catalogue", () => {
    const config = parseStackConfig(raw({}));
    expect(config.metrics.emitted).toEqual(["backfill_jobs_in_progress", "backfill_last_timestamp", "backfill_failure_total", "backfill_retry_total", "seamless_conformance_flag_total"]);
    expect(config.kubernetes.ruleSelectorLabels).toEqual({ release: "kube-prometheus-stack" });
    expect(config.notifications.pagerduty.enabled).toBe(false);
    expect(config.slo.burnRate).toEqual({ page: { long: "1h", short: "5m", factor: 14.4 }, ticket: { long: "6h", short: "30m", factor: 6 } });
  });

  it("writes durations canonically", () => {
    expect(parseStackConfig(raw({ "seamless:alerts": { staleLeaseWindow: "60m" } })).alerts.staleLeaseWindow).toBe("1h");
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      "an objective of 1.5 and an unknown key with a near neighbour, reported together",
      { "seamless:slo": { objective: 1.5, deadlineSecond: 5 } },
      'Pulumi.test.yaml: 2 config problems:\n  - seamless:slo.objective = 1.5: must be a ratio below 1. Fix: set seamless:slo.objective to a valid value (see README, "Config keys")\n  - seamless:slo.deadlineSecond: is not a known key. Fix: did you mean seamless:slo.deadlineSeconds? Known keys here: objective, window, deadlineSeconds, exactBuckets, burnRate',
    ],
    [
      "a missing environment",
      { "seamless:environment": undefined },
      'Pulumi.test.yaml: 1 config problem:\n  - seamless:environment: is required but not set. Fix: set seamless:environment in the stack file (see README, "Config keys")',
    ],
    [
      "a flag typo under notifications",
      { "seamless:notifications": { pagerduty: { enabeld: true } } },
      "Pulumi.test.yaml: 1 config problem:\n  - seamless:notifications.pagerduty.enabeld: is not a known key. Fix: did you mean seamless:notifications.pagerduty.enabled? Known keys here: enabled",
    ],
    [
      "a secret in plain text",
      { "seamless:slackWebhookUrl": "https://hooks.slack.test/x" },
      "Pulumi.test.yaml: 1 config problem:\n  - seamless:slackWebhookUrl: is a secret written in plain text. Fix: remove it from the file and run: pulumi config set --secret seamless:slackWebhookUrl <value>",
    ],
    [
      "a misspelt emitted metric",
      { "seamless:metrics": { emitted: ["backfill_jobs_in_progres"] } },
      "Pulumi.test.yaml: 1 config problem:\n  - seamless:metrics.emitted.0 = \"backfill_jobs_in_progres\": is not a catalogue metric. Fix: did you mean backfill_jobs_in_progress?",
    ],
    [
      "QMTL's own 240s deadline over the default buckets",
      { "seamless:slo": { deadlineSeconds: 240 } },
      'Pulumi.test.yaml: 1 config problem:\n  - seamless:slo.deadlineSeconds = 240: 240 seconds is above the largest finite bucket of seamless_sla_deadline_seconds (le="10.0", next is +Inf): every slower request lands in +Inf, so this can never be measured. Fix: lower the value to at most 10, or declare the runtime\'s real bounds in seamless:metrics.buckets.seamless_sla_deadline_seconds once it exports larger buckets',
    ],
    [
      "a deadline between buckets when exact bounds are required",
      { "seamless:slo": { deadlineSeconds: 4, exactBuckets: true } },
      'Pulumi.test.yaml: 2 config problems:\n  - seamless:slo.deadlineSeconds = 4: 4 seconds falls between the buckets le="2.5" and le="5.0" of seamless_sla_deadline_seconds and seamless:slo.exactBuckets is on. Fix: use 2.5 or 5, or turn seamless:slo.exactBuckets off to accept an interpolated estimate\n  - seamless:policy.maxWaitStorageMs = 2000: 2000 ms falls between the buckets le="1.0" and le="2.5" of seamless_sla_deadline_seconds and seamless:slo.exactBuckets is on. Fix: use 1000 or 2500, or turn seamless:slo.exactBuckets off to accept an interpolated estimate',
    ],
    [
      "an override of an alert that does not exist",
      { "seamless:alerts": { overrides: { SeamlessSloBurnRatePages: { disabled: true } } } },
      "Pulumi.test.yaml: 1 config problem:\n  - seamless:alerts.overrides.SeamlessSloBurnRatePages: names no seamless-* alert. Fix: did you mean SeamlessSloBurnRatePage?",
    ],
    [
      "PagerDuty on where every critical alert is paused",
      { "seamless:notifications": { pagerduty: { enabled: true } }, "seamless:pagerdutyIntegrationKey": { secure: "v1:abc" } },
      "Pulumi.test.yaml: 1 config problem:\n  - seamless:notifications.pagerduty.enabled = true: would wire pagerduty to alerts that are all paused, because their metrics are not emitted: seamless_sla_deadline_seconds. Fix: keep it off until the runtime emits them and list them in seamless:metrics.emitted, or set seamless:notifications.allowInactivePaging to true",
    ],
    [
      "an evaluation interval Grafana cannot run",
      { "seamless:alerts": { evaluationInterval: "45s" } },
      "Pulumi.test.yaml: 1 config problem:\n  - seamless:alerts.evaluationInterval = \"45s\": must be a non-zero multiple of 10s (Grafana evaluates rule groups in 10s steps). Fix: use 30s, 1m or 2m",
    ],
  ];
  it.each(cases)("refuses %s with the exact message", (_name, values, message) => {
    expect(messageOf(values)).toBe(message);
  });

  it("reports a missing stack file and lists the known stacks", () => {
    expect(() => readStackFile(ROOT, "qa")).toThrow("Pulumi.qa.yaml: 1 config problem:\n  - (file): no such stack file. Fix: known stacks: dev, prod, staging; create it with: pulumi stack init qa");
  });
});
