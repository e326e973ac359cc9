/**
 * The stack config schema (`seamless:*` keys of `Pulumi.<env>.yaml`), validated with zod.
 * Every problem is reported at once, naming the stack file, the key, the bad value and
 * the fix. Secrets are never values here: only whether each secret key is set.
 */
import { z } from "zod";
import { CONFIG_NAMESPACE, SEVERITIES, isDns1123Label } from "./names";
import { canonicalDuration, parseDuration } from "./duration";
import { CATALOGUE, defaultEmitted, findMetric } from "./catalogue";
import { ownRuleLabels } from "./prometheus";

/** Secret config keys (set with `pulumi config set --secret`), never read into the model. */
export const SECRET_KEYS = {
  grafanaAuth: "grafanaAuth",
  pagerdutyIntegrationKey: "pagerdutyIntegrationKey",
  slackWebhookUrl: "slackWebhookUrl",
  slackToken: "slackToken",
} as const;
export type SecretKey = keyof typeof SECRET_KEYS;

/** Longest duration any key takes (beyond it, Prometheus and Grafana refuse or overflow). */
const MAX_DURATION_SECONDS = 400 * 24 * 3600;

/** A duration string; `zero` allows 0s (only where "immediately" makes sense). */
const durationText = (zero = false) =>
  z
    .string()
    .refine((s) => parseDuration(s) !== undefined, { message: "must be a duration such as 30s, 5m, 1h or 30d" })
    .refine((s) => zero || parseDuration(s) !== 0, { message: "must be longer than 0s" })
    .refine((s) => (parseDuration(s) ?? 0) <= MAX_DURATION_SECONDS, { message: "must be at most 400d" })
    .transform(canonicalDuration);

const duration = (fallback: string, zero = false) => durationText(zero).default(fallback);

const ratio = (fallback: number) =>
  z.number().gt(0, { message: "must be a ratio above 0" }).lt(1, { message: "must be a ratio below 1" }).default(fallback);

/** An SLO objective: at least 50% (below, "error budget" means little) and at most 99.999% (beyond, no budget is left to measure). */
const objective = (fallback: number) =>
  z.number().min(0.5, { message: "must be at least 0.5 (an objective such as 0.99)" }).max(0.99999, { message: "must be at most 0.99999 (an objective such as 0.999)" }).default(fallback);

const positive = (fallback: number) => z.number().gt(0, { message: "must be above 0" }).default(fallback);

const burnWindow = (long: string, short: string, factor: number) =>
  z.strictObject({ long: duration(long), short: duration(short), factor: positive(factor) }).prefault({});

/** Kubernetes label keys (optional DNS prefix + name) and values. */
const K8S_LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const K8S_LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const labelMap = z.record(
  z
    .string()
    .regex(K8S_LABEL_KEY, { message: "Kubernetes label keys are [prefix/]name, name at most 63 of [A-Za-z0-9-_.]" })
    .refine((k) => !k.includes("/") || k.indexOf("/") <= 253, { message: "Kubernetes label key prefixes are DNS subdomains of at most 253 characters" }),
  z.string().regex(K8S_LABEL_VALUE, { message: "Kubernetes label values are at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric" }),
);

