/**
 * The stack config schema (`seamless:*` keys of `Pulumi.<env>.yaml`), validated with zod.
 * Every problem is reported at once, naming the stack file, the key, the bad value and
 * the fix. Secrets are never values here: only whether each secret key is set.
 */
import { z } from "zod";
import { CONFIG_NAMESPACE, SEVERITIES, isDns1123Label } from "./names";
import { canonicalDuration, parseDuration } from "./duration";
import { CATALOGUE, defaultEmitted, findMetric } from "./catalogue";

/** Secret config keys (set with `pulumi config set --secret`), never read into the model. */
export const SECRET_KEYS = {
  grafanaAuth: "grafanaAuth",
  pagerdutyIntegrationKey: "pagerdutyIntegrationKey",
  slackWebhookUrl: "slackWebhookUrl",
  slackToken: "slackToken",
} as const;
export type SecretKey = keyof typeof SECRET_KEYS;

const duration = (fallback: string) =>
  z
    .string()
    .refine((s) => parseDuration(s) !== undefined, { message: "must be a duration such as 30s, 5m, 1h or 30d" })
    .transform(canonicalDuration)
    .default(fallback);

const ratio = (fallback: number) =>
  z.number().gt(0, { message: "must be a ratio above 0" }).lt(1, { message: "must be a ratio below 1" }).default(fallback);

const positive = (fallback: number) => z.number().gt(0, { message: "must be above 0" }).default(fallback);

const burnWindow = (long: string, short: string, factor: number) =>
  z.strictObject({ long: duration(long), short: duration(short), factor: positive(factor) }).prefault({});

/** Kubernetes label keys (optional DNS prefix + name) and values. */
const K8S_LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const K8S_LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const labelMap = z.record(
  z.string().regex(K8S_LABEL_KEY, { message: "Kubernetes label keys are [prefix/]name, name at most 63 of [A-Za-z0-9-_.]" }),
  z.string().regex(K8S_LABEL_VALUE, { message: "Kubernetes label values are at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric" }),
);

/** A URL that is safe inside alert templates and links: no braces, quotes, angle brackets or whitespace. */
const safeUrl = (message: string) =>
  z.url({ message }).refine((u) => !/[{}"'<>\s`]/.test(u), { message: "must not contain braces, quotes, angle brackets or whitespace (they would be read as template syntax)" });

/** Shape of one alert override under `seamless:alerts.overrides.<AlertName>`. */
const alertOverride = z.strictObject({
  /** Replaces the rule's threshold (same unit as the rule's description states). */
  threshold: z.number().optional(),
  for: z
    .string()
    .refine((s) => parseDuration(s) !== undefined, { message: "must be a duration such as 5m" })
    .transform(canonicalDuration)
    .optional(),
  severity: z.enum(SEVERITIES).optional(),
  disabled: z.boolean().optional(),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: "must be a time such as 22:00" });
const ranges = (pattern: RegExp, example: string) => z.array(z.string().regex(pattern, { message: `must be like ${example}` })).optional();

/** One maintenance window under `seamless:notifications.muteTimings`, applied to the paging routes. */
const muteTiming = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: "must be lower-case letters, digits and '-', at most 40" }),
  intervals: z
    .array(
      z.strictObject({
        times: z.array(z.strictObject({ start: clock, end: clock })).optional(),
        weekdays: ranges(/^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(:(monday|tuesday|wednesday|thursday|friday|saturday|sunday))?$/, "saturday:sunday"),
        daysOfMonth: ranges(/^-?\d{1,2}(:-?\d{1,2})?$/, "1:7"),
        months: ranges(/^([1-9]|1[0-2]|[a-z]+)(:([1-9]|1[0-2]|[a-z]+))?$/, "1:3 or january"),
        years: ranges(/^\d{4}(:\d{4})?$/, "2026:2027"),
        location: z.string().optional(),
      }),
    )
    .min(1, { message: "needs at least one interval" }),
});

