import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../model/config";
import { buildModel } from "../model/model";
import { readStackFile, rawFromEntries } from "../model/stackfile";
import { ROOT } from "./helpers/mocks";

/** A DNS subdomain of 304 characters: five labels of 60. */
const LONG_PREFIX = Array(5).fill("a".repeat(60)).join(".");
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

  it("takes a Slack channel ID as well as a #name", () => {
    expect(parseStackConfig(raw({ "seamless:notifications": { slack: { channel: "C0123ABCD" } } })).notifications.slack.channel).toBe("C0123ABCD");
  });

  it("writes durations canonically", () => {
    expect(parseStackConfig(raw({ "seamless:alerts": { staleLeaseWindow: "60m" } })).alerts.staleLeaseWindow).toBe("1h");
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      "an objective of 1.5 and an unknown key with a near neighbour, reported together",
      { "seamless:slo": { objective: 1.5, deadlineSecond: 5 } },
      'Pulumi.test.yaml: 2 config problems:\n  - seamless:slo.objective = 1.5: must be at most 0.99999 (an objective such as 0.999). Fix: set seamless:slo.objective to a valid value (see README, "Config keys")\n  - seamless:slo.deadlineSecond: is not a known key. Fix: did you mean seamless:slo.deadlineSeconds? Known keys here: objective, window, deadlineSeconds, exactBuckets, burnRate',
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
      "Pulumi.test.yaml: 1 config problem:\n  - seamless:slackWebhookUrl: is a secret written in plain text (Pulumi encrypts only a map holding `secure:` alone). Fix: remove it from the file and run: pulumi config set --secret seamless:slackWebhookUrl <value>",
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
  const one = (key: string, rest: string) => `Pulumi.test.yaml: 1 config problem:\n  - ${key}${rest}`;
  cases.push(
    ["an empty mute-timing interval, which would mute paging forever", { "seamless:notifications": { muteTimings: [{ name: "night", intervals: [{}] }] } }, one("seamless:notifications.muteTimings.0.intervals.0", ' = {}: needs at least one of times, weekdays, daysOfMonth, months, years: an empty interval matches always and would mute paging forever. Fix: set seamless:notifications.muteTimings.0.intervals.0 to a valid value (see README, "Config keys")')],
    ["a mute window across midnight", { "seamless:notifications": { muteTimings: [{ name: "night", intervals: [{ times: [{ start: "23:00", end: "01:00" }] }] }] } }, one("seamless:notifications.muteTimings.0.intervals.0.times.0", ' = {"start":"23:00","end":"01:00"}: start must be before end (split a window across midnight into two). Fix: set seamless:notifications.muteTimings.0.intervals.0.times.0 to a valid value (see README, "Config keys")')],
    ["a reversed weekday range and an unknown time zone", { "seamless:notifications": { muteTimings: [{ name: "w", intervals: [{ weekdays: ["friday:monday"], location: "Mars/Olympus_Mons" }] }] } }, 'Pulumi.test.yaml: 2 config problems:\n  - seamless:notifications.muteTimings.0.intervals.0.weekdays.0 = "friday:monday": must be a value or an ordered range such as monday:friday (weeks start on sunday, so a weekend is saturday and sunday as two entries). Fix: set seamless:notifications.muteTimings.0.intervals.0.weekdays.0 to a valid value (see README, "Config keys")\n  - seamless:notifications.muteTimings.0.intervals.0.location = "Mars/Olympus_Mons": must be an IANA time zone such as Europe/Berlin or UTC. Fix: set seamless:notifications.muteTimings.0.intervals.0.location to a valid value (see README, "Config keys")'],
    ["a zero stale-lease window", { "seamless:alerts": { staleLeaseWindow: "0s" } }, one("seamless:alerts.staleLeaseWindow", ' = "0s": must be longer than 0s. Fix: set seamless:alerts.staleLeaseWindow to a valid value (see README, "Config keys")')],
    ["an SLO window beyond any retention", { "seamless:slo": { window: "20000w" } }, one("seamless:slo.window", ' = "20000w": must be at most 400d. Fix: set seamless:slo.window to a valid value (see README, "Config keys")')],
    ["credentials in the Grafana URL", { "seamless:grafana": { url: "https://admin:pw@grafana.test" } }, one("seamless:grafana.url", ' = "https://[credentials]@grafana.test": must not contain credentials (they would be written into every alert); put them in the secret seamless:grafanaAuth. Fix: set seamless:grafana.url to a valid value (see README, "Config keys")')],
    ["a javascript: runbook URL", { "seamless:alerts": { runbookBaseUrl: "javascript:alert(1)" } }, one("seamless:alerts.runbookBaseUrl", ' = "javascript:alert(1)": must be a URL. Fix: set seamless:alerts.runbookBaseUrl to a valid value (see README, "Config keys")')],
    ["an environment that is a number", { "seamless:environment": 123 }, one("seamless:environment", ' = 123: must be text: the environment name (dev, staging, prod). Fix: set seamless:environment to a valid value (see README, "Config keys")')],
    ["a typo inside an alert override", { "seamless:alerts": { overrides: { SeamlessBackfillFailures: { treshold: 3 } } } }, one("seamless:alerts.overrides.SeamlessBackfillFailures.treshold", ": is not a known key. Fix: did you mean seamless:alerts.overrides.SeamlessBackfillFailures.threshold? Known keys here: threshold, for, severity, disabled")],
    ["a threshold the alert can never fire at", { "seamless:alerts": { overrides: { SeamlessCoverageLow: { threshold: -5 } } } }, one("seamless:alerts.overrides.SeamlessCoverageLow.threshold", " = -5: is outside what SeamlessCoverageLow can fire at (a ratio between 0 and 1). Fix: use a value above 0 and below 1")],
    ["no selector labels for the PrometheusRule", { "seamless:kubernetes": { ruleSelectorLabels: {} } }, one("seamless:kubernetes.ruleSelectorLabels", ' = {}: must hold the labels your Prometheus\' ruleSelector matches (an empty map is picked up by no Prometheus that selects). Fix: set seamless:kubernetes.ruleSelectorLabels to a valid value (see README, "Config keys")')],
    ["a blank folder title", { "seamless:grafana": { folderTitle: "   " } }, one("seamless:grafana.folderTitle", ' = "   ": must not be blank or start or end with spaces. Fix: set seamless:grafana.folderTitle to a valid value (see README, "Config keys")')],
    ["a key in a misspelt namespace", { "seamles:slo": { deadlineSeconds: 99 } }, one("seamles:slo", ': is in the namespace "seamles", which this program never reads. Fix: did you mean seamless:slo?')],
    ["a key without namespace", { environment: "dev" }, one("environment", ": has no namespace, so Pulumi would not pass it to this program. Fix: write it as seamless:environment")],
    ["a __proto__ key", { "seamless:__proto__": { environment: "evil" } }, one("seamless:__proto__", ": is not a known key. Fix: known keys here: environment, protect, grafana, slo, policy, metrics, alerts, notifications, kubernetes")],
    [
      "PagerDuty on with its only critical alert disabled",
      { "seamless:metrics": { emitted: ["seamless_sla_deadline_seconds"] }, "seamless:alerts": { overrides: { SeamlessSloBurnRatePage: { disabled: true } } }, "seamless:notifications": { pagerduty: { enabled: true } }, "seamless:pagerdutyIntegrationKey": { secure: "v1:x" } },
      one("seamless:notifications.pagerduty.enabled", " = true: would wire pagerduty to no alert: every alert it would receive is disabled in seamless:alerts.overrides. Fix: turn pagerduty off, or enable an alert of severity critical"),
    ],
    [
      "problems of every stage at once (a plaintext secret and an unknown override)",
      { "seamless:slackWebhookUrl": "https://hooks.slack.test/x", "seamless:alerts": { overrides: { Nope: {} } } },
      "Pulumi.test.yaml: 2 config problems:\n  - seamless:slackWebhookUrl: is a secret written in plain text (Pulumi encrypts only a map holding `secure:` alone). Fix: remove it from the file and run: pulumi config set --secret seamless:slackWebhookUrl <value>\n  - seamless:alerts.overrides.Nope: names no seamless-* alert. Fix: known alerts: SeamlessSloBurnRatePage, SeamlessSloBurnRateTicket, SeamlessPhaseBudgetStorageWait, SeamlessPhaseBudgetBackfillWait, SeamlessPhaseBudgetLiveWait, SeamlessCoverageLow, SeamlessLiveStale, SeamlessBackfillLeaseStuck, SeamlessBackfillFailures, SeamlessConformanceFlagSpike, SeamlessSchemaValidationFailures, SeamlessInstrumentationLost",
    ],
    // found by trying to break the stack with bad config
    ["a weekend written as saturday:sunday (Alertmanager counts from sunday)", { "seamless:notifications": { muteTimings: [{ name: "w", intervals: [{ weekdays: ["saturday:sunday"] }] }] } }, one("seamless:notifications.muteTimings.0.intervals.0.weekdays.0", ' = "saturday:sunday": must be a value or an ordered range such as monday:friday (weeks start on sunday, so a weekend is saturday and sunday as two entries). Fix: set seamless:notifications.muteTimings.0.intervals.0.weekdays.0 to a valid value (see README, "Config keys")')],
    ["... with other labels in groupBy", { "seamless:notifications": { groupBy: ["...", "alertname"] } }, one("seamless:notifications.groupBy", ' = ["...","alertname"]: must be [...] alone when it holds ... (group by every label). Fix: set seamless:notifications.groupBy to a valid value (see README, "Config keys")')],
    ["a label named twice in groupBy", { "seamless:notifications": { groupBy: ["alertname", "grafana_folder", "alertname"] } }, one("seamless:notifications.groupBy", ' = ["alertname","grafana_folder","alertname"]: must not name a label twice. Fix: set seamless:notifications.groupBy to a valid value (see README, "Config keys")')],
    ["a repeat interval shorter than the group interval", { "seamless:notifications": { groupInterval: "10m", repeatInterval: "1m" } }, one("seamless:notifications.repeatInterval", ' = "1m": is shorter than seamless:notifications.groupInterval (10m); Grafana refuses that. Fix: use a repeat interval at least as long as the group interval (4h is usual)')],
    ["a Grafana URL with a query and fragment", { "seamless:grafana": { url: "https://g.test/a?b=c#frag" } }, one("seamless:grafana.url", ' = "https://g.test/a?b=c#frag": must not have a query (?...) or fragment (#...): paths are appended to it. Fix: set seamless:grafana.url to a valid value (see README, "Config keys")')],
    ["an environment ending in -", { "seamless:environment": "t1-" }, one("seamless:environment", ' = "t1-": must be lower-case letters, digits and \'-\', start with a letter, not end with \'-\', at most 20 characters. Fix: set seamless:environment to a valid value (see README, "Config keys")')],
    ["a metric listed twice", { "seamless:metrics": { emitted: ["backfill_jobs_in_progress", "backfill_jobs_in_progress"] } }, one("seamless:metrics.emitted.1", ' = "backfill_jobs_in_progress": is listed twice. Fix: list each metric once')],
    ["an SLO window shorter than the ticket window", { "seamless:slo": { window: "1h" } }, one("seamless:slo.window", ' = "1h": is shorter than the longest burn-rate window (6h), so the error budget is spent before an alert can see it. Fix: use an SLO window of at least 6h (30d is usual)')],
    ["an objective too low to mean anything", { "seamless:slo": { objective: 0.1 } }, one("seamless:slo.objective", ' = 0.1: must be at least 0.5 (an objective such as 0.99). Fix: set seamless:slo.objective to a valid value (see README, "Config keys")')],
    ["an infinite deadline, printed as Infinity", { "seamless:slo": { deadlineSeconds: Infinity } }, one("seamless:slo.deadlineSeconds", ' = Infinity: must be a finite number. Fix: set seamless:slo.deadlineSeconds to a finite number (see README, "Config keys")')],
    ["a threshold on an alert that has none", { "seamless:alerts": { overrides: { SeamlessInstrumentationLost: { threshold: 3 } } } }, one("seamless:alerts.overrides.SeamlessInstrumentationLost.threshold", " = 3: is outside what SeamlessInstrumentationLost can fire at (unused: this alert fires on absence). Fix: remove the threshold override: this alert has no threshold")],
    ["an unbounded threshold past 2^53", { "seamless:alerts": { overrides: { SeamlessLiveStale: { threshold: 1e300 } } } }, one("seamless:alerts.overrides.SeamlessLiveStale.threshold", " = 1e+300: is outside what SeamlessLiveStale can fire at (seconds of staleness). Fix: use a value above 0 (below 2^53)")],
    ["a label key whose prefix is longer than 253", { "seamless:kubernetes": { ruleSelectorLabels: { [`${LONG_PREFIX}/release`]: "x" } } }, one(`seamless:kubernetes.ruleSelectorLabels["${LONG_PREFIX}/release"]`, ` = ${JSON.stringify(`${LONG_PREFIX}/release`).slice(0, 77)}...: Kubernetes label key prefixes are DNS subdomains of at most 253 characters. Fix: correct seamless:kubernetes.ruleSelectorLabels["${LONG_PREFIX}/release"]`)],
    ["a secret map with more than secure: in it, and an empty secure:", { "seamless:slackWebhookUrl": { secure: "v1:x", plain: "https://hooks.slack.test/x" }, "seamless:pagerdutyIntegrationKey": { secure: "" } }, "Pulumi.test.yaml: 2 config problems:\n  - seamless:slackWebhookUrl: is a secret written in plain text (Pulumi encrypts only a map holding `secure:` alone). Fix: remove it from the file and run: pulumi config set --secret seamless:slackWebhookUrl <value>\n  - seamless:pagerdutyIntegrationKey: is an empty secure: value. Fix: remove it from the file and run: pulumi config set --secret seamless:pagerdutyIntegrationKey <value>"],
    ["a __proto__ key inside a map, which JavaScript would drop", JSON.parse('{"seamless:alerts": {"overrides": {"__proto__": {"threshold": -999}}}}'), one("seamless:alerts.overrides.__proto__", ": is not a usable key (__proto__ is reserved in JavaScript, so the value would be lost). Fix: rename or remove it")],
    ["a dotted key and a secret in the wrong case", { "seamless:slo.objective": 0.9, "seamless:slackWebhookURL": "https://hooks.slack.test/x" }, 'Pulumi.test.yaml: 2 config problems:\n  - seamless:["slo.objective"]: is not a known key (a dotted key is not a path in a stack file). Fix: write it as a map: seamless:slo: {objective: <value>}, or run: pulumi config set --path seamless:slo.objective <value>\n  - seamless:slackWebhookURL: is not a known key. Fix: did you mean the secret seamless:slackWebhookUrl? Remove this entry and run: pulumi config set --secret seamless:slackWebhookUrl <value>'],
    // found by the second round of trying to break it
    ["keys written at the wrong depth", { "seamless:slack": { enabled: true }, "seamless:slo": { minCoverage: 0.9 } }, "Pulumi.test.yaml: 2 config problems:\n  - seamless:slo.minCoverage: is not a known key here. Fix: did you mean seamless:policy.minCoverage?\n  - seamless:slack: is not a known key here. Fix: did you mean seamless:notifications.slack?"],
    ["a stale-lease window shorter than 4 scrape intervals", { "seamless:alerts": { staleLeaseWindow: "30s" } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:alerts.staleLeaseWindow = \"30s\": is shorter than 4 scrape intervals (4 x 15s), so changes() over it sees too few samples to tell a stuck lease from a moving one. Fix: use at least 60s (30m is usual)"],
    ["mirrored alerts without a PrometheusRule", { "seamless:kubernetes": { enabled: false, mirrorAlerts: true } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:kubernetes.mirrorAlerts = true: is on but seamless:kubernetes.enabled is false, so there is no PrometheusRule to mirror the alerts into. Fix: turn seamless:kubernetes.enabled on, or remove mirrorAlerts"],
    ["a selector label that would replace the stack's own environment label", { "seamless:kubernetes": { ruleSelectorLabels: { environment: "prod", release: "x" } } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:kubernetes.ruleSelectorLabels.environment = \"prod\": would replace a label the stack sets on its PrometheusRule itself (app.kubernetes.io/name, part-of, managed-by, environment). Fix: select on another label, such as release or prometheus"],
    ["a mute timing of 00:00-24:00 every day", { "seamless:notifications": { muteTimings: [{ name: "all", intervals: [{ times: [{ start: "00:00", end: "24:00" }] }] }] } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:notifications.muteTimings.0.intervals.0 = {\"times\":[{\"start\":\"00:00\",\"end\":\"24:00\"}]}: covers 00:00 to 24:00 every day, so it would mute paging forever; add weekdays, daysOfMonth, months or years. Fix: set seamless:notifications.muteTimings.0.intervals.0 to a valid value (see README, \"Config keys\")"],
    ["credentials in the runbook URL", { "seamless:alerts": { runbookBaseUrl: "https://u:p@runbooks.test/x" } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:alerts.runbookBaseUrl = \"https://[credentials]@runbooks.test/x\": must not contain credentials (they would be written into every alert); a runbook link must open without them. Fix: set seamless:alerts.runbookBaseUrl to a valid value (see README, \"Config keys\")"],
    ["a team of 41 characters", { "seamless:alerts": { team: "a".repeat(41) } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:alerts.team = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be 1 to 40 lower-case letters, digits and '-'. Fix: set seamless:alerts.team to a valid value (see README, \"Config keys\")"],
    ["an evaluation interval longer than the rules' own for", { "seamless:alerts": { evaluationInterval: "1h30m" } }, "Pulumi.test.yaml: 2 config problems:\n  - seamless:alerts.instrumentationLostFor = \"15m\": is shorter than the evaluation interval 1h30m, so Grafana cannot honour it. Fix: use at least 1h30m\n  - seamless:alerts.evaluationInterval = \"1h30m\": is longer than the `for` of SeamlessPhaseBudgetStorageWait (10m), SeamlessPhaseBudgetBackfillWait (10m), SeamlessPhaseBudgetLiveWait (10m), SeamlessCoverageLow (10m), SeamlessLiveStale (5m), SeamlessBackfillLeaseStuck (5m), SeamlessBackfillFailures (10m), SeamlessConformanceFlagSpike (15m), so Grafana cannot honour them. Fix: use at most 5m, or set their for in seamless:alerts.overrides.<Alert>.for"],
    ["an instrumentation-lost for shorter than the evaluation interval", { "seamless:alerts": { instrumentationLostFor: "30s" } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:alerts.instrumentationLostFor = \"30s\": is shorter than the evaluation interval 1m, so Grafana cannot honour it. Fix: use at least 1m"],
    ["a quoted number", { "seamless:slo": { objective: "0.99" } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:slo.objective = \"0.99\": must be a number, not text. Fix: write it without quotes: 0.99"],
    ["a text-direction character, escaped in the message", { "seamless:grafana": { folderTitle: "rtl\u202ex" } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:grafana.folderTitle = \"rtl\\u202ex\": must be one line without control or text-direction characters. Fix: set seamless:grafana.folderTitle to a valid value (see README, \"Config keys\")"],
    ["a blank kubeconfig context", { "seamless:kubernetes": { context: " " } }, "Pulumi.test.yaml: 1 config problem:\n  - seamless:kubernetes.context = \" \": must be a kubeconfig context name (not blank, no spaces around it). Fix: set seamless:kubernetes.context to a valid value (see README, \"Config keys\")"],
  );
  it.each(cases)("refuses %s with the exact message", (_name, values, message) => {
    expect(messageOf(values)).toBe(message);
  });

  it("reports a missing stack file and lists the known stacks", () => {
    expect(() => readStackFile(ROOT, "qa")).toThrow("Pulumi.qa.yaml: 1 config problem:\n  - (file): no such stack file. Fix: known stacks: dev, prod, staging; create it with: pulumi stack init qa");
  });
});