/** A URL that is safe inside alert templates and links: no braces, quotes, angle brackets or whitespace. */
const safeUrl = (message: string, credentials: string) =>
  z
    .url({ message, protocol: /^https?$/ })
    .refine((u) => !/[{}"'<>\s`]/.test(u), { message: "must not contain braces, quotes, angle brackets or whitespace (they would be read as template syntax)" })
    .refine((u) => !URL.canParse(u) || (new URL(u).username === "" && new URL(u).password === ""), { message: `must not contain credentials (they would be written into every alert); ${credentials}` })
    .refine((u) => !URL.canParse(u) || (new URL(u).search === "" && new URL(u).hash === "" && !/[?#]/.test(u)), { message: "must not have a query (?...) or fragment (#...): paths are appended to it" });

/** Shape of one alert override under `seamless:alerts.overrides.<AlertName>`. */
const alertOverride = z.strictObject({
  /** Replaces the rule's threshold (same unit as the rule's description states). */
  threshold: z.number().optional(),
  for: durationText(true).optional(),
  severity: z.enum(SEVERITIES).optional(),
  disabled: z.boolean().optional(),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: "must be a time such as 22:00" });
/** In Alertmanager's order (sunday = 0): a range such as saturday:sunday is refused there. */
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** A list of `a` or `a:b` ranges whose ends `position()` places in order (undefined: not a valid end). */
const ranges = (example: string, position: (end: string) => number | undefined) =>
  z
    .array(
      z.string().refine(
        (r) => {
          const ends = r.split(":");
          const at = ends.map(position);
          return ends.length <= 2 && at.every((p) => p !== undefined) && (at.length === 1 || (at[0] as number) <= (at[1] as number));
        },
        { message: `must be a value or an ordered range such as ${example}` },
      ),
    )
    .min(1, { message: "must not be empty (leave the key out instead)" })
    .optional();
const dayOfMonth = (d: string) => (/^-?\d{1,2}$/.test(d) && Number(d) !== 0 && Math.abs(Number(d)) <= 31 ? (Number(d) < 0 ? 100 + Number(d) : Number(d)) : undefined);
const month = (m: string) => (/^\d{1,2}$/.test(m) && Number(m) >= 1 && Number(m) <= 12 ? Number(m) : MONTHS.includes(m) ? MONTHS.indexOf(m) + 1 : undefined);
const year = (y: string) => (/^\d{4}$/.test(y) && Number(y) >= 1970 ? Number(y) : undefined);
const weekday = (w: string) => (WEEKDAYS.includes(w) ? WEEKDAYS.indexOf(w) : undefined);
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
const timeZones = new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "Local"]);

/** One maintenance window under `seamless:notifications.muteTimings`, applied to the paging routes. */
const muteTiming = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: "must be lower-case letters, digits and '-', at most 40" }),
  intervals: z
    .array(
      z
        .strictObject({
          times: z
            .array(
              z.strictObject({ start: clock, end: clock }).refine((t) => minutesOf(t.start) < minutesOf(t.end), {
                message: "start must be before end (split a window across midnight into two)",
              }),
            )
            .min(1, { message: "must not be empty (leave the key out instead)" })
            .optional(),
          weekdays: ranges("monday:friday (weeks start on sunday, so a weekend is saturday and sunday as two entries)", weekday),
          daysOfMonth: ranges("1:7 or -1", dayOfMonth),
          months: ranges("1:3 or january", month),
          years: ranges("2026:2027", year),
          location: z.string().refine((l) => timeZones.has(l), { message: "must be an IANA time zone such as Europe/Berlin or UTC" }).optional(),
        })
        .refine((i) => i.times || i.weekdays || i.daysOfMonth || i.months || i.years, {
          message: "needs at least one of times, weekdays, daysOfMonth, months, years: an empty interval matches always and would mute paging forever",
        })
        .refine((i) => !(i.times?.some((t) => minutesOf(t.start) === 0 && minutesOf(t.end) === 24 * 60) && !i.weekdays && !i.daysOfMonth && !i.months && !i.years), {
          message: "covers 00:00 to 24:00 every day, so it would mute paging forever; add weekdays, daysOfMonth, months or years",
        }),
    )
    .min(1, { message: "needs at least one interval" }),
});

