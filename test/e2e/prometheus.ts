/**
 * Runs Debian's `prometheus` binary for tests and benchmarks: 127.0.0.1, a free port, a
 * temporary data directory, an optional scrape job and rule file; stopped (and its
 * temporary files removed) by `stop()`, or at the latest when this process exits.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toYaml } from "../../synth/render";
import { PrometheusRule, PrometheusRuleGroup } from "../../model/prometheus";

/** What to tell someone whose machine lacks the binaries. */
export const INSTALL_HINT = "install Debian's prometheus package: apt-get install -y prometheus (CI's .ci/run installs it)";

/** Fails with {@link INSTALL_HINT} when `prometheus` or `promtool` cannot be run. */
export function requireBinary(name: "prometheus" | "promtool"): void {
  const run = spawnSync(name, ["--version"], { encoding: "utf8" });
  if (run.error || run.status !== 0) throw new Error(`${name} is not runnable (${run.error?.message ?? `exit ${run.status}`}); ${INSTALL_HINT}`);
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

/** How to run Prometheus. */
export interface PrometheusOptions {
  /** Scrape targets (`host:port`) of one job; none means no scraping. */
  readonly targets?: readonly string[];
  /** Job name of the targets; default `seamless`. */
  readonly job?: string;
  /** Rule groups to load at start (written to a temporary rule file); see also `loadRules`. */
  readonly ruleGroups?: readonly PrometheusRuleGroup[];
  /** Default 1s. */
  readonly scrapeInterval?: string;
  /** Default 1s. */
  readonly evaluationInterval?: string;
  /** An existing data directory to open (kept on stop); default a temporary one (removed on stop). */
  readonly dataDir?: string;
  /** More command-line flags. */
  readonly args?: readonly string[];
  /** How long to wait for /-/ready; default 30s. */
  readonly readyTimeoutMs?: number;
}

/** One sample stream of a query result. */
export interface PromSeries {
  readonly metric: Record<string, string>;
  /** Instant queries. */
  readonly value?: [number, string];
  /** Range queries. */
  readonly values?: Array<[number, string]>;
}

/** An active alert as /api/v1/alerts lists it. */
export interface ApiAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: "pending" | "firing";
  readonly activeAt: string;
  readonly value: string;
}

/** A rule as /api/v1/rules lists it. */
export interface ApiRule {
  readonly name: string;
  readonly type: "alerting" | "recording";
  readonly health: string;
  readonly lastError?: string;
  readonly state?: "inactive" | "pending" | "firing";
  readonly query: string;
}

/** A rule group as /api/v1/rules lists it. */
export interface ApiRuleGroup {
  readonly name: string;
  readonly interval: number;
  readonly rules: ApiRule[];
  readonly lastEvaluation: string;
}

/** A running Prometheus. */
export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dataDir: string;
  /** GET an API path; throws with Prometheus' error text on a non-success answer. */
  api<T>(path: string, params?: Record<string, string | number | readonly string[]>): Promise<T>;
  /** Instant query (at `time`, epoch seconds; default now). */
  query(expr: string, time?: number): Promise<PromSeries[]>;
  /** Range query. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<PromSeries[]>;
  alerts(): Promise<ApiAlert[]>;
  ruleGroups(): Promise<ApiRuleGroup[]>;
  /** Last lines Prometheus logged, for failure messages. */
  log(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 10s) and removes temporary files. */
  stop(): Promise<void>;
  /** Replaces the rule file and reloads the configuration (SIGHUP); resolves once the groups are loaded. */
  loadRules(groups: readonly PrometheusRuleGroup[]): Promise<void>;
  /**
   * Waits until every target has been scraped successfully. Prometheus hands static targets
   * to the scraper only after its first discovery update (about 5s after start).
   */
  waitForScrape(timeoutMs?: number): Promise<void>;
}

