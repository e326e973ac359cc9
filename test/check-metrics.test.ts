/**
 * `npm run check-metrics` against a local Prometheus scraping the synthetic runtime: a healthy
 * runtime, and a broken one (other SLA buckets, Python counter names, a missing label). Writes
 * only to copies of the stack files in a temporary project dir.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CATALOGUE } from "../model/catalogue";
import { buildModel } from "../model/model";
import { alertRules } from "../model/rules";
import { readStackFile } from "../model/stackfile";
import { main, printable, rewriteEmitted } from "../tools/check-metrics";
import { RunningExporter, startExporter } from "./e2e/exporter";
import { RunningPrometheus, freePort, requireBinary, startPrometheus } from "./e2e/prometheus";
import { allEmittable } from "./e2e/stack";
import { ROOT } from "./helpers/mocks";

const BROKEN_BOUNDS = [0.5, 1, 2.5, 5, 10, 30, 60];

let healthy: RunningPrometheus;
let broken: RunningPrometheus;
let authServer: Server;
let authUrl: string;
let fakeServer: Server;
/** A fake Prometheus; its first path segment picks how it answers (see FAKE). */
let fakeUrl: string;
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

/** Escape, 5000 characters, a line break: what a broken proxy or a hostile server may send as error text. */
const LONG_ERROR = `\x1b[31mboom\x1b[0m\n${"y".repeat(5000)}`;