/** The zod schema of every `seamless:*` key. */
export const configSchema = z.strictObject({
  environment: z
    .string({ message: "is required: the environment name (dev, staging, prod)" })
    .regex(/^[a-z][a-z0-9-]{0,19}$/, { message: "must be lower-case letters, digits and '-', at most 20 characters" }),
  protect: z.boolean().default(false),
  grafana: z
    .strictObject({
      url: safeUrl("must be a URL such as https://grafana.example.com").optional(),
      orgId: z.number().int().min(1, { message: "must be a Grafana org id (1 or more)" }).default(1),
      folderTitle: z
        .string()
        .min(1)
        .max(140)
        .refine((t) => !/[\u0000-\u001f\u007f]/.test(t), { message: "must be one line without control characters" })
        .optional(),
      datasourceUid: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { message: "must be a Grafana datasource uid ([A-Za-z0-9_-], at most 40)" }).default("prometheus"),
      manageNotificationPolicy: z.boolean().default(false),
    })
    .prefault({}),
  slo: z
    .strictObject({
      objective: ratio(0.99),
      window: duration("30d"),
      deadlineSeconds: positive(5),
      exactBuckets: z.boolean().default(false),
      burnRate: z
        .strictObject({ page: burnWindow("1h", "5m", 14.4), ticket: burnWindow("6h", "30m", 6) })
        .prefault({}),
    })
    .prefault({}),
  policy: z
    .strictObject({
      maxWaitStorageMs: positive(2000),
      maxWaitBackfillMs: positive(5000),
      maxWaitLiveMs: positive(1000),
      minCoverage: ratio(0.95),
      maxLagSeconds: positive(120),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      emitted: z.array(z.string()).default(defaultEmitted),
      buckets: z.record(z.string(), z.array(z.number().gt(0)).min(1)).default({}),
      scrapeInterval: duration("15s"),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      runbookBaseUrl: safeUrl("must be a URL").default("https://github.com/hyophyop/qmtl/blob/main/docs/operations/seamless_sla_dashboards.md"),
      team: z.string().regex(/^[a-z0-9-]{1,40}$/, { message: "must be lower-case letters, digits and '-'" }).default("seamless"),
      evaluationInterval: duration("1m"),
      staleLeaseWindow: duration("30m"),
      instrumentationLostFor: duration("15m"),
      overrides: z.record(z.string(), alertOverride).default({}),
    })
    .prefault({}),
  notifications: z
    .strictObject({
      pagerduty: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
      slack: z
        .strictObject({
          enabled: z.boolean().default(false),
          channel: z.string().regex(/^#[a-z0-9][a-z0-9._-]{0,79}$/, { message: "must be a Slack channel such as #seamless-alerts" }).default("#seamless-alerts"),
        })
        .prefault({}),
      allowInactivePaging: z.boolean().default(false),
      muteTimings: z.array(muteTiming).default([]),
      groupBy: z.array(z.string()).default(["alertname", "grafana_folder"]),
      groupWait: duration("30s"),
      groupInterval: duration("5m"),
      repeatInterval: duration("4h"),
    })
    .prefault({}),
  kubernetes: z
    .strictObject({
      enabled: z.boolean().default(true),
      namespace: z.string().refine(isDns1123Label, { message: "must be a DNS-1123 label (lower-case, '-', at most 63)" }).default("monitoring"),
      context: z.string().min(1).optional(),
      ruleSelectorLabels: labelMap.default({ release: "kube-prometheus-stack" }),
      mirrorAlerts: z.boolean().default(false),
    })
    .prefault({}),
});

/** Validated, defaulted stack config. */
export type StackConfig = z.output<typeof configSchema>;
/** Which secret keys are set in the stack (values are never read here). */
export type SecretPresence = Record<SecretKey, boolean>;

/** Raw `seamless:*` values of one stack, keyed without the namespace. */
export interface RawStackConfig {
  /** The stack file the values came from, e.g. `Pulumi.dev.yaml` (used in every message). */
  readonly file: string;
  readonly values: Record<string, unknown>;
  readonly secrets: SecretPresence;
  /** Problems found while reading the file (secrets in plain text, keys outside the namespace). */
  readonly problems?: readonly ConfigProblem[];
}

/** One config problem: key (with namespace), the offending value, what is wrong, the fix. */
export interface ConfigProblem {
  readonly key: string;
  readonly value?: unknown;
  readonly problem: string;
  readonly fix: string;
}

/** Every problem of one or more stack files, reported at once. */
export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<ConfigProblem & { file: string }>) {
    super(formatProblems(problems));
    this.name = "ConfigError";
  }
}

