/**
 * check-metrics: asks a Prometheus which catalogue metrics exist, with which labels and which
 * histogram buckets, compares that with a stack's `seamless:metrics.emitted` and
 * `seamless:metrics.buckets`, and says which paused alerts and paging routes could be
 * switched on. `--write` updates only the stack file's `seamless:metrics.emitted` list,
 * keeping the rest of the file and its comments as they are.
 *
 *   npm run check-metrics -- --prometheus-url <url> --stack <name> [--write] [--project-dir <dir>] [--lookback 1h]
 *
 * Credentials: `PROMETHEUS_BEARER_TOKEN=<token>` in the environment, or `user:password@` in
 * the URL (basic auth). Exit codes: 0 checked (and written), 1 a metric does not match the
 * stack (labels, buckets, type; nothing is written), 2 the check could not run.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Scalar, isAlias, isScalar, isSeq, parseDocument } from "yaml";
import { CATALOGUE, MetricDef, leValue, series } from "../model/catalogue";
import { boundsOf } from "../model/buckets";
import { ConfigError, RawStackConfig } from "../model/config";
import { formatDuration, parseDuration } from "../model/duration";
import { StackModel, buildModel } from "../model/model";
import { AlertRule, alertRules } from "../model/rules";
import { STACK_NAME, readStackFile } from "../model/stackfile";

/** An error that ends the run with one line and an exit code. */
export class CheckError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CheckError";
  }
}

/** Parsed command line. */
export interface CheckOptions {
  readonly prometheusUrl: string;
  readonly stack: string;
  readonly write: boolean;
  readonly projectDir: string;
  readonly lookbackSeconds: number;
}

const USAGE = "usage: npm run check-metrics -- --prometheus-url <url> --stack <name> [--write] [--project-dir <dir>] [--lookback 1h]";

const VALUE_OPTIONS = ["--prometheus-url", "--stack", "--project-dir", "--lookback"];
const FLAG_OPTIONS = ["--write", "--help", "-h"];

/**
 * `--lookback -5m` as `--lookback=-5m`: node's parseArgs refuses a value that starts with `-`
 * ("argument is ambiguous"), so the value is checked, and refused, as a value. An option name
 * in the value's place means the value is missing.
 */
function attachDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === "--") return [...out, ...argv.slice(i)];
    if (VALUE_OPTIONS.includes(arg) && next !== undefined && next.startsWith("-")) {
      if (next === "--" || [...VALUE_OPTIONS, ...FLAG_OPTIONS].includes(next.split("=")[0])) throw new CheckError(`${arg} needs a value; ${USAGE}`);
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Parses argv; throws CheckError (exit 2) with the usage on a bad command line. */
export function parseOptions(argv: readonly string[]): CheckOptions | "help" {
  let parsed;
  const args = attachDashValues(argv);
  try {
    parsed = parseArgs({
      args,
      options: {
        "prometheus-url": { type: "string" },
        stack: { type: "string" },
        write: { type: "boolean", default: false },
        "project-dir": { type: "string" },
        lookback: { type: "string", default: "1h" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new CheckError(`${(e as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  if (parsed.help) return "help";
  if (!parsed["prometheus-url"]) throw new CheckError(`--prometheus-url is required; ${USAGE}`);
  if (!parsed.stack) throw new CheckError(`--stack is required; ${USAGE}`);
  const lookback = parsed.lookback ?? "1h";
  const lookbackSeconds = parseDuration(lookback);
  if (!lookbackSeconds) throw new CheckError(`--lookback must be a duration such as 10m, not ${lookback === "" ? '""' : printable(lookback, 40)}`);
  return { prometheusUrl: parsed["prometheus-url"], stack: parsed.stack, write: parsed.write ?? false, projectDir: parsed["project-dir"] ?? currentDir(), lookbackSeconds };
}

function currentDir(): string {
  try {
    return process.cwd();
  } catch {
    throw new CheckError("the current directory no longer exists; cd into the Pulumi project or give --project-dir <dir>");
  }
}

/**
 * Text from a server (or anything else outside this program) made safe to print on one line:
 * ANSI escape sequences, control and bidi characters removed, white space collapsed, and at
 * most `max` characters, the last an ellipsis when it was cut.
 */
export function printable(text: string, max = 200): string {
  const flat = text
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "") // CSI: colours, cursor moves
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, "") // OSC: titles, links
    .replace(/\x1b[ -/]*[0-~]?/g, "") // any other escape
    .replace(/\x9b[0-?]*[ -/]*[@-~]/g, "") // 8-bit CSI
    .replace(/[\t\n\v\f\r\x85\u2028\u2029]/g, " ")
    .replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}\u2026` : flat;
}

/** Server-provided names or values, each printable, at most `max` of them. */
function printableList(items: readonly string[], separator: string, max = 30): string {
  const shown = items.slice(0, max).map((i) => printable(i, 80));
  return `${shown.join(separator)}${items.length > max ? `${separator}\u2026 (${items.length - max} more)` : ""}`;
}

/** A small Prometheus HTTP API client whose every failure is a one-line CheckError. */
export class PrometheusClient {
  private readonly base: string;
  private readonly headers: Record<string, string> = {};
  private readonly credentials: boolean;

  constructor(url: string, token = process.env.PROMETHEUS_BEARER_TOKEN, private readonly timeoutMs = 10_000) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CheckError(`--prometheus-url ${url} is not a URL such as http://127.0.0.1:9090`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new CheckError(`--prometheus-url ${url} must be http:// or https://`);
    if (parsed.username || parsed.password) {
      let user: string;
      let password: string;
      try {
        user = decodeURIComponent(parsed.username);
        password = decodeURIComponent(parsed.password);
      } catch {
        // never echo the URL here: it holds the password
        throw new CheckError("the user:password@ part of --prometheus-url is not valid percent-encoding; write a literal % as %25");
      }
      this.headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
      parsed.username = "";
      parsed.password = "";
    } else if (token) {
      // never echo the token: fetch would put it in its error message
      if (!/^[\x21-\x7e]+$/.test(token)) throw new CheckError("PROMETHEUS_BEARER_TOKEN holds a space, a line break or a non-ASCII character, which cannot go into an HTTP header; set it to the token alone");
      this.headers.authorization = `Bearer ${token}`;
    }
    this.credentials = "authorization" in this.headers;
    this.base = parsed.toString().replace(/\/+$/, "");
  }

  /** The base URL, without credentials. */
  get url(): string {
    return this.base;
  }

  /** GET an API path and return its `data`, which must have the shape `shape` checks. */
  async get<T>(path: string, params: Record<string, string | number>, shape: Shape<T>): Promise<T> {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const target = `${this.base}${path}${query.size ? `?${query}` : ""}`;
    let res: Response;
    try {
      res = await fetch(target, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new CheckError(`cannot reach Prometheus at ${this.base}: ${networkReason(e, this.timeoutMs)}; is it running, and is --prometheus-url right?`);
    }
    if (res.status === 401 || res.status === 403) {
      const what = res.status === 401 ? "401 Unauthorized" : "403 Forbidden";
      throw new CheckError(
        `Prometheus at ${this.base} refused the request (HTTP ${what}): ${this.credentials ? "the credentials were rejected" : "it needs credentials"}; set PROMETHEUS_BEARER_TOKEN=<token> or put user:password@ in --prometheus-url`,
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (e) {
      if (isTimeout(e)) throw new CheckError(`Prometheus at ${this.base} did not finish answering ${path} within ${this.timeoutMs / 1000}s; is it overloaded, and is --prometheus-url right?`);
      throw new CheckError(`${this.base} did not answer ${path} like a Prometheus API (HTTP ${res.status}); give the Prometheus base URL, without /api/v1`);
    }
    const unexpected = (what: string) => new CheckError(`the server at ${this.base} answered ${path} with an unexpected shape (${what}); is it a Prometheus?`);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw unexpected(`the answer is ${kindOf(body)}, not an object with status and data`);
    const { status, data, error } = body as { status?: unknown; data?: unknown; error?: unknown };
    if (status !== "success") {
      const text = typeof error === "string" && printable(error) ? printable(error) : "no error text";
      throw new CheckError(`Prometheus at ${this.base} answered ${path} with an error (HTTP ${res.status}): ${text}`);
    }
    const problem = shape.problem(data);
    if (problem) throw unexpected(problem);
    return shape.value(data);
  }
}

/** What an API answer's `data` must look like: `problem` says how it differs, `value` normalises it. */
export interface Shape<T> {
  problem(data: unknown): string | undefined;
  value(data: unknown): T;
}

function kindOf(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A list of strings; `null` is an empty list (Thanos and older Prometheus answer an empty result so). */
export const STRINGS: Shape<string[]> = {
  problem: (data) => {
    if (data === null) return undefined;
    if (!Array.isArray(data)) return `data is ${kindOf(data)}, not a list of strings`;
    const odd = data.find((d) => typeof d !== "string");
    return odd === undefined ? undefined : `data is a list holding ${kindOf(odd)}, not a list of strings`;
  },
  value: (data) => (data ?? []) as string[],
};

/** /api/v1/metadata: metric name -> list of `{ type, help, unit }`. */
export const METADATA: Shape<Record<string, Array<{ type: string }>>> = {
  problem: (data) => {
    if (typeof data !== "object" || data === null || Array.isArray(data)) return `data is ${kindOf(data)}, not a map of metric names to metadata lists`;
    for (const [name, entries] of Object.entries(data)) {
      if (!Array.isArray(entries)) return `the metadata of ${printable(name, 80)} is ${kindOf(entries)}, not a list`;
      const odd = entries.find((e) => typeof e !== "object" || e === null || typeof (e as { type?: unknown }).type !== "string");
      if (odd !== undefined) return `the metadata of ${printable(name, 80)} holds ${kindOf(odd)} without a type`;
    }
    return undefined;
  },
  value: (data) => data as Record<string, Array<{ type: string }>>,
};

function isTimeout(e: unknown): boolean {
  const name = (e as Error | undefined)?.name;
  return name === "TimeoutError" || name === "AbortError";
}

function networkReason(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (isTimeout(err)) return `no answer within ${timeoutMs / 1000}s`;
  const code = err.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "ECONNRESET") return "connection reset";
  return printable(String(err.cause?.message ?? err.message));
}

/** How a histogram's exported `le` values compare with the stack's bounds. */
export type BucketCheck =
  | { readonly status: "ok"; readonly exported: readonly string[] }
  /** Same numbers, other text: the rules select `le="1.0"`, the runtime writes `le="1"`. */
  | { readonly status: "le-text"; readonly exported: readonly string[]; readonly expected: readonly string[] }
  | { readonly status: "unexpected"; readonly exported: readonly string[]; readonly expected: readonly string[] };

/** What Prometheus knows about one catalogue metric. */
export interface MetricReport {
  readonly metric: MetricDef;
  /** Listed in `seamless:metrics.emitted`. */
  readonly listed: boolean;
  readonly present: boolean;
  /** Histogram series that are missing although the metric is present (`_sum`, ...). */
  readonly missingParts: readonly string[];
  readonly labels: readonly string[];
  readonly missingLabels: readonly string[];
  readonly extraLabels: readonly string[];
  readonly buckets?: BucketCheck;
  /** Exported type when it differs from the catalogue's. */
  readonly wrongType?: string;
  /** A likely reason it is missing (a near name that exists). */
  readonly hint?: string;
}

/** Whether a present metric matches what the stack assumes. */
export function matches(r: MetricReport): boolean {
  return r.present && r.missingLabels.length === 0 && (r.buckets?.status ?? "ok") === "ok" && r.wrongType === undefined;
}

/** Compares exported `le` values with the stack's finite bounds (plus +Inf). */
export function compareBuckets(exported: readonly string[], bounds: readonly number[]): BucketCheck {
  const expected = [...bounds.map(leValue), "+Inf"];
  const sorted = [...exported].sort((a, b) => Number(a.replace("+Inf", "Infinity")) - Number(b.replace("+Inf", "Infinity")));
  if (sorted.length === expected.length && sorted.every((le, i) => le === expected[i])) return { status: "ok", exported: sorted };
  const numbers = (les: readonly string[]) => les.map((le) => (le === "+Inf" ? Infinity : Number(le)));
  const a = numbers(sorted);
  const b = numbers(expected);
  if (a.length === b.length && a.every((n, i) => n === b[i])) return { status: "le-text", exported: sorted, expected };
  return { status: "unexpected", exported: sorted, expected };
}

/** Asks Prometheus about every catalogue metric. */
export async function inspectMetrics(client: PrometheusClient, model: StackModel, lookbackSeconds: number, now = Date.now() / 1000): Promise<MetricReport[]> {
  const range = { start: Math.floor(now - lookbackSeconds), end: Math.ceil(now) };
  const names = new Set(await client.get("/api/v1/label/__name__/values", range, STRINGS));
  const upLabels = await client.get("/api/v1/labels", { "match[]": "up", ...range }, STRINGS);
  const targetLabels = new Set(upLabels.length ? upLabels : ["job", "instance"]);
  const emitted = new Set(model.config.metrics.emitted);
  return Promise.all(
    CATALOGUE.map(async (metric): Promise<MetricReport> => {
      const histogram = metric.type === "histogram";
      const parts = histogram ? ["bucket", "count", "sum"].map((p) => `${metric.name}_${p}`) : [series(metric)];
      const primary = parts[0];
      const present = histogram ? names.has(`${metric.name}_bucket`) && names.has(`${metric.name}_count`) : names.has(series(metric));
      const base = { metric, listed: emitted.has(metric.name), present, missingParts: [], labels: [], missingLabels: [], extraLabels: [] };
      if (!present) return { ...base, hint: missingHint(metric, names) };
      const [labelNames, les, metadata] = await Promise.all([
        client.get("/api/v1/labels", { "match[]": `{__name__="${primary}"}`, ...range }, STRINGS),
        histogram ? client.get(`/api/v1/label/le/values`, { "match[]": `{__name__="${primary}"}`, ...range }, STRINGS) : Promise.resolve([]),
        // a counter's family is `x` when scraped as OpenMetrics, `x_total` in the text format
        Promise.all(
          [...new Set([metric.name, ...(histogram ? [] : [series(metric)]), ...(metric.type === "counter" ? [series(metric).slice(0, -6)] : [])])].map((name) =>
            client.get("/api/v1/metadata", { metric: name }, METADATA).then((m) => (Object.hasOwn(m, name) ? m[name] : [])),
          ),
        ),
      ]);
      const found = labelNames.filter((l) => l !== "__name__" && l !== "le");
      const types = [...new Set(metadata.flat().map((m) => m.type).filter((t) => t !== "unknown"))];
      return {
        ...base,
        missingParts: parts.filter((p) => !names.has(p)),
        labels: found.filter((l) => metric.labels.includes(l)),
        missingLabels: metric.labels.filter((l) => !found.includes(l)),
        extraLabels: found.filter((l) => !metric.labels.includes(l) && !targetLabels.has(l)),
        buckets: histogram ? compareBuckets(les, boundsOf(metric, model.config.metrics.buckets)) : undefined,
        wrongType: types.length && !types.includes(metric.type) ? types.join("/") : undefined,
      };
    }),
  );
}

function missingHint(metric: MetricDef, names: ReadonlySet<string>): string | undefined {
  if (metric.type === "counter" && series(metric) !== metric.name && names.has(metric.name)) {
    return `found ${metric.name} without _total: Python's prometheus_client exposes every counter as <name>_total, so this is not that counter`;
  }
  if (metric.type === "histogram" && names.has(metric.name)) return `found ${metric.name} without _bucket/_count: not exported as a histogram`;
  const near = [...names].filter((n) => n !== metric.name && (n.startsWith(metric.name) || metric.name.startsWith(n)) && Math.abs(n.length - metric.name.length) <= 8);
  return near.length ? `similar names exist: ${printableList(near.slice(0, 3), ", ")}` : undefined;
}

/** One stack's raw config with another emitted list. */
function withEmitted(raw: RawStackConfig, emitted: readonly string[]): RawStackConfig {
  const metrics = (raw.values.metrics ?? {}) as Record<string, unknown>;
  return { ...raw, values: { ...raw.values, metrics: { ...metrics, emitted: [...emitted] } } };
}

/**
 * The same raw config with an integration flag on, plus one secret more (or none), for each
 * secret key: the flag is acceptable if one of these builds. Secrets are never read, only
 * marked as set.
 */
function withIntegration(raw: RawStackConfig, integration: "pagerduty" | "slack"): RawStackConfig[] {
  const notifications = (raw.values.notifications ?? {}) as Record<string, unknown>;
  const current = (notifications[integration] ?? {}) as Record<string, unknown>;
  const values = { ...raw.values, notifications: { ...notifications, [integration]: { ...current, enabled: true } } };
  const unset = Object.keys(raw.secrets).filter((k) => !raw.secrets[k as keyof RawStackConfig["secrets"]]);
  return [raw.secrets, ...unset.map((k) => ({ ...raw.secrets, [k]: true }))].map((secrets) => ({ ...raw, secrets, values }));
}

/** The first variant that builds, else the most telling refusal (fewest problems about secrets, then fewest problems). */
function firstModel(variants: readonly RawStackConfig[]): { model?: StackModel; problem?: string } {
  const tried = variants.map((v) => tryModel(v));
  const built = tried.find((t) => t.model);
  if (built) return built;
  const score = (t: { problem?: string }) => [(t.problem?.match(/secret/g) ?? []).length, (t.problem ?? "").split("; ").length];
  return [...tried].sort((a, b) => score(a)[0] - score(b)[0] || score(a)[1] - score(b)[1])[0];
}

function tryModel(raw: RawStackConfig): { model?: StackModel; problem?: string } {
  try {
    return { model: buildModel(raw) };
  } catch (e) {
    if (e instanceof ConfigError) return { problem: e.problems.map((p) => `${p.key}: ${p.problem}`).join("; ") };
    throw e;
  }
}

function configErrorLine(e: ConfigError): string {
  return e.problems.map((p) => `${p.file}: ${p.key}${p.value !== undefined ? ` = ${JSON.stringify(p.value)}` : ""}: ${p.problem} (${p.fix})`).join("; ");
}

/** Everything the report says, computed before anything is printed or written. */
export interface CheckResult {
  readonly reports: readonly MetricReport[];
  /** The emitted list the stack should have: present, matching, not proposed; catalogue order. */
  readonly emitted: readonly string[];
  readonly mismatches: readonly string[];
  readonly lines: readonly string[];
}

/** Runs the check and renders the report (nothing is written here). */
export async function check(options: CheckOptions, raw: RawStackConfig, model: StackModel, client: PrometheusClient): Promise<CheckResult> {
  const reports = await inspectMetrics(client, model, options.lookbackSeconds);
  const emitted = reports.filter((r) => r.metric.status !== "proposed" && matches(r)).map((r) => r.metric.name);
  const mismatches = reports.flatMap((r) => mismatchLines(r, options.stack));
  const lines: string[] = [];
  const file = `Pulumi.${options.stack}.yaml`;
  lines.push(`check-metrics: stack ${options.stack} (${file}) against ${client.url}, series seen in the last ${formatDuration(options.lookbackSeconds)}`, "");
  const width = Math.max(...CATALOGUE.map((m) => m.name.length)) + 2;
  lines.push(`${"metric".padEnd(width)}${"listed".padEnd(8)}${"found".padEnd(9)}details`);
  for (const r of reports) lines.push(`${r.metric.name.padEnd(width)}${(r.metric.status === "proposed" ? "-" : r.listed ? "yes" : "no").padEnd(8)}${(r.present ? "present" : "missing").padEnd(9)}${details(r)}`);
  lines.push("");

  const current = new Set(model.config.metrics.emitted);
  const added = emitted.filter((m) => !current.has(m));
  const removed = [...current].filter((m) => !emitted.includes(m));
  lines.push(
    added.length || removed.length
      ? `seamless:metrics.emitted should be: ${emitted.join(", ") || "(empty)"}${added.length ? ` (adds ${added.join(", ")})` : ""}${removed.length ? ` (removes ${removed.join(", ")}: listed but not found or not matching)` : ""}`
      : `seamless:metrics.emitted is up to date: ${emitted.join(", ")}`,
  );

  const alerts = alertRules(model.rules);
  const ok = new Set(emitted);
  const next = tryModel(withEmitted(raw, emitted));
  const route = (a: AlertRule) => {
    const r = next.model?.notifications.routes.find((x) => x.alert === a.name);
    return r?.contactPoint ? `routes to ${r.contactPoint} (${r.integrations.join(", ")})` : `not routed by the stack: ${r?.heldBack ?? "unknown"}`;
  };
  const switchable = alerts.filter((a) => a.gatedReason && a.metrics.every((m) => ok.has(m)));
  const staying = alerts.filter((a) => a.gatedReason && !a.metrics.every((m) => ok.has(m)));
  const pausing = alerts.filter((a) => !a.gatedReason && !a.metrics.every((m) => ok.has(m)));
  lines.push("", switchable.length ? "Paused alerts that can be switched on (their metrics are present):" : "Paused alerts that can be switched on: none");
  for (const a of switchable) lines.push(`  ${a.name} [${a.severity}] reads ${a.metrics.join(", ")}; then ${route(a)}`);
  if (staying.length) lines.push("Paused alerts that stay paused:");
  for (const a of staying) lines.push(`  ${a.name} [${a.severity}] still needs ${a.metrics.filter((m) => !ok.has(m)).join(", ")}`);
  if (pausing.length) lines.push("Active alerts that --write would pause (a metric they read is missing or does not match):");
  for (const a of pausing) lines.push(`  ${a.name} [${a.severity}] reads ${a.metrics.filter((m) => !ok.has(m)).join(", ")}`);

  lines.push("", "Paging routes:");
  if (next.problem) lines.push(`  the stack would not be valid with that emitted list: ${next.problem}`);
  for (const integration of ["pagerduty", "slack"] as const) {
    const on = model.config.notifications[integration].enabled;
    const asked = firstModel(withIntegration(withEmitted(raw, emitted), integration));
    const receives = asked.model?.notifications.routes.filter((r) => r.integrations.includes(integration)).map((r) => r.alert) ?? [];
    if (on) lines.push(`  ${integration}: on${receives.length ? `; receives ${receives.join(", ")}` : ""}`);
    else if (asked.model) lines.push(`  ${integration}: off; could be switched on: it would receive ${receives.join(", ")} (set its secret and seamless:notifications.${integration}.enabled: true)`);
    else lines.push(`  ${integration}: off; stays refused: ${asked.problem}`);
  }
  return { reports, emitted, mismatches, lines };
}

function details(r: MetricReport): string {
  if (!r.present) return r.metric.status === "proposed" ? "proposed: no runtime exports it yet" : (r.hint ?? "no series in the lookback window");
  const parts: string[] = [];
  if (r.metric.status === "proposed") parts.push("present, but the catalogue marks it proposed: move it to planned/emitted in model/catalogue.ts before listing it");
  parts.push(r.missingLabels.length ? `MISSING LABELS ${r.missingLabels.join(", ")}` : r.metric.labels.length ? `labels ${r.metric.labels.join(", ")} ok` : "no labels, as expected");
  if (r.extraLabels.length) parts.push(`extra labels ${printableList(r.extraLabels, ", ")}`);
  if (r.buckets?.status === "ok") parts.push(`buckets ok (${r.buckets.exported.length - 1} finite, le="${r.buckets.exported[0]}".."${r.buckets.exported[r.buckets.exported.length - 2]}")`);
  else if (r.buckets) parts.push(`UNEXPECTED BUCKETS ${printableList(r.buckets.exported, ",")}`);
  if (r.missingParts.length) parts.push(`missing ${r.missingParts.join(", ")}`);
  if (r.wrongType) parts.push(`TYPE ${printable(r.wrongType, 80)}, catalogue says ${r.metric.type}`);
  return parts.join("; ");
}

function mismatchLines(r: MetricReport, stack: string): string[] {
  if (!r.present) return [];
  const name = r.metric.name;
  const out: string[] = [];
  if (r.buckets?.status === "unexpected") {
    const finite = r.buckets.exported.filter((le) => le !== "+Inf");
    out.push(
      `${name} has unexpected buckets: the runtime exports le=${printableList(r.buckets.exported, ",")} but stack ${stack} expects le=${r.buckets.expected.join(",")}; ` +
        `declare seamless:metrics.buckets.${name}: [${printableList(finite, ", ")}] in Pulumi.${stack}.yaml if the runtime is right, or fix the runtime`,
    );
  } else if (r.buckets?.status === "le-text") {
    out.push(`${name} writes its bucket bounds as le=${printableList(r.buckets.exported, ",")} but the rules select le=${r.buckets.expected.join(",")} (Prometheus 2 matches le as text): export them the Python way (1.0, not 1) or upgrade to Prometheus 3`);
  }
  if (r.missingLabels.length) out.push(`${name} lacks the label(s) ${r.missingLabels.join(", ")} that the stack's dashboards and alerts select or group by`);
  if (r.wrongType) out.push(`${name} is exported as ${printable(r.wrongType, 80)}, the catalogue says ${r.metric.type}`);
  return out;
}

/** Replaces `seamless:metrics.emitted` in the stack file text, keeping everything else (comments included). */
export function rewriteEmitted(text: string, emitted: readonly string[]): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new CheckError(`the stack file is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  // an existing list is replaced in the text itself, so every other byte of the file stays as written
  const spliced = spliceList(text, doc.getIn(["config", "seamless:metrics", "emitted"], true), emitted);
  if (spliced !== undefined) return spliced;
  try {
    doc.setIn(["config", "seamless:metrics", "emitted"], [...emitted]);
  } catch {
    // the path goes through an alias (`seamless:metrics: *name`), which setIn cannot follow
    const where = isAlias(doc.getIn(["config"], true)) ? "config" : "seamless:metrics";
    throw new CheckError(
      `--write cannot set seamless:metrics.emitted in the stack file: its ${where} is a YAML alias (*name), which --write does not edit; write the map out in place of the alias, or set seamless:metrics.emitted to [${emitted.join(", ")}] by hand`,
    );
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * The text with an existing `emitted` list replaced by `names`, or undefined when there is no
 * list to replace. A flow list (`[a, b]`) is rewritten in place; in a block list, an item that
 * stays keeps its own line (and the comment lines above it), and a new one gets a line of the
 * same indentation.
 */
function spliceList(text: string, node: unknown, names: readonly string[]): string | undefined {
  if (!isSeq(node) || !node.range) return undefined;
  if (node.flow) return `${text.slice(0, node.range[0])}[${names.join(", ")}]${text.slice(node.range[1])}`;
  const items = node.items.filter((i): i is Scalar => isScalar(i) && i.range !== undefined && i.range !== null);
  if (items.length === 0 || items.length !== node.items.length) return undefined;
  const lineStart = (at: number) => text.lastIndexOf("\n", at - 1) + 1;
  const lineEnd = (at: number) => (text.indexOf("\n", at) === -1 ? text.length : text.indexOf("\n", at));
  const first = lineStart(items[0].range![0]);
  const indent = text.slice(first, items[0].range![0]).replace(/-\s*$/, "");
  // each item's text: from the end of the previous item's line (comment lines above it included) to the end of its own line
  const own = new Map<string, string>();
  let from = first;
  for (const item of items) {
    const end = lineEnd(item.range![0]);
    own.set(String(item.value), text.slice(from, end).replace(/^\n/, ""));
    from = end;
  }
  const lines = names.map((n) => own.get(n) ?? `${indent}- ${n}`);
  return `${text.slice(0, first)}${lines.join("\n")}${text.slice(from)}`;
}

/** Refuses a project dir that is empty, missing, not a directory, or neither a Pulumi project nor holding the stack file. */
function checkProjectDir(dir: string, stack: string): void {
  const file = STACK_NAME.test(stack) ? `Pulumi.${stack}.yaml` : "Pulumi.<stack>.yaml";
  const give = `give the Pulumi project's directory (the one with Pulumi.yaml and ${file})`;
  if (dir === "") throw new CheckError(`--project-dir is empty; ${give}`);
  /** "dir", "file", "missing", or why it cannot be looked at. */
  const kind = (path: string): string => {
    try {
      return statSync(path).isDirectory() ? "dir" : "file";
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? "missing" : fsReason(e as NodeJS.ErrnoException);
    }
  };
  const self = kind(dir);
  if (self === "missing") throw new CheckError(`--project-dir ${dir} does not exist; ${give}`);
  if (self === "file") throw new CheckError(`--project-dir ${dir} is not a directory; ${give}`);
  if (self !== "dir") throw new CheckError(`--project-dir ${dir} cannot be read: ${self}; ${give}`);
  // a directory with the stack file, or a Pulumi project without it (readStackFile then lists its stacks)
  if (kind(join(dir, "Pulumi.yaml")) === "missing" && kind(join(dir, file)) === "missing") {
    throw new CheckError(`--project-dir ${dir} has no Pulumi.yaml and no ${file}, so it is not the Pulumi project's directory`);
  }
}

/** A file-system error as a one-line CheckError worded by `message` (the reason, and the path it names); anything else unchanged. */
function fsError(e: unknown, message: (reason: string, path?: string) => string): unknown {
  const err = e as NodeJS.ErrnoException | undefined;
  if (typeof err?.code !== "string" || typeof err.syscall !== "string") return e;
  return new CheckError(message(fsReason(err), err.path));
}

function fsReason(e: NodeJS.ErrnoException): string {
  const code = e.code;
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EISDIR: "it is a directory",
    ENOTDIR: "a part of the path is not a directory",
    ENOENT: "no such file or directory",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EBUSY: "it is busy",
    EMFILE: "too many open files",
  };
  return code && reasons[code] ? `${reasons[code]} (${code})` : (code ?? e.message.split("\n")[0]);
}

/** Output streams (replaceable in tests). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const STDIO: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** The command; returns the exit code and never throws. */
export async function main(argv: readonly string[], io: Io = STDIO): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options === "help") {
      io.out(USAGE);
      return 0;
    }
    checkProjectDir(options.projectDir, options.stack);
    let raw: RawStackConfig;
    let model: StackModel;
    try {
      raw = readStackFile(options.projectDir, options.stack);
      model = buildModel(raw);
    } catch (e) {
      if (e instanceof ConfigError) throw new CheckError(`stack ${options.stack} in ${options.projectDir}: ${configErrorLine(e)}`);
      throw fsError(e, (reason, file) => `stack ${options.stack} in ${options.projectDir}: cannot read ${file ?? options.projectDir}: ${reason}`);
    }
    const client = new PrometheusClient(options.prometheusUrl);
    const result = await check(options, raw, model, client);
    for (const line of result.lines) io.out(line);
    if (result.mismatches.length) {
      for (const line of result.mismatches) io.err(`check-metrics: ${line}${options.write ? "; nothing written" : ""}`);
      return 1;
    }
    if (options.write) {
      const path = join(options.projectDir, `Pulumi.${options.stack}.yaml`);
      let before: string;
      try {
        before = readFileSync(path, "utf8");
      } catch (e) {
        throw fsError(e, (reason) => `cannot read ${path}: ${reason}; nothing written`);
      }
      let after: string;
      try {
        after = rewriteEmitted(before, result.emitted);
      } catch (e) {
        // a list behind a YAML alias cannot be rewritten, but may need no change
        const same = model.config.metrics.emitted.length === result.emitted.length && model.config.metrics.emitted.every((m, i) => m === result.emitted[i]);
        if (!(e instanceof CheckError) || !same) throw e;
        after = before;
      }
      if (after === before) {
        io.out(`\nPulumi.${options.stack}.yaml already lists exactly these metrics; nothing written.`);
        return 0;
      }
      // the rewritten file must still be a valid stack before it replaces the old one
      let scratch: string;
      try {
        scratch = mkdtempSync(join(tmpdir(), "check-metrics-"));
      } catch (e) {
        throw fsError(e, (reason) => `cannot make a scratch directory in ${tmpdir()} to check the new stack file: ${reason}; ${path} was left as it was`);
      }
      try {
        writeFileSync(join(scratch, `Pulumi.${options.stack}.yaml`), after);
        buildModel(readStackFile(scratch, options.stack));
      } catch (e) {
        if (e instanceof ConfigError) throw new CheckError(`the new emitted list would make the stack invalid, so ${path} was left as it was: ${configErrorLine(e)}`);
        throw fsError(e, (reason) => `cannot check the new stack file in ${scratch}: ${reason}; ${path} was left as it was`);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      const tmp = `${path}.check-metrics.tmp`;
      try {
        writeFileSync(tmp, after);
        renameSync(tmp, path);
      } catch (e) {
        try {
          rmSync(tmp, { force: true }); // a file only: never a directory someone made there
        } catch {
          // left for the user; the message names it
        }
        throw fsError(e, (reason, file) => `cannot write ${file ?? tmp}: ${reason}; ${path} was left as it was`);
      }
      io.out(`\nWrote seamless:metrics.emitted (${result.emitted.length} metrics) to ${path}; nothing else in the file changed. Review with git diff, then run npm run synth.`);
    } else {
      io.out(`\nRun again with --write to update seamless:metrics.emitted in Pulumi.${options.stack}.yaml.`);
    }
    return 0;
  } catch (e) {
    if (e instanceof CheckError) {
      io.err(`check-metrics: ${e.message}`);
      return e.exitCode;
    }
    io.err(`check-metrics: unexpected error: ${(e as Error).message?.split("\n")[0] ?? String(e)}`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
