/**
 * `npm run check-metrics` against a local Prometheus scraping the synthetic runtime: a healthy
 * runtime, and a broken one (other SLA buckets, Python counter names, a missing label). Writes
 * only to copies of the stack files in a temporary project dir.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CATALOGUE } from "../model/catalogue";
import { buildModel } from "../model/model";
import { alertRules } from "../model/rules";
import { readStackFile } from "../model/stackfile";
import { main } from "../tools/check-metrics";
import { RunningExporter, startExporter } from "./e2e/exporter";
import { RunningPrometheus, freePort, requireBinary, startPrometheus } from "./e2e/prometheus";
import { allEmittable } from "./e2e/stack";
import { ROOT } from "./helpers/mocks";

const BROKEN_BOUNDS = [0.5, 1, 2.5, 5, 10, 30, 60];

let healthy: RunningPrometheus;
let broken: RunningPrometheus;
let authServer: Server;
let authUrl: string;
let project: string;
let missingBinary: Error | undefined;
const cleanup: Array<() => Promise<void>> = [];

/** Runs the tool in-process. */
async function check(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, "--project-dir", project], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err };
}

/** Runs the real command line (tsx) in a child process. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "tools", "check-metrics.ts"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      ok({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function prometheusFor(): { healthy: RunningPrometheus; broken: RunningPrometheus } {
  if (missingBinary) throw missingBinary;
  return { healthy, broken };
}

/** A staging-like file without any seamless:metrics key, with comments. */
const MINIMAL = "# minimal: no metrics key at all\nconfig:\n  seamless:environment: minimal # the env\n  seamless:slo:\n    deadlineSeconds: 5\n";