/** Validates raw values; throws ConfigError listing every problem. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const values = Object.fromEntries(Object.entries(raw.values).filter(([k]) => !Object.hasOwn(SECRET_KEYS, k)));
  const result = configSchema.safeParse(values, { reportInput: true });
  if (!result.success) {
    const problems = [...(raw.problems ?? []), ...result.error.issues.flatMap((issue) => issueProblems(issue))];
    throw new ConfigError(problems.map((p) => ({ ...p, file: raw.file })));
  }
  const problems = [...(raw.problems ?? []), ...crossFieldProblems(result.data, raw.secrets)];
  if (problems.length > 0) throw new ConfigError(problems.map((p) => ({ ...p, file: raw.file })));
  return result.data;
}

/** Full key of a config path: `seamless:slo.objective`. */
export function configKey(path: ReadonlyArray<PropertyKey>): string {
  // a segment that is not a plain name (a user's map key, say) is quoted, so a message stays one line
  const segments = path.map(String).map((p, i) => (/^[A-Za-z0-9_-]+$/.test(p) ? `${i ? "." : ""}${p}` : `[${JSON.stringify(p)}]`));
  return `${CONFIG_NAMESPACE}:${segments.join("")}`;
}

function issueProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => {
      const known = knownKeys(issue.path);
      const near = nearest(k, known);
      return {
        key: configKey([...issue.path, k]),
        problem: "is not a known key",
        fix: near ? `did you mean ${configKey([...issue.path, near])}? ` + `Known keys here: ${known.join(", ")}` : `known keys here: ${known.join(", ")}`,
      };
    });
  }
  const key = configKey(issue.path);
  const missing = issue.input === undefined;
  return [
    {
      key,
      value: issue.input,
      problem: missing ? "is required but not set" : issue.message,
      fix: missing ? `set ${key} in the stack file (see README, "Config keys")` : `set ${key} to a valid value (see README, "Config keys")`,
    },
  ];
}

function knownKeys(path: ReadonlyArray<PropertyKey>): string[] {
  let node: z.ZodType = configSchema;
  for (const part of path) {
    const shape = objectShape(node);
    if (!shape || !(String(part) in shape)) return [];
    node = shape[String(part)];
  }
  return Object.keys(objectShape(node) ?? {});
}

function objectShape(node: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: z.ZodType = node;
  // unwrap default/prefault/optional wrappers down to the object
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current instanceof z.ZodObject ? (current.shape as Record<string, z.ZodType>) : undefined;
}

