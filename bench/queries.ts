/**
 * `npm run bench:queries`: how long the Seamless SLA Overview takes to load over 24h, for this
 * stack's queries (which read its recording rules) and for QMTL's upstream queries, against
 * the same Prometheus in one run, at two runtime sizes. Prints figures only.
 *
 * Data: 24h of the synthetic runtime (healthy, 60s scrape interval) per size, written as
 * OpenMetrics and imported with `promtool tsdb create-blocks-from openmetrics`. The recording
 * rules are evaluated over the same 24h by a scratch Prometheus holding only the series they
 * read (range queries at the rule interval, as `promtool tsdb create-blocks-from rules`
 * does), and imported with the raw series, so the measured Prometheus has no overlapping
 * blocks to compact while it is timed. Each size's day sits in its own time range.
 *
 * Sizes: the default is the brief's 50 and 500 nodes (3 worlds, 1 interval, 4 phases), median of
 * 3 runs per query, about 13 minutes on 2 cores (most of it evaluating the recording rules over
 * both days and importing 218M samples); `--nodes 50,150` takes about 4.
 *
 *   npm run bench:queries [-- --nodes 50,500] [--worlds 3] [--runs 3]
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CATALOGUE, METRIC } from "../model/catalogue";
import { ALL_NODES } from "../model/rules";
import { RunningPrometheus, requireBinary, startPrometheus } from "../test/e2e/prometheus";
import { FixedSeries, writeHistoryFile } from "../test/e2e/openmetrics";
import { RuntimeSize, SyntheticFamily, syntheticRuntime } from "../test/e2e/synthetic";
import { e2eStack } from "../test/e2e/stack";
import { allValues, panelTargets, substitute } from "../test/e2e/panels";

/** Sizes measured by default (the brief's). */
const DEFAULT_NODES = "50,500";
/** Seconds of data per size, and between samples. */
const DAY = 24 * 3600;
const SCRAPE = 60;
/** Rule evaluation interval of the stack (1m), also the query step. */
const STEP = 60;
/** Parts a day is cut into: each becomes one block, imported two at a time (2 cores). */
const PART = 6 * 3600;
/** promtool's block range for --max-block-duration=100h: days are placed inside one such range. */
const BLOCK_RANGE = 54 * 3600;

/** One query of a dashboard. */
interface BenchQuery {
  readonly label: string;
  readonly expr: string;
  readonly instant: boolean;
}

/**
 * QMTL's upstream SLA Overview (../shared/qmtl/upstream.md): p99 of the total phase, p99 by
 * phase, and a stat with the current p95, all straight from the histogram over rate[5m].
 */
export const UPSTREAM_SLA_OVERVIEW: readonly BenchQuery[] = [
  { label: "p99 total", expr: 'histogram_quantile(0.99, sum by (le) (rate(seamless_sla_deadline_seconds_bucket{phase="total"}[5m])))', instant: false },
  { label: "p99 by phase", expr: "histogram_quantile(0.99, sum by (le, phase) (rate(seamless_sla_deadline_seconds_bucket[5m])))", instant: false },
  { label: "current p95 (stat)", expr: 'histogram_quantile(0.95, sum by (le) (rate(seamless_sla_deadline_seconds_bucket{phase="total"}[5m])))', instant: true },
];

interface SizeRun {
  readonly size: RuntimeSize;
  /** Epoch seconds of the first sample. */
  readonly start: number;
  readonly end: number;
}

interface Timing {
  readonly label: string;
  readonly expr: string;
  readonly instant: boolean;
  readonly medianMs: number;
  readonly resultSeries: number;
  readonly error?: string;
}

/**
 * Whether a query reads raw runtime series with the variables on All: a catalogue name that is
 * not part of a recording rule's name, in a selector that does not carry the All-nodes value
 * (`node_id=~"__all__"` selects nothing; see ALL_NODES in model/rules.ts).
 */
const RAW_NAME = new RegExp(`(?<![\\w:])(${CATALOGUE.map((m) => m.name).join("|")})(_bucket|_count|_sum|_total)?(?![\\w:])`);
const ALL_NODES_SELECTOR = new RegExp(`[\\w:]+\\{[^}]*\\bnode_id=~"${ALL_NODES.value}"[^}]*\\}`, "g");
const readsRaw = (expr: string) => RAW_NAME.test(expr.replace(ALL_NODES_SELECTOR, ""));