/** How the fake Prometheus answers, by the first segment of the path (`<fakeUrl>/<mode>/api/v1/...`). */
const FAKE: Record<string, (api: string) => { status: number; body: string }> = {
  // HTTP 200, Prometheus' envelope, but data of the wrong shape
  shape: () => ({ status: 200, body: JSON.stringify({ status: "success", data: 5 }) }),
  // valid JSON that is no envelope at all
  nullbody: () => ({ status: 200, body: "null" }),
  // Thanos and older Prometheus answer an empty list as null: no metric present, not an error
  nulldata: () => ({ status: 200, body: JSON.stringify({ status: "success", data: null }) }),
  // an error whose text is 5000 characters with an ANSI colour
  long: () => ({ status: 422, body: JSON.stringify({ status: "error", errorType: "bad_data", error: LONG_ERROR }) }),
  // one gauge present, but /api/v1/metadata answers a list instead of a map
  metadata: (api) => ({
    status: 200,
    body: JSON.stringify({ status: "success", data: api === "/api/v1/metadata" ? [] : api === "/api/v1/label/__name__/values" ? ["backfill_jobs_in_progress"] : [] }),
  }),
  // nothing present: every list empty, metadata an empty map
  empty: (api) => ({ status: 200, body: JSON.stringify({ status: "success", data: api === "/api/v1/metadata" ? {} : [] }) }),
};

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
    fakeServer = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      const [, mode, ...rest] = path.split("/");
      const answer = FAKE[mode]?.(`/${rest.join("/")}`) ?? { status: 404, body: "404 page not found\n" };
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
    await new Promise<void>((ok) => fakeServer.listen(0, "127.0.0.1", () => ok()));
    cleanup.push(() => new Promise<void>((ok) => fakeServer.close(() => ok())));
    fakeUrl = `http://127.0.0.1:${(fakeServer.address() as AddressInfo).port}`;
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

  it("the command line: a wrong-shaped answer, a missing project dir, a negative --lookback and a long escape-laden error text each give one clean line and exit 2", async () => {
    const missingDir = join(project, "nonexistent");
    const [shape, noDir, lookback, lookbackEq, long] = await Promise.all([
      cli(["--prometheus-url", `${fakeUrl}/shape`, "--stack", "staging", "--project-dir", project]),
      cli(["--prometheus-url", `${fakeUrl}/empty`, "--stack", "staging", "--project-dir", missingDir]),
      cli(["--prometheus-url", `${fakeUrl}/empty`, "--stack", "staging", "--project-dir", project, "--lookback", "-5m"]),
      cli(["--prometheus-url", `${fakeUrl}/empty`, "--stack", "staging", "--project-dir", project, "--lookback=-5m"]),
      cli(["--prometheus-url", `${fakeUrl}/long`, "--stack", "staging", "--project-dir", project]),
    ]);
    expect(existsSync(missingDir)).toBe(false);
    expect(shape).toEqual({
      code: 2,
      stdout: "",
      stderr: `check-metrics: the server at ${fakeUrl}/shape answered /api/v1/label/__name__/values with an unexpected shape (data is a number, not a list of strings); is it a Prometheus?\n`,
    });
    expect(noDir).toEqual({
      code: 2,
      stdout: "",
      stderr: `check-metrics: --project-dir ${missingDir} does not exist; give the Pulumi project's directory (the one with Pulumi.yaml and Pulumi.staging.yaml)\n`,
    });
    expect(lookback).toEqual({ code: 2, stdout: "", stderr: "check-metrics: --lookback must be a duration such as 10m, not -5m\n" });
    expect(lookbackEq).toEqual(lookback);
    // the escape sequences are gone, the line break is a space, and the text is cut to 200 characters
    const trimmed = `boom ${"y".repeat(194)}\u2026`;
    expect(Array.from(trimmed)).toHaveLength(200);
    expect(long).toEqual({ code: 2, stdout: "", stderr: `check-metrics: Prometheus at ${fakeUrl}/long answered /api/v1/label/__name__/values with an error (HTTP 422): ${trimmed}\n` });
    for (const r of [shape, noDir, lookback, long]) expect(r.stderr).not.toMatch(/unexpected error|[\x00-\x09\x0b-\x1f\x7f]/);
  }, 60_000);

  it("other misuses give one line and exit 2, never the unexpected-error fallback", async () => {
    const run = async (args: string[], env: Record<string, string | undefined> = {}) => {
      const err: string[] = [];
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
      try {
        const code = await main(args, { out: () => {}, err: (l) => err.push(l) });
        return { code, err };
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    };
    const staging = (url: string, ...more: string[]) => ["--prometheus-url", url, "--stack", "staging", "--project-dir", project, ...more];
    const give = "give the Pulumi project's directory (the one with Pulumi.yaml and Pulumi.staging.yaml)";
    const usage = "usage: npm run check-metrics -- --prometheus-url <url> --stack <name> [--write] [--project-dir <dir>] [--lookback 1h]";
    const empty = mkdtempSync(join(tmpdir(), "seamless-check-metrics-empty-"));
    const other = mkdtempSync(join(tmpdir(), "seamless-check-metrics-other-"));
    cleanup.push(async () => rmSync(empty, { recursive: true, force: true }));
    cleanup.push(async () => rmSync(other, { recursive: true, force: true }));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(other, "Pulumi.yaml"));
    const aliased = "config:\n  seamless:environment: aliased\n  other:base: &m { emitted: [backfill_jobs_in_progress] }\n  seamless:metrics: *m\n";
    writeFileSync(join(other, "Pulumi.aliased.yaml"), aliased);
    writeFileSync(join(other, "Pulumi.blocked.yaml"), "config:\n  seamless:environment: blocked\n");
    mkdirSync(join(other, "Pulumi.blocked.yaml.check-metrics.tmp"));
    const url = `${fakeUrl}/empty`;

    expect(await run(["--prometheus-url", url, "--stack", "staging", "--project-dir", join(project, "Pulumi.yaml")])).toEqual({
      code: 2,
      err: [`check-metrics: --project-dir ${join(project, "Pulumi.yaml")} is not a directory; ${give}`],
    });
    expect(await run(["--prometheus-url", url, "--stack", "staging", "--project-dir", empty])).toEqual({
      code: 2,
      err: [`check-metrics: --project-dir ${empty} has no Pulumi.yaml and no Pulumi.staging.yaml, so it is not the Pulumi project's directory`],
    });
    expect(await run(["--prometheus-url", url, "--stack", "staging", "--project-dir", ""])).toEqual({ code: 2, err: [`check-metrics: --project-dir is empty; ${give}`] });
    expect(await run(staging(url, "--lookback", "--write"))).toEqual({ code: 2, err: [`check-metrics: --lookback needs a value; ${usage}`] });
    expect(await run(staging(url, "--lookback", "0"))).toEqual({ code: 2, err: ["check-metrics: --lookback must be a duration such as 10m, not 0"] });
    expect(await run(staging(url, "--lookback="))).toEqual({ code: 2, err: ['check-metrics: --lookback must be a duration such as 10m, not ""'] });
    expect(await run(staging(`${fakeUrl}/nullbody`))).toEqual({
      code: 2,
      err: [`check-metrics: the server at ${fakeUrl}/nullbody answered /api/v1/label/__name__/values with an unexpected shape (the answer is null, not an object with status and data); is it a Prometheus?`],
    });
    expect(await run(staging(`${fakeUrl}/metadata`))).toEqual({
      code: 2,
      err: [`check-metrics: the server at ${fakeUrl}/metadata answered /api/v1/metadata with an unexpected shape (data is a list, not a map of metric names to metadata lists); is it a Prometheus?`],
    });
    // a null list is an empty one (Thanos): the check runs, nothing is present
    const nulls = await run(staging(`${fakeUrl}/nulldata`));
    expect(nulls).toEqual({ code: 0, err: [] });
    // neither a malformed password nor a token that cannot be a header value is ever echoed
    const badPassword = await run(staging(`http://user:s%zzecret@127.0.0.1:${(fakeServer.address() as AddressInfo).port}/empty`));
    expect(badPassword).toEqual({ code: 2, err: ["check-metrics: the user:password@ part of --prometheus-url is not valid percent-encoding; write a literal % as %25"] });
    const badToken = await run(staging(url), { PROMETHEUS_BEARER_TOKEN: "sec\nret" });
    expect(badToken).toEqual({
      code: 2,
      err: ["check-metrics: PROMETHEUS_BEARER_TOKEN holds a space, a line break or a non-ASCII character, which cannot go into an HTTP header; set it to the token alone"],
    });
    // --write through a YAML alias, and onto a path it cannot write: refused, the file unchanged
    const alias = await run(["--prometheus-url", url, "--stack", "aliased", "--project-dir", other, "--write"]);
    expect(alias).toEqual({
      code: 2,
      err: [
        "check-metrics: --write cannot set seamless:metrics.emitted in the stack file: its seamless:metrics is a YAML alias (*name), which --write does not edit; write the map out in place of the alias, or set seamless:metrics.emitted to [] by hand",
      ],
    });
    expect(readFileSync(join(other, "Pulumi.aliased.yaml"), "utf8")).toBe(aliased);
    const blocked = await run(["--prometheus-url", url, "--stack", "blocked", "--project-dir", other, "--write"]);
    const path = join(other, "Pulumi.blocked.yaml");
    expect(blocked).toEqual({ code: 2, err: [`check-metrics: cannot write ${path}.check-metrics.tmp: it is a directory (EISDIR); ${path} was left as it was`] });
    expect(readFileSync(path, "utf8")).toBe("config:\n  seamless:environment: blocked\n");
  }, 30_000);

  it("printable: server text loses escapes, control and bidi characters, and is cut at 200 characters with an ellipsis", () => {
    expect(printable("plain text")).toBe("plain text");
    expect(printable("\x1b[1;31mred\x1b[0m \x1b]0;title\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ a\tb\r\nc\u0000d\u202eevil\u202c")).toBe("red link a b cdevil");
    expect(printable(`${"a".repeat(300)}`)).toBe(`${"a".repeat(199)}\u2026`);
    expect(printable("a".repeat(200))).toBe("a".repeat(200));
    // never half a surrogate pair
    expect(printable("\u{1F600}".repeat(201))).toBe(`${"\u{1F600}".repeat(199)}\u2026`);
    expect(printable("   \n  ")).toBe("");
  });

  it("is wired as an npm script", async () => {
    const r = await new Promise<{ code: number; stdout: string }>((ok) =>
      execFile("npm", ["run", "--silent", "check-metrics", "--", "--help"], { cwd: ROOT, timeout: 30_000 }, (error, stdout) => ok({ code: error ? 1 : 0, stdout })),
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("usage: npm run check-metrics -- --prometheus-url <url> --stack <name> [--write] [--project-dir <dir>] [--lookback 1h]");
  }, 30_000);
});

describe("--write's edit of the stack file", () => {
  it("replaces only the emitted list: items that stay keep their comments, every other byte stays as written", () => {
    const text = [
      "# top",
      "config:",
      "  seamless:environment: x",
      "  seamless:slo: {objective: 0.99}   # a flow map, kept as written",
      "  seamless:metrics:",
      "    emitted:",
      "      # keep sorted",
      "      - backfill_jobs_in_progress   # since v2.1",
      "      - backfill_failure_total",
      "    buckets: {}",
      "",
    ].join("\n");
    // exactly one line changes: the item that goes makes room for the one that comes
    expect(rewriteEmitted(text, ["backfill_jobs_in_progress", "coverage_ratio"])).toBe(text.replace("      - backfill_failure_total\n", "      - coverage_ratio\n"));
    expect(rewriteEmitted("config:\n  seamless:metrics:\n    emitted: [a, b]  # flow\n", ["a", "z"])).toBe("config:\n  seamless:metrics:\n    emitted: [a, z]  # flow\n");
  });
});