/** The known key closest to a typo (edit distance at most 3), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

function crossFieldProblems(config: StackConfig, secrets: SecretPresence): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const secretFix = (secret: SecretKey) => `run: pulumi config set --secret ${CONFIG_NAMESPACE}:${SECRET_KEYS[secret]} <value>`;
  if (config.notifications.pagerduty.enabled && !secrets.pagerdutyIntegrationKey) {
    problems.push({ key: configKey(["notifications", "pagerduty", "enabled"]), value: true, problem: `is on but the secret ${CONFIG_NAMESPACE}:${SECRET_KEYS.pagerdutyIntegrationKey} is not set`, fix: secretFix("pagerdutyIntegrationKey") });
  }
  if (config.notifications.slack.enabled && !secrets.slackWebhookUrl && !secrets.slackToken) {
    problems.push({
      key: configKey(["notifications", "slack", "enabled"]),
      value: true,
      problem: `is on but neither the secret ${CONFIG_NAMESPACE}:${SECRET_KEYS.slackWebhookUrl} nor ${CONFIG_NAMESPACE}:${SECRET_KEYS.slackToken} is set`,
      fix: `${secretFix("slackWebhookUrl")} (or --secret ${CONFIG_NAMESPACE}:${SECRET_KEYS.slackToken} <bot token>)`,
    });
  }
  if (config.notifications.slack.enabled && secrets.slackWebhookUrl && secrets.slackToken) {
    problems.push({
      key: `${CONFIG_NAMESPACE}:${SECRET_KEYS.slackToken}`,
      problem: `is set together with ${CONFIG_NAMESPACE}:${SECRET_KEYS.slackWebhookUrl}; Slack takes one or the other`,
      fix: `remove one: pulumi config rm ${CONFIG_NAMESPACE}:${SECRET_KEYS.slackToken}`,
    });
  }
  if (config.grafana.manageNotificationPolicy && !config.notifications.pagerduty.enabled && !config.notifications.slack.enabled) {
    problems.push({
      key: configKey(["grafana", "manageNotificationPolicy"]),
      value: true,
      problem: "needs a contact point for the policy's default route, but PagerDuty and Slack are both off",
      fix: "turn on seamless:notifications.slack.enabled (or pagerduty), or leave the org's policy alone (false)",
    });
  }
  const names = config.notifications.muteTimings.map((m) => m.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push({ key: configKey(["notifications", "muteTimings", i, "name"]), value: name, problem: "is used by two mute timings", fix: "give each mute timing its own name" });
  });
  config.metrics.emitted.forEach((name, i) => {
    const metric = findMetric(name);
    if (!metric) {
      const near = nearest(name, CATALOGUE.map((m) => m.name));
      problems.push({ key: configKey(["metrics", "emitted", i]), value: name, problem: "is not a catalogue metric", fix: near ? `did you mean ${near}?` : "use a metric name from model/catalogue.ts" });
    } else if (metric.status === "proposed") {
      problems.push({ key: configKey(["metrics", "emitted", i]), value: name, problem: "is a proposed metric that no QMTL release exports", fix: "remove it until the runtime ships it" });
    }
  });
  for (const name of Object.keys(config.metrics.buckets)) {
    const metric = findMetric(name);
    if (metric?.type !== "histogram") {
      problems.push({ key: configKey(["metrics", "buckets", name]), problem: metric ? "is not a histogram" : "is not a catalogue metric", fix: "declare buckets only for catalogue histograms" });
    } else {
      const bounds = config.metrics.buckets[name];
      if (bounds.some((b, i) => i > 0 && b <= bounds[i - 1])) {
        problems.push({ key: configKey(["metrics", "buckets", name]), value: bounds, problem: "bounds must be strictly increasing", fix: "list the finite `le` bounds in increasing order, without +Inf" });
      }
    }
  }
  const evalSeconds = parseDuration(config.alerts.evaluationInterval) ?? 0;
  if (evalSeconds % 10 !== 0 || evalSeconds === 0) {
    problems.push({ key: configKey(["alerts", "evaluationInterval"]), value: config.alerts.evaluationInterval, problem: "must be a non-zero multiple of 10s (Grafana evaluates rule groups in 10s steps)", fix: "use 30s, 1m or 2m" });
  }
  const minRange = 4 * (parseDuration(config.metrics.scrapeInterval) ?? 15);
  for (const windows of ["page", "ticket"] as const) {
    for (const which of ["long", "short"] as const) {
      const window = config.slo.burnRate[windows][which];
      if ((parseDuration(window) ?? 0) < minRange) {
        problems.push({
          key: configKey(["slo", "burnRate", windows, which]),
          value: window,
          problem: `is shorter than 4 scrape intervals (4 x ${config.metrics.scrapeInterval}), so rate() over it is noise or empty`,
          fix: `use at least ${minRange}s (or lower seamless:metrics.scrapeInterval if Prometheus scrapes faster)`,
        });
      }
    }
  }
  for (const windows of ["page", "ticket"] as const) {
    const w = config.slo.burnRate[windows];
    const limit = w.factor * (1 - config.slo.objective);
    if (limit >= 1) {
      problems.push({
        key: configKey(["slo", "burnRate", windows, "factor"]),
        value: w.factor,
        problem: `times (1 - ${config.slo.objective}) is ${Number(limit.toPrecision(6))}, but an error ratio never exceeds 1, so the alert could never fire`,
        fix: `use a factor below ${Number((1 / (1 - config.slo.objective)).toPrecision(6))}`,
      });
    }
    if ((parseDuration(w.short) ?? 0) >= (parseDuration(w.long) ?? 0)) {
      problems.push({ key: configKey(["slo", "burnRate", windows, "short"]), value: w.short, problem: `must be shorter than ${configKey(["slo", "burnRate", windows, "long"])} (${w.long})`, fix: "use a short window of about 1/12 of the long one (5m for 1h)" });
    }
  }
  return problems;
}

function formatProblems(problems: ReadonlyArray<ConfigProblem & { file: string }>): string {
  const files = [...new Set(problems.map((p) => p.file))];
  return files
    .map((file) => {
      const mine = problems.filter((p) => p.file === file);
      const lines = mine.map((p) => {
        const value = p.value === undefined ? "" : ` = ${JSON.stringify(p.value)}`;
        return `  - ${p.key}${value}: ${p.problem}. Fix: ${p.fix}`;
      });
      return `${file}: ${mine.length} config problem${mine.length === 1 ? "" : "s"}:\n${lines.join("\n")}`;
    })
    .join("\n");
}