describe("npm run check-metrics", () => {
  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), "seamless-check-metrics-"));
    cleanup.push(async () => rmSync(project, { recursive: true, force: true }));
    for (const f of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.dev.yaml"]) copyFileSync(join(ROOT, f), join(project, f));
    writeFileSync(join(project, "Pulumi.minimal.yaml"), MINIMAL);
    authServer = createServer((req, res) => {
      res.writeHead(req.headers.authorization ? 403 : 401, { "content-type": "text/plain" }).end("no\n");
    });
    await new Promise<void>((ok) => authServer.listen(0, "127.0.0.1", () => ok()));
    cleanup.push(() => new Promise<void>((ok) => authServer.close(() => ok())));
    authUrl = `http://127.0.0.1:${(authServer.address() as AddressInfo).port}`;
    try {
      requireBinary("prometheus");
    } catch (e) {
      missingBinary = e as Error;
      return;
    }
    const pair = async (exporterOptions: Parameters<typeof startExporter>[0]): Promise<RunningPrometheus> => {
      const exporter: RunningExporter = await startExporter(exporterOptions);
      cleanup.push(() => exporter.close());
      const p = await startPrometheus({ targets: [exporter.target] });
      cleanup.push(() => p.stop());
      await p.waitForScrape();
      return p;
    };
    [healthy, broken] = await Promise.all([
      pair({ scenario: "healthy" }),
      pair({ scenario: "healthy", buckets: { seamless_sla_deadline_seconds: BROKEN_BOUNDS }, bareCounterNames: true, dropLabels: { coverage_ratio: ["world_id"] } }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(cleanup.reverse().map((stop) => stop()));
  });

  it("has Debian's prometheus (apt-get install -y prometheus)", () => {
    expect(missingBinary?.message).toBeUndefined();
  });

  it("reports every catalogue metric as present or missing, with labels and buckets, and what could be switched on (staging)", async () => {
    const { healthy: p } = prometheusFor();
    const before = readFileSync(join(project, "Pulumi.staging.yaml"), "utf8");
    const r = await check("--prometheus-url", p.url, "--stack", "staging");
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const rows = Object.fromEntries(r.out.split("\n").filter((l) => CATALOGUE.some((m) => l.startsWith(`${m.name} `))).map((l) => [l.split(/\s+/)[0], l.split(/\s+/).slice(1, 3)]));
    const listed = new Set(["backfill_jobs_in_progress", "backfill_last_timestamp", "backfill_failure_total", "backfill_retry_total", "backfill_completion_ratio", "seamless_conformance_flag_total", "seamless_sla_deadline_seconds"]);
    expect(rows).toEqual(Object.fromEntries(CATALOGUE.map((m) => [m.name, m.status === "proposed" ? ["-", "missing"] : [listed.has(m.name) ? "yes" : "no", "present"]])));
    expect(r.out).toMatch(/^seamless_sla_deadline_seconds +yes +present +labels node_id, phase ok; buckets ok \(14 finite, le="0.005".."10.0"\)$/m);
    expect(r.out).toMatch(/^backfill_stale_claims_total +- +missing +proposed: no runtime exports it yet$/m);
    expect(r.out).toContain(`seamless:metrics.emitted should be: ${allEmittable().join(", ")}`);
    const switchable = r.out.split("Paused alerts that can be switched on (their metrics are present):\n")[1].split("\n\n")[0].split("\n").map((l) => l.trim().split(" ")[0]);
    const gated = alertRules(buildModel(readStackFile(project, "staging")).rules).filter((a) => a.gatedReason).map((a) => a.name);
    expect(switchable).toEqual(gated);
    expect(gated).toContain("SeamlessCoverageLow");
    expect(r.out).toMatch(/^ {2}pagerduty: off; could be switched on: it would receive SeamlessSloBurnRatePage \(/m);
    expect(r.out).toMatch(/^ {2}slack: off; could be switched on: it would receive SeamlessSloBurnRatePage, SeamlessSloBurnRateTicket, /m);
    expect(readFileSync(join(project, "Pulumi.staging.yaml"), "utf8")).toBe(before);
  }, 30_000);

  it("--write updates only seamless:metrics.emitted of a copy, keeping comments and everything else; the real stack file is untouched", async () => {
    const { healthy: p } = prometheusFor();
    const real = readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8");
    const before = readFileSync(join(project, "Pulumi.staging.yaml"), "utf8");
    const r = await check("--prometheus-url", p.url, "--stack", "staging", "--write");
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Wrote seamless:metrics.emitted (${allEmittable().length} metrics)`);
    const after = readFileSync(join(project, "Pulumi.staging.yaml"), "utf8");
    const model = buildModel(readStackFile(project, "staging"));
    expect(model.config.metrics.emitted).toEqual(allEmittable());
    expect(alertRules(model.rules).filter((a) => a.gatedReason)).toEqual([]);
    // every line but the list items is the same, comments included
    const withoutItems = (text: string) => text.split("\n").filter((l) => !/^ {6}- /.test(l));
    expect(withoutItems(after)).toEqual(withoutItems(before));
    expect(after.split("\n").filter((l) => /^ {6}- /.test(l))).toEqual(allEmittable().map((m) => `      - ${m}`));
    expect(after.startsWith("# staging: runs the v2 coordinator")).toBe(true);
    // a second run has nothing to do
    const again = await check("--prometheus-url", p.url, "--stack", "staging", "--write");
    expect(again.code).toBe(0);
    expect(again.out).toContain("already lists exactly these metrics; nothing written");
    expect(readFileSync(join(project, "Pulumi.staging.yaml"), "utf8")).toBe(after);
    expect(readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8")).toBe(real);
  }, 30_000);

  it("--write adds the key to a stack file that relied on the default list, keeping its comments", async () => {
    const { healthy: p } = prometheusFor();
    const r = await check("--prometheus-url", p.url, "--stack", "minimal", "--write");
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const after = readFileSync(join(project, "Pulumi.minimal.yaml"), "utf8");
    expect(after).toBe(`${MINIMAL}  seamless:metrics:\n    emitted:\n${allEmittable().map((m) => `      - ${m}\n`).join("")}`);
  }, 30_000);

  it("a runtime with other buckets, Python counter names and a missing label: one line per mismatch, exit 1, nothing written", async () => {
    const { broken: p } = prometheusFor();
    const before = readFileSync(join(project, "Pulumi.dev.yaml"), "utf8");
    const r = await check("--prometheus-url", p.url, "--stack", "dev", "--write");
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      "check-metrics: seamless_sla_deadline_seconds has unexpected buckets: the runtime exports le=0.5,1.0,2.5,5.0,10.0,30.0,60.0,+Inf but stack dev expects le=0.005,0.01,0.025,0.05,0.075,0.1,0.25,0.5,0.75,1.0,2.5,5.0,7.5,10.0,+Inf; " +
        "declare seamless:metrics.buckets.seamless_sla_deadline_seconds: [0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0] in Pulumi.dev.yaml if the runtime is right, or fix the runtime; nothing written",
      "check-metrics: coverage_ratio lacks the label(s) world_id that the stack's dashboards and alerts select or group by; nothing written",
    ]);
    expect(r.out).toMatch(/^domain_gate_holds +no +missing +found domain_gate_holds without _total: Python's prometheus_client exposes every counter as <name>_total/m);
    expect(r.out).toMatch(/^partial_fill_returns +no +missing +found partial_fill_returns without _total/m);
    expect(r.out).toMatch(/^coverage_ratio +no +present +MISSING LABELS world_id$/m);
    expect(readFileSync(join(project, "Pulumi.dev.yaml"), "utf8")).toBe(before);

    // declaring the runtime's bounds clears the bucket mismatch; the label one stays
    writeFileSync(join(project, "Pulumi.dev.yaml"), before.replace("  seamless:metrics:\n", `  seamless:metrics:\n    buckets:\n      seamless_sla_deadline_seconds: [${BROKEN_BOUNDS.join(", ")}]\n`));
    const declared = await check("--prometheus-url", p.url, "--stack", "dev");
    expect(declared.code).toBe(1);
    expect(declared.err).toEqual(["check-metrics: coverage_ratio lacks the label(s) world_id that the stack's dashboards and alerts select or group by"]);
    expect(declared.out).toMatch(/^seamless_sla_deadline_seconds +no +present +labels node_id, phase ok; buckets ok \(7 finite, le="0.5".."60.0"\)$/m);
    writeFileSync(join(project, "Pulumi.dev.yaml"), before);
  }, 30_000);

  it("the command line: unreachable, 401, 403, unexpected buckets, unknown stack and bad usage each give one line and a non-zero exit, never a stack trace", async () => {
    const { broken: p } = prometheusFor();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const base = ["--project-dir", project];
    const [unreachable, unauthorized, forbidden, buckets, unknown, usage] = await Promise.all([
      cli(["--prometheus-url", closed, "--stack", "staging", ...base]),
      cli(["--prometheus-url", authUrl, "--stack", "staging", ...base]),
      cli(["--prometheus-url", authUrl, "--stack", "staging", ...base], { PROMETHEUS_BEARER_TOKEN: "wrong" }),
      cli(["--prometheus-url", p.url, "--stack", "staging", ...base]),
      cli(["--prometheus-url", p.url, "--stack", "nosuch", ...base]),
      cli(["--stack", "staging", ...base]),
    ]);
    const oneLine = (r: { stderr: string }) => {
      expect(r.stderr).not.toMatch(/^\s+at /m);
      return r.stderr.trimEnd().split("\n");
    };
    expect(unreachable.code).toBe(2);
    expect(oneLine(unreachable)).toEqual([`check-metrics: cannot reach Prometheus at ${closed}: connection refused; is it running, and is --prometheus-url right?`]);
    expect(unauthorized.code).toBe(2);
    expect(oneLine(unauthorized)).toEqual([
      `check-metrics: Prometheus at ${authUrl} refused the request (HTTP 401 Unauthorized): it needs credentials; set PROMETHEUS_BEARER_TOKEN=<token> or put user:password@ in --prometheus-url`,
    ]);
    expect(forbidden.code).toBe(2);
    expect(oneLine(forbidden)).toEqual([
      `check-metrics: Prometheus at ${authUrl} refused the request (HTTP 403 Forbidden): the credentials were rejected; set PROMETHEUS_BEARER_TOKEN=<token> or put user:password@ in --prometheus-url`,
    ]);
    expect(buckets.code).toBe(1);
    expect(oneLine(buckets)).toHaveLength(2);
    expect(oneLine(buckets)[0]).toMatch(/^check-metrics: seamless_sla_deadline_seconds has unexpected buckets: the runtime exports le=0.5,1.0,2.5,5.0,10.0,30.0,60.0,\+Inf but stack staging expects /);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown)).toEqual([`check-metrics: stack nosuch in ${project}: Pulumi.nosuch.yaml: (file): no such stack file (known stacks: dev, minimal, staging; create it with: pulumi stack init nosuch)`]);
    expect(usage.code).toBe(2);
    expect(oneLine(usage)).toEqual([
      "check-metrics: --prometheus-url is required; usage: npm run check-metrics -- --prometheus-url <url> --stack <name> [--write] [--project-dir <dir>] [--lookback 1h]",
    ]);
  }, 60_000);

  it("is wired as an npm script", async () => {
    const r = await new Promise<{ code: number; stdout: string }>((ok) =>
      execFile("npm", ["run", "--silent", "check-metrics", "--", "--help"], { cwd: ROOT, timeout: 30_000 }, (error, stdout) => ok({ code: error ? 1 : 0, stdout })),
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("usage: npm run check-metrics -- --prometheus-url <url> --stack <name> [--write] [--project-dir <dir>] [--lookback 1h]");
  }, 30_000);
});