/** The zod schema of every `seamless:*` key. */
export const configSchema = z.strictObject({
  environment: z
    .string({ error: (issue) => (issue.input === undefined ? "is required: the environment name (dev, staging, prod)" : "must be text: the environment name (dev, staging, prod)") })
    .regex(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/, { message: "must be lower-case letters, digits and '-', start with a letter, not end with '-', at most 20 characters" }),
  protect: z.boolean().default(false),
  grafana: z
    .strictObject({
      url: safeUrl("must be a URL such as https://grafana.example.com", "put them in the secret seamless:grafanaAuth").optional(),
      orgId: z.number().int().min(1, { message: "must be a Grafana org id (1 or more)" }).default(1),
      folderTitle: z
        .string()
        .max(140, { message: "must be at most 140 characters" })
        .refine((t) => !/[\u0000-\u001f\u007f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(t), { message: "must be one line without control or text-direction characters" })
        .refine((t) => t.trim() === t && t.trim() !== "", { message: "must not be blank or start or end with spaces" })
        .optional(),
      datasourceUid: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { message: "must be a Grafana datasource uid ([A-Za-z0-9_-], at most 40)" }).default("prometheus"),
      manageNotificationPolicy: z.boolean().default(false),
    })
    .prefault({}),
  slo: z
    .strictObject({
      objective: objective(0.99),
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
      maxLagSeconds: positive(120).refine((s) => s <= MAX_DURATION_SECONDS, { message: `must be at most ${MAX_DURATION_SECONDS} (400 days)` }),
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
      runbookBaseUrl: safeUrl("must be a URL", "a runbook link must open without them").default("https://github.com/hyophyop/qmtl/blob/main/docs/operations/seamless_sla_dashboards.md"),
      team: z.string().regex(/^[a-z0-9-]{1,40}$/, { message: "must be 1 to 40 lower-case letters, digits and '-'" }).default("seamless"),
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
          channel: z
            .string()
            .regex(/^#[a-z0-9][a-z0-9._-]{0,79}$|^[CG][A-Z0-9]{8,12}$/, { message: "must be a Slack channel such as #seamless-alerts, or a channel ID such as C0123ABCD" }).default("#seamless-alerts"),
        })
        .prefault({}),
      allowInactivePaging: z.boolean().default(false),
      muteTimings: z.array(muteTiming).default([]),
      groupBy: z
        .array(z.string().refine((l) => l === "..." || /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l), { message: "must be a label name or ..." }))
        .refine((l) => l.includes("...") || (l.includes("alertname") && l.includes("grafana_folder")), { message: "must include alertname and grafana_folder (Grafana requires them), or be [...]" })
        .refine((l) => !l.includes("...") || l.length === 1, { message: "must be [...] alone when it holds ... (group by every label)" })
        .refine((l) => new Set(l).size === l.length, { message: "must not name a label twice" })
        .default(["alertname", "grafana_folder"]),
      groupWait: duration("30s", true),
      groupInterval: duration("5m"),
      repeatInterval: duration("4h"),
    })
    .prefault({}),
  kubernetes: z
    .strictObject({
      enabled: z.boolean().default(true),
      namespace: z.string().refine(isDns1123Label, { message: "must be a DNS-1123 label (lower-case, '-', at most 63)" }).default("monitoring"),
      context: z.string().refine((c) => c.trim() === c && c !== "", { message: "must be a kubeconfig context name (not blank, no spaces around it)" }).optional(),
      ruleSelectorLabels: labelMap
        .refine((m) => Object.keys(m).length > 0, { message: "must hold the labels your Prometheus' ruleSelector matches (an empty map is picked up by no Prometheus that selects)" })
        .default({ release: "kube-prometheus-stack" }),
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

/**
 * Validates raw values. Returns the config when its shape is right (it may still have
 * problems between fields, which the caller reports together with its own), and every
 * problem found so far.
 */
export function validateStackConfig(raw: RawStackConfig): { config?: StackConfig; problems: ConfigProblem[] } {
  const values = Object.fromEntries(Object.entries(raw.values).filter(([k]) => !Object.hasOwn(SECRET_KEYS, k)));
  const result = configSchema.safeParse(values, { reportInput: true });
  if (!result.success) return { problems: [...(raw.problems ?? []), ...result.error.issues.flatMap((issue) => issueProblems(issue))] };
  return { config: result.data, problems: [...(raw.problems ?? []), ...crossFieldProblems(result.data, raw.secrets)] };
}

/** Validates raw values; throws ConfigError listing every problem. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const { config, problems } = validateStackConfig(raw);
  if (!config || problems.length > 0) throw new ConfigError(problems.map((p) => ({ ...p, file: raw.file })));
  return config;
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
      const top = issue.path.length === 0;
      const dotted = k.split(".");
      if (dotted.length > 1 && known.includes(dotted[0])) {
        const nested = dotted.slice(1).reduceRight((inner, part) => `{${part}: ${inner}}`, "<value>");
        return { key: configKey([...issue.path, k]), problem: "is not a known key (a dotted key is not a path in a stack file)", fix: `write it as a map: ${configKey([...issue.path, dotted[0]])}: ${nested}, or run: pulumi config set --path ${configKey([...issue.path, k]).replace(/\["(.*)"\]$/, "$1")} <value>` };
      }
      const secret = top ? nearest(k, Object.keys(SECRET_KEYS)) : undefined;
      if (secret) {
        return { key: configKey([k]), problem: "is not a known key", fix: `did you mean the secret ${CONFIG_NAMESPACE}:${secret}? Remove this entry and run: pulumi config set --secret ${CONFIG_NAMESPACE}:${secret} <value>` };
      }
      // a known key written at the wrong depth (seamless:slack for seamless:notifications.slack)
      const moved = pathsOf(configSchema).filter((p) => p[p.length - 1].toLowerCase() === k.toLowerCase());
      if (moved.length) {
        return { key: configKey([...issue.path, k]), problem: "is not a known key here", fix: `did you mean ${moved.map((p) => configKey(p)).join(" or ")}?` };
      }
      const near = nearest(k, known);
      return {
        key: configKey([...issue.path, k]),
        problem: "is not a known key",
        fix: near ? `did you mean ${configKey([...issue.path, near])}? ` + `Known keys here: ${known.join(", ")}` : `known keys here: ${known.join(", ")}`,
      };
    });
  }
  if ((issue.code === "invalid_key" || issue.code === "invalid_element") && issue.issues.length) {
    return [{ key: configKey(issue.path), value: issue.input, problem: issue.issues[0].message, fix: `correct ${configKey(issue.path)}` }];
  }
  const key = configKey(issue.path);
  const missing = issue.input === undefined;
  if (typeof issue.input === "number" && !Number.isFinite(issue.input)) {
    return [{ key, value: issue.input, problem: "must be a finite number", fix: `set ${key} to a finite number (see README, "Config keys")` }];
  }
  // zod's own wording ("Invalid input: expected number, received string") in plain words; a message the schema states is kept
  if (issue.code === "invalid_type" && !missing && issue.message.startsWith("Invalid input")) {
    const wanted = TYPE_WORDS[issue.expected] ?? issue.expected;
    const unquote = typeof issue.input === "string" && issue.input.trim() !== "" && (issue.expected === "number" ? Number.isFinite(Number(issue.input)) : issue.expected === "boolean" && /^(true|false)$/.test(issue.input));
    return [{ key, value: issue.input, problem: `must be ${wanted}, not ${describeType(issue.input)}`, fix: unquote ? `write it without quotes: ${issue.input}` : `set ${key} to ${wanted} (see README, "Config keys")` }];
  }
  return [
    {
      key,
      value: issue.input,
      problem: missing ? "is required but not set" : issue.message,
      fix: missing ? `set ${key} in the stack file (see README, "Config keys")` : `set ${key} to a valid value (see README, "Config keys")`,
    },
  ];
}

/** How a message names the type a key wants. */
const TYPE_WORDS: Record<string, string> = { number: "a number", string: "text", boolean: "true or false", object: "a map", array: "a list", record: "a map" };

function describeType(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return "text";
  if (typeof value === "object") return "a map";
  return `${TYPE_WORDS[typeof value] ?? typeof value}`;
}

function knownKeys(path: ReadonlyArray<PropertyKey>): string[] {
  let node: z.ZodType = configSchema;
  for (const part of path) {
    const inner = unwrapped(node);
    // a map keyed by the user (alert names, metric names) or a list: step into its values
    if (inner instanceof z.ZodRecord) node = inner.valueType as z.ZodType;
    else if (inner instanceof z.ZodArray) node = inner.element as z.ZodType;
    else {
      const shape = objectShape(inner);
      if (!shape || !Object.hasOwn(shape, String(part))) return [];
      node = shape[String(part)];
    }
  }
  return Object.keys(objectShape(node) ?? {});
}

/** Every key path of the schema's maps (not into user-keyed maps or lists). */
function pathsOf(node: z.ZodType, prefix: string[] = []): string[][] {
  const shape = objectShape(node);
  if (!shape) return [];
  return Object.entries(shape).flatMap(([k, child]) => [[...prefix, k], ...pathsOf(child, [...prefix, k])]);
}

function unwrapped(node: z.ZodType): z.ZodType {
  let current = node;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current;
}

function objectShape(node: z.ZodType): Record<string, z.ZodType> | undefined {
  const current = unwrapped(node);
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
  if (config.grafana.manageNotificationPolicy && !config.notifications.slack.enabled) {
    problems.push({
      key: configKey(["grafana", "manageNotificationPolicy"]),
      value: true,
      problem: config.notifications.pagerduty.enabled
        ? "would send the policy's default route (every warning, and every other alert of the org) to PagerDuty, because Slack is off"
        : "needs a contact point for the policy's default route, but PagerDuty and Slack are both off",
      fix: "turn on seamless:notifications.slack.enabled for the default route, or leave the org's policy alone (false)",
    });
  }
  const names = config.notifications.muteTimings.map((m) => m.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push({ key: configKey(["notifications", "muteTimings", i, "name"]), value: name, problem: "is used by two mute timings", fix: "give each mute timing its own name" });
  });
  config.metrics.emitted.forEach((name, i) => {
    if (config.metrics.emitted.indexOf(name) !== i) {
      problems.push({ key: configKey(["metrics", "emitted", i]), value: name, problem: "is listed twice", fix: "list each metric once" });
      return;
    }
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
  const longest = (["page", "ticket"] as const).map((w) => config.slo.burnRate[w].long).sort((a, b) => (parseDuration(b) ?? 0) - (parseDuration(a) ?? 0))[0];
  if ((parseDuration(config.slo.window) ?? 0) < (parseDuration(longest) ?? 0)) {
    problems.push({ key: configKey(["slo", "window"]), value: config.slo.window, problem: `is shorter than the longest burn-rate window (${longest}), so the error budget is spent before an alert can see it`, fix: `use an SLO window of at least ${longest} (30d is usual)` });
  }
  if ((parseDuration(config.notifications.repeatInterval) ?? 0) < (parseDuration(config.notifications.groupInterval) ?? 0)) {
    problems.push({
      key: configKey(["notifications", "repeatInterval"]),
      value: config.notifications.repeatInterval,
      problem: `is shorter than ${configKey(["notifications", "groupInterval"])} (${config.notifications.groupInterval}); Grafana refuses that`,
      fix: "use a repeat interval at least as long as the group interval (4h is usual)",
    });
  }
  const evalSeconds = parseDuration(config.alerts.evaluationInterval) ?? 0;
  if (evalSeconds % 10 !== 0 || evalSeconds === 0) {
    problems.push({ key: configKey(["alerts", "evaluationInterval"]), value: config.alerts.evaluationInterval, problem: "must be a non-zero multiple of 10s (Grafana evaluates rule groups in 10s steps)", fix: "use 30s, 1m or 2m" });
  }
  const k8s = config.kubernetes;
  if (!k8s.enabled && k8s.mirrorAlerts) {
    problems.push({ key: configKey(["kubernetes", "mirrorAlerts"]), value: true, problem: "is on but seamless:kubernetes.enabled is false, so there is no PrometheusRule to mirror the alerts into", fix: "turn seamless:kubernetes.enabled on, or remove mirrorAlerts" });
  }
  const own = Object.keys(ownRuleLabels(config.environment));
  for (const key of Object.keys(k8s.ruleSelectorLabels).filter((k) => own.includes(k))) {
    problems.push({
      key: configKey(["kubernetes", "ruleSelectorLabels", key]),
      value: k8s.ruleSelectorLabels[key],
      problem: "would replace a label the stack sets on its PrometheusRule itself (app.kubernetes.io/name, part-of, managed-by, environment)",
      fix: "select on another label, such as release or prometheus",
    });
  }
  const minRange = 4 * (parseDuration(config.metrics.scrapeInterval) ?? 15);
  if ((parseDuration(config.alerts.staleLeaseWindow) ?? 0) < minRange) {
    problems.push({
      key: configKey(["alerts", "staleLeaseWindow"]),
      value: config.alerts.staleLeaseWindow,
      problem: `is shorter than 4 scrape intervals (4 x ${config.metrics.scrapeInterval}), so changes() over it sees too few samples to tell a stuck lease from a moving one`,
      fix: `use at least ${minRange}s (30m is usual)`,
    });
  }
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

/** Problems printed per file: past this, a message stops being read. */
const MAX_PRINTED_PROBLEMS = 50;

function formatProblems(problems: ReadonlyArray<ConfigProblem & { file: string }>): string {
  const files = [...new Set(problems.map((p) => p.file))];
  return files
    .map((file) => {
      const mine = problems.filter((p) => p.file === file);
      const lines = mine.slice(0, MAX_PRINTED_PROBLEMS).map((p) => {
        const value = p.value === undefined ? "" : ` = ${printable(p.value)}`;
        return `  - ${p.key}${value}: ${p.problem}. Fix: ${p.fix}`;
      });
      if (mine.length > MAX_PRINTED_PROBLEMS) lines.push(`  - ... and ${mine.length - MAX_PRINTED_PROBLEMS} more problems. Fix: fix the ones above and run again`);
      return `${file}: ${mine.length} config problem${mine.length === 1 ? "" : "s"}:\n${lines.join("\n")}`;
    })
    .join("\n");
}

/** A value for a message: JSON, at most 80 characters, never throwing. */
function printable(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "number" && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = "(unprintable value)";
  }
  // a URL's user:password never reaches a terminal or a CI log
  text = text.replace(/(\/\/)[^/@\s"]*@/g, "$1[credentials]@");
  // text-direction and zero-width characters would reorder or hide the rest of the line in a terminal
  text = text.replace(/[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