const live = new Set<{ child: ChildProcess; dirs: string[] }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const { child, dirs } of live) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Starts Prometheus and waits until it is ready. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  requireBinary("prometheus");
  installExitHook();
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options, await freePort());
    } catch (e) {
      lastError = e as Error;
      if (!/address already in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError as Error;
}

async function startOnce(options: PrometheusOptions, port: number): Promise<RunningPrometheus> {
  const configDir = mkdtempSync(join(tmpdir(), "seamless-prom-"));
  const dataDir = options.dataDir ?? join(configDir, "data");
  const writeConfig = (groups: readonly PrometheusRuleGroup[] | undefined): void => {
    const ruleFiles: string[] = [];
    if (groups) {
      writeFileSync(join(configDir, "rules.yaml"), toYaml({ groups }));
      ruleFiles.push(join(configDir, "rules.yaml"));
    }
    const config = {
      global: { scrape_interval: options.scrapeInterval ?? "1s", evaluation_interval: options.evaluationInterval ?? "1s", scrape_timeout: "1s" },
      rule_files: ruleFiles,
      scrape_configs: options.targets?.length ? [{ job_name: options.job ?? "seamless", static_configs: [{ targets: [...options.targets] }] }] : [],
    };
    writeFileSync(join(configDir, "prometheus.yml"), toYaml(config));
  };
  writeConfig(options.ruleGroups);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    "prometheus",
    [`--config.file=${join(configDir, "prometheus.yml")}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn", ...(options.args ?? [])],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const entry = { child, dirs: [configDir] };
  live.add(entry);
  const logLines: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    logLines.push(...chunk.split("\n").filter(Boolean));
    if (logLines.length > 60) logLines.splice(0, logLines.length - 60);
  });
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  const log = () => logLines.join("\n");

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(configDir, { recursive: true, force: true });
    live.delete(entry);
  };

  const api = async <T>(path: string, params: Record<string, string | number | readonly string[]> = {}): Promise<T> => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) query.append(k, String(one));
    const res = await fetch(`${url}${path}${query.size ? `?${query}` : ""}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus ${path} failed: ${body.error ?? res.status}`);
    return body.data;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready after ${options.readyTimeoutMs ?? 30_000}ms:\n${log()}`);
    }
    await sleep(100);
  }

  return {
    url,
    dataDir,
    api,
    query: async (expr, time) => (await api<{ result: PromSeries[] }>("/api/v1/query", { query: expr, ...(time !== undefined ? { time } : {}) })).result,
    queryRange: async (expr, start, end, step) => (await api<{ result: PromSeries[] }>("/api/v1/query_range", { query: expr, start, end, step })).result,
    alerts: async () => (await api<{ alerts: ApiAlert[] }>("/api/v1/alerts")).alerts,
    ruleGroups: async () => (await api<{ groups: ApiRuleGroup[] }>("/api/v1/rules")).groups,
    log,
    stop,
    loadRules: async (groups) => {
      writeConfig(groups);
      child.kill("SIGHUP");
      const wanted = JSON.stringify(groups.map((g) => g.name).sort());
      await waitFor("the reloaded rule groups", async () => {
        const loaded = (await api<{ groups: ApiRuleGroup[] }>("/api/v1/rules")).groups;
        return JSON.stringify(loaded.map((g) => g.name).sort()) === wanted ? true : undefined;
      }, 20_000, 100);
    },
    waitForScrape: async (timeoutMs = 20_000) => {
      await waitFor(`the first scrape of ${options.targets?.join(", ")}`, async () => {
        const result = (await api<{ result: PromSeries[] }>("/api/v1/query", { query: `up{job="${options.job ?? "seamless"}"}` })).result;
        return result.length === (options.targets?.length ?? 0) && result.every((r) => lastValue(r) === 1) ? true : undefined;
      }, timeoutMs, 100);
    },
  };
}

/**
 * The rule groups made quick for a test: every group evaluated every `interval`, every
 * alert's `for` shortened to `forDuration` (alerts without `for` keep firing at once).
 * Expressions and their rate windows are untouched.
 */
export function quickRuleGroups(groups: readonly PrometheusRuleGroup[], interval = "1s", forDuration = "3s"): PrometheusRuleGroup[] {
  return groups.map((g) => ({
    ...g,
    interval,
    rules: g.rules.map((r): PrometheusRule => ("alert" in r && r.for ? { ...r, for: forDuration } : r)),
  }));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes; then throws naming `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await sleep(everyMs);
  }
}

/** Sleeps. */
export function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}

/** Whether any stream of a result holds a finite number. */
export function hasFiniteValue(result: readonly PromSeries[]): boolean {
  return result.some((s) => [...(s.values ?? []), ...(s.value ? [s.value] : [])].some(([, v]) => Number.isFinite(Number(v))));
}

/** The last finite value of a stream (NaN when none). */
export function lastValue(s: PromSeries): number {
  const points = s.values ?? (s.value ? [s.value] : []);
  for (let i = points.length - 1; i >= 0; i--) if (Number.isFinite(Number(points[i][1]))) return Number(points[i][1]);
  return NaN;
}
