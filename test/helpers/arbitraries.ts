/** fast-check generators of stack configs, valid and hostile, for property tests and the bench. */
import fc from "fast-check";
import { CATALOGUE } from "../../model/catalogue";

/** Strings that break naive renderers: template syntax, quotes, newlines, unicode, very long values. */
export const hostile = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("{{ $labels.node_id }}", "}}{{", "a\nb", '"quoted"', "'single'", "ünïcødé 🚨", "x".repeat(300), "seamless_v2_observability-prod", "--", "", " ", "$value", "<b>", "back`tick"),
);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Mostly a sensible value, sometimes a hostile one, so both paths are walked often. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 15 }, { arbitrary: bad, weight: 1 });
const duration = mostly(fc.constantFrom("30s", "1m", "5m", "10m", "1h", "6h", "30d", "60m", "90s"), hostile);
/** SLO windows: mostly long enough for the burn-rate windows (6h by default), sometimes not. */
const sloWindow = mostly(fc.constantFrom("7d", "28d", "30d", "90d", "1d", "6h", "1h"), hostile);
const metricName = mostly(fc.constantFrom(...CATALOGUE.map((m) => m.name)), hostile);
const alertName = mostly(fc.constantFrom("SeamlessSloBurnRatePage", "SeamlessBackfillFailures", "SeamlessConformanceFlagSpike", "SeamlessInstrumentationLost"), hostile);

/** One stack's `seamless:*` entries (undefined keys are left out). */
export const stackConfig = fc
  .record({
    environment: mostly(fc.constantFrom("dev", "staging", "prod", "qa-1", "a-very-long-env-name"), hostile),
    grafana: maybe(
      fc.record({
        url: maybe(mostly(fc.constantFrom("https://grafana.test", "https://g.test/sub/"), hostile.map((s) => `https://g.test/${s}`))),
        orgId: maybe(mostly(fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, -1, 1.5))),
        folderTitle: maybe(mostly(fc.constantFrom("Seamless", "Séamless «prod» {{x}}", "Seamless \"quoted\""), hostile)),
        datasourceUid: maybe(mostly(fc.constantFrom("prometheus", "mimir-prod"), hostile)),
      }, { requiredKeys: [] }),
    ),
    slo: maybe(
      fc.record({
        objective: maybe(mostly(fc.constantFrom(0.9, 0.99, 0.995, 0.999, 0.9999), fc.double({ min: -1, max: 2, noNaN: true }))),
        window: maybe(sloWindow),
        deadlineSeconds: maybe(mostly(fc.oneof(fc.constantFrom(0.1, 1, 2.5, 4, 5, 10), fc.double({ min: 0.001, max: 10, noNaN: true })), fc.constantFrom(240, 0, -1, 11))),
        exactBuckets: maybe(fc.boolean()),
        burnRate: maybe(fc.record({ page: maybe(fc.record({ long: maybe(duration), short: maybe(duration), factor: maybe(mostly(fc.double({ min: 0.5, max: 20, noNaN: true }), fc.constantFrom(200, 0, -3))) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
      }, { requiredKeys: [] }),
    ),
    policy: maybe(fc.record({ maxWaitStorageMs: maybe(fc.integer({ min: 1, max: 20000 })), maxWaitLiveMs: maybe(fc.integer({ min: 1, max: 20000 })), minCoverage: maybe(fc.double({ min: 0.01, max: 0.99, noNaN: true })) }, { requiredKeys: [] })),
    metrics: maybe(fc.record({ emitted: maybe(fc.uniqueArray(metricName, { maxLength: 8 })) }, { requiredKeys: [] })),
    alerts: maybe(
      fc.record({
        team: maybe(mostly(fc.constantFrom("seamless", "data-platform"), hostile)),
        runbookBaseUrl: maybe(mostly(fc.constant("https://runbooks.test/seamless"), hostile.map((s) => `https://runbooks.test/${s}`))),
        overrides: maybe(fc.dictionary(alertName, fc.record({ threshold: maybe(fc.double({ min: 0, max: 100, noNaN: true })), for: maybe(duration), severity: maybe(mostly(fc.constantFrom("critical", "warning"), fc.constant("page"))), disabled: maybe(fc.boolean()) }, { requiredKeys: [] }), { maxKeys: 3 })),
      }, { requiredKeys: [] }),
    ),
    notifications: maybe(fc.record({ pagerduty: maybe(fc.record({ enabled: fc.boolean() })), slack: maybe(fc.record({ enabled: fc.boolean(), channel: maybe(mostly(fc.constantFrom("#seamless", "#ops-alerts"), hostile)) }, { requiredKeys: ["enabled"] })), allowInactivePaging: maybe(fc.boolean()) }, { requiredKeys: [] })),
    kubernetes: maybe(fc.record({ enabled: maybe(fc.boolean()), namespace: maybe(mostly(fc.constantFrom("monitoring", "observability"), hostile)), mirrorAlerts: maybe(fc.boolean()), ruleSelectorLabels: maybe(mostly(fc.dictionary(mostly(fc.constantFrom("release", "prometheus"), hostile), mostly(fc.constantFrom("kube-prometheus-stack", "prom"), hostile), { minKeys: 1, maxKeys: 2 }), fc.constant({}))) }, { requiredKeys: [] })),
    secrets: fc.subarray(["pagerdutyIntegrationKey", "slackWebhookUrl"]),
    /** Whether a flag that is on may lack its secret; otherwise its secret is set too. */
    secretsMayLag: fc.boolean(),
  }, { requiredKeys: ["environment", "secrets", "secretsMayLag"] })
  .map(({ secrets: chosen, secretsMayLag, ...values }) => {
    const secrets = new Set(chosen);
    if (!secretsMayLag && values.notifications?.pagerduty?.enabled) secrets.add("pagerdutyIntegrationKey");
    if (!secretsMayLag && values.notifications?.slack?.enabled) secrets.add("slackWebhookUrl");
    const entries: Array<[string, unknown]> = Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [`seamless:${k}`, stripUndefined(v)]);
    for (const s of secrets) entries.push([`seamless:${s}`, { secure: "v1:generated" }]);
    return entries;
  });

function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, stripUndefined(v)]));
  return value;
}