const progress = (text: string) => process.stderr.write(`bench:queries: ${text}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: "string", default: DEFAULT_NODES }, worlds: { type: "string", default: "3" }, runs: { type: "string", default: "3" } } });
  const nodes = (values.nodes ?? DEFAULT_NODES).split(",").map(Number);
  const worlds = Number(values.worlds);
  const runs = Number(values.runs);
  if (nodes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(worlds) || worlds < 1 || !Number.isInteger(runs) || runs < 1) {
    throw new Error("usage: npm run bench:queries -- [--nodes 50,500] [--worlds 3] [--runs 3]");
  }
  requireBinary("prometheus");
  requireBinary("promtool");
  const work = mkdtempSync(join(tmpdir(), "seamless-bench-"));
  process.once("exit", () => rmSync(work, { recursive: true, force: true }));
  const began = Date.now();

  const model = e2eStack();
  const dashboard = model.dashboards.find((d) => d.key === "slaOverview");
  if (!dashboard) throw new Error("the stack has no SLA Overview");
  const vars = allValues(dashboard.json, { rateInterval: `${4 * SCRAPE}s`, range: "24h", interval: `${STEP}s` });
  const ours: BenchQuery[] = panelTargets(dashboard.json).map((t) => ({ label: `${t.panelId} ${t.title} ${t.refId}`, expr: substitute(t.expr, vars), instant: t.instant }));
  const read = CATALOGUE.filter((m) => [...ours, ...UPSTREAM_SLA_OVERVIEW].some((q) => new RegExp(`\\b${m.name}(_bucket|_count|_sum)?\\b`).test(q.expr)) || m === METRIC.slaDeadline);
  const records = model.prometheusRuleFile.groups.flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [{ record: r.record, expr: r.expr, labels: r.labels ?? {} }] : [])));

  const first = Math.floor((Date.now() / 1000 - 10 * 24 * 3600) / BLOCK_RANGE) * BLOCK_RANGE;
  const sizes: SizeRun[] = nodes.map((n, i) => ({ size: { nodes: n, worlds, leases: 0, intervals: 1 }, start: first + i * BLOCK_RANGE, end: first + i * BLOCK_RANGE + DAY }));
  const families = (s: SizeRun) => syntheticRuntime({ scenario: "healthy", size: s.size, sums: false, metrics: read.map((m) => m.name), epochSeconds: s.start });

  // 1. recording rules, evaluated over each day by a scratch Prometheus holding only what they read
  const t1 = Date.now();
  const recorded = await evaluateRecords(work, sizes, families, records);
  progress(`recording rules evaluated over 24h per size in ${seconds(t1)}`);

  // 2. the measured data: raw series plus recorded series, one block per 6h part
  const t2 = Date.now();
  const data = join(work, "data");
  const imports: Array<() => Promise<void>> = [];
  let samples = 0;
  sizes.forEach((s, i) => {
    for (let from = 0; from < DAY; from += PART) {
      const file = join(work, `size${i}-${from}.om`);
      const to = Math.min(DAY, from + PART - SCRAPE);
      const fixed = recorded[i].map((r) => ({ ...r, samples: r.samples.filter(([ts]) => ts >= s.start + from && ts <= s.start + to) }));
      imports.push(async () => {
        samples += writeHistoryFile(file, families(s), { from, to, step: SCRAPE, epochSeconds: s.start }, fixed);
        await promtool(["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=100h", file, data]);
        rmSync(file, { force: true });
      });
    }
  });
  await pool(imports, 2);
  progress(`${(samples / 1e6).toFixed(1)}M samples generated and imported in ${seconds(t2)}`);

  // 3. one Prometheus on all of it; every query of both dashboards, interleaved, `runs` times each
  const prometheus = await startPrometheus({ dataDir: data });
  const results: Array<{ run: SizeRun; series: number; byMetric: Record<string, number>; ours: Timing[]; upstream: Timing[] }> = [];
  try {
    for (const run of sizes) {
      const counted = await prometheus.query('count by (__name__) ({__name__=~".+"})', run.end);
      const byMetric = Object.fromEntries(counted.map((c) => [c.metric.__name__, Number(c.value?.[1] ?? 0)]));
      const t3 = Date.now();
      const [o, u] = await measure(prometheus, run, [ours, UPSTREAM_SLA_OVERVIEW], runs);
      progress(`${run.size.nodes} nodes measured in ${seconds(t3)}`);
      results.push({ run, series: Object.values(byMetric).reduce((a, b) => a + b, 0), byMetric, ours: o, upstream: u });
    }
  } finally {
    await prometheus.stop();
  }

  // 4. figures
  const out: string[] = [];
  const total = (ts: readonly Timing[]) => ts.reduce((a, t) => a + t.medianMs, 0);
  out.push(
    `Seamless SLA Overview over 24h (step ${STEP}s, $__rate_interval ${4 * SCRAPE}s, variables on All; instant panels at the end of the day), median of ${runs} runs per query after one warm-up, one Prometheus (${prometheusVersion()}) holding every size, 60s scrape interval, healthy runtime.`,
    "",
    "| size | series stored | ours: queries | ours: total median | upstream: queries | upstream: total median | speed-up (upstream / ours) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of results) {
    const label = `${r.run.size.nodes} nodes x ${r.run.size.worlds} worlds x ${r.run.size.intervals ?? 2} interval(s)`;
    out.push(`| ${label} | ${r.series} | ${r.ours.length} | ${ms(total(r.ours))} | ${r.upstream.length} | ${ms(total(r.upstream))} | ${(total(r.upstream) / total(r.ours)).toFixed(1)}x |`);
  }
  out.push("");
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1], results[i]];
    const grow = (x: Timing[], y: Timing[]) => (total(y) / total(x)).toFixed(2);
    out.push(
      `${a.run.size.nodes} -> ${b.run.size.nodes} nodes (x${(b.run.size.nodes / a.run.size.nodes).toFixed(1)}): ours costs x${grow(a.ours, b.ours)}, upstream x${grow(a.upstream, b.upstream)}`,
    );
  }
  out.push("");
  for (const r of results) {
    const recordsOnly = r.ours.filter((t) => !readsRaw(t.expr));
    const raw = r.ours.filter((t) => !recordsOnly.includes(t));
    out.push(
      `${r.run.size.nodes} nodes: ours reading recorded series only (${recordsOnly.length} queries) ${ms(total(recordsOnly))}, reading raw series (${raw.length} queries) ${ms(total(raw))}; upstream ${ms(total(r.upstream))}`,
    );
  }
  for (const r of results) {
    out.push("", `${r.run.size.nodes} nodes: series stored by metric: ${Object.entries(r.byMetric).sort().map(([k, v]) => `${k} ${v}`).join(", ")}`);
    out.push("", "| dashboard | query | kind | median | result series |", "| --- | --- | --- | ---: | ---: |");
    for (const [who, list] of [["ours", r.ours], ["upstream", r.upstream]] as const) {
      for (const t of list) out.push(`| ${who} | ${t.label} | ${t.instant ? "instant" : "range"} | ${t.error ? `error: ${t.error}` : ms(t.medianMs)} | ${t.resultSeries} |`);
    }
  }
  // a query that returns nothing measures no loaded panel: the figures above would flatter us
  const empty = results.flatMap((r) => [...r.ours, ...r.upstream].filter((t) => t.resultSeries === 0 || t.error).map((t) => `${r.run.size.nodes} nodes: ${t.label}`));
  if (empty.length) {
    out.push("", `INVALID RUN: ${empty.length} queries returned no series or failed, so their timings measure no loaded panel:`, ...empty.map((e) => `- ${e}`));
    process.exitCode = 1;
  }
  out.push("", `(whole run ${seconds(began)}: data ${(samples / 1e6).toFixed(1)}M samples; histogram _sum series are left out, no query reads them)`);
  process.stdout.write(`${out.join("\n")}\n`);
}

/** Evaluates every recording rule over each size's day (rule interval steps); returns the series per size. */
async function evaluateRecords(
  work: string,
  sizes: readonly SizeRun[],
  families: (s: SizeRun) => SyntheticFamily[],
  records: ReadonlyArray<{ record: string; expr: string; labels: Readonly<Record<string, string>> }>,
): Promise<FixedSeries[][]> {
  // only the families the records read (the dashboards' records read every phase and bucket)
  const dir = join(work, "records");
  await pool(
    sizes.map((s, i) => async () => {
      const subset = families(s).filter((f) => records.some((r) => r.expr.includes(f.metric.name)));
      const file = join(work, `records-input-${i}.om`);
      writeHistoryFile(file, subset, { from: 0, to: DAY, step: SCRAPE, epochSeconds: s.start });
      await promtool(["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=100h", file, dir]);
      rmSync(file, { force: true });
    }),
    2,
  );
  const scratch = await startPrometheus({ dataDir: dir });
  try {
    // a record that reads earlier records is evaluated with their expressions inlined (the scratch
    // Prometheus has none of them), as the values would be the same
    const inlined = new Map<string, string>();
    for (const r of records) {
      let expr = r.expr;
      for (const [name, body] of inlined) expr = expr.replace(new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![a-zA-Z0-9_:])`, "g"), `(${body})`);
      inlined.set(r.record, expr);
    }
    const out: FixedSeries[][] = [];
    for (const s of sizes) {
      const series: FixedSeries[] = [];
      for (const r of records) {
        // in parts of the day: at 500 nodes one 24h query would exceed Prometheus' --query.max-samples
        const byLabels = new Map<string, { labels: Record<string, string>; samples: Array<readonly [number, number]> }>();
        for (let from = 0; from < DAY; from += PART) {
          const result = await scratch.queryRange(inlined.get(r.record) as string, s.start + from, s.start + Math.min(DAY, from + PART - STEP), STEP);
          for (const x of result) {
            // the rule's own labels are added as Prometheus adds them when it evaluates the rule
            const labels = { ...Object.fromEntries(Object.entries(x.metric).filter(([k]) => k !== "__name__")), ...r.labels };
            const key = JSON.stringify(Object.entries(labels).sort());
            const one = byLabels.get(key) ?? { labels, samples: [] };
            one.samples.push(...(x.values ?? []).map(([ts, v]) => [ts, Number(v)] as const));
            byLabels.set(key, one);
          }
        }
        for (const one of byLabels.values()) series.push({ name: r.record, ...one });
      }
      out.push(series);
    }
    return out;
  } finally {
    await scratch.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median wall time per query over `runs` rounds (after one warm-up), dashboards interleaved query by query. */
async function measure(p: RunningPrometheus, run: SizeRun, dashboards: ReadonlyArray<readonly BenchQuery[]>, runs: number): Promise<Timing[][]> {
  const times = dashboards.map((qs) => qs.map(() => [] as number[]));
  const series = dashboards.map((qs) => qs.map(() => 0));
  const errors = dashboards.map((qs) => qs.map((): string | undefined => undefined));
  for (let round = 0; round <= runs; round++) {
    const longest = Math.max(...dashboards.map((d) => d.length));
    for (let i = 0; i < longest; i++) {
      for (let d = 0; d < dashboards.length; d++) {
        const q = dashboards[d][i];
        if (!q || errors[d][i]) continue;
        const t = process.hrtime.bigint();
        try {
          const result = q.instant ? await p.query(q.expr, run.end) : await p.queryRange(q.expr, run.start, run.end, STEP);
          series[d][i] = result.length;
        } catch (e) {
          errors[d][i] = (e as Error).message.replace(/^Prometheus \S+ failed: /, "");
          continue;
        }
        if (round > 0) times[d][i].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
  }
  return dashboards.map((qs, d) => qs.map((q, i) => ({ label: q.label, expr: q.expr, instant: q.instant, medianMs: median(times[d][i]), resultSeries: series[d][i], error: errors[d][i] })));
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

/** Runs promtool; rejects with its last lines on failure. */
function promtool(args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn("promtool", args, { stdio: ["ignore", "ignore", "pipe"] });
    children.add(child);
    let err = "";
    child.stderr?.setEncoding("utf8").on("data", (c: string) => {
      err = (err + c).slice(-2000);
    });
    child.once("exit", (code) => {
      children.delete(child);
      if (code === 0) ok();
      else fail(new Error(`promtool ${args.slice(0, 3).join(" ")} failed (${code}): ${err.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

/** Runs tasks with at most `width` at once. */
async function pool(tasks: ReadonlyArray<() => Promise<void>>, width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

function prometheusVersion(): string {
  const run = spawnSync("prometheus", ["--version"], { encoding: "utf8" });
  return (`${run.stdout ?? ""}${run.stderr ?? ""}`.match(/version (\S+)/)?.[1] ?? "unknown").replace(/\+ds$/, "");
}

function ms(v: number): string {
  return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:queries: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
