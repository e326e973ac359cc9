import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "./helpers/mocks";

/** The parts of a GitHub workflow these checks read. */
interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string>>;
}
interface Job {
  readonly needs?: string | readonly string[];
  readonly environment?: string | { readonly name: string };
  readonly strategy?: { readonly matrix?: Readonly<Record<string, unknown>> };
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly on: Readonly<Record<string, unknown>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

const WORKFLOWS = ["pull-request.yml", "deploy.yml"] as const;
const load = (file: string) => parse(readFileSync(join(ROOT, ".github", "workflows", file), "utf8")) as Workflow;
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : typeof job.needs === "string" ? [job.needs] : [...job.needs]);
const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
const isPulumi = (s: Step) => s.uses?.startsWith("pulumi/actions@") === true;

/** Every job a job depends on, directly or not. */
function ancestors(wf: Workflow, job: string, seen = new Set<string>()): Set<string> {
  for (const need of needsOf(wf.jobs[job])) {
    if (seen.has(need)) continue;
    seen.add(need);
    ancestors(wf, need, seen);
  }
  return seen;
}

/** Stack names a job deploys or previews: `stack-name` of Pulumi steps, `${{ matrix.stack }}` expanded. */
function stacksOf(job: Job): string[] {
  const matrix = (job.strategy?.matrix?.stack ?? []) as string[];
  return job.steps.filter(isPulumi).flatMap((s) => {
    const name = String(s.with?.["stack-name"] ?? "");
    return /^\$\{\{\s*matrix\.stack\s*\}\}$/.test(name) ? matrix : [name];
  });
}

/** npm scripts a `run:` line calls: `npm run [--flags] <name>`, `npm test`. */
function npmScripts(run: string): string[] {
  const found: string[] = [];
  for (const m of run.matchAll(/\bnpm\s+(run|test|start)\b((?:\s+-{1,2}[\w-]+)*)\s*([\w:.-]+)?/g)) found.push(m[1] === "run" ? (m[3] ?? "") : m[1]);
  return found;
}

describe("GitHub workflows", () => {
  it.each(WORKFLOWS)("%s: every `needs` names a job of the workflow, and there is no cycle", (file) => {
    const wf = load(file);
    for (const [name, job] of Object.entries(wf.jobs)) {
      for (const need of needsOf(job)) expect(Object.keys(wf.jobs), `${name} needs ${need}`).toContain(need);
      expect(ancestors(wf, name).has(name), `${name} depends on itself`).toBe(false);
    }
  });

  it("every stack the workflows preview or deploy has a Pulumi.<stack>.yaml", () => {
    const stacks = WORKFLOWS.map((file) => Object.values(load(file).jobs).flatMap(stacksOf));
    expect(stacks).toEqual([
      ["dev", "staging", "prod"],
      ["dev", "staging", "prod"],
    ]);
    for (const stack of stacks.flat()) expect(existsSync(join(ROOT, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml`).toBe(true);
  });

  it("every npm script the workflows run exists in package.json", () => {
    // a `bash .ci/run` step runs the scripts that file runs
    const ciRun = readFileSync(join(ROOT, ".ci/run"), "utf8");
    const runOf = (run: string) => (run.includes("bash .ci/run") ? `${run}\n${ciRun}` : run);
    const used = WORKFLOWS.map((file) => [...new Set(Object.values(load(file).jobs).flatMap((j) => j.steps.flatMap((s) => npmScripts(runOf(s.run ?? "")))))]);
    expect(used).toEqual([["synth", "test", "diff"], ["synth", "test"]]);
    for (const script of used.flat()) expect(scripts, `npm script ${script}`).toContain(script);
  });

  it("deploy: pulumi up on push to main, dev -> staging -> prod, prod behind the protected environment", () => {
    const wf = load("deploy.yml");
    expect(wf.on).toEqual({ push: { branches: ["main"] } });
    const deploys = Object.entries(wf.jobs).filter(([, job]) => job.steps.some(isPulumi));
    expect(deploys.map(([name, job]) => [name, stacksOf(job), job.steps.filter(isPulumi).map((s) => s.with?.command)])).toEqual([
      ["deploy-dev", ["dev"], ["up"]],
      ["deploy-staging", ["staging"], ["up"]],
      ["deploy-prod", ["prod"], ["up"]],
    ]);
    expect(needsOf(wf.jobs["deploy-dev"])).toEqual(["test"]);
    expect(needsOf(wf.jobs["deploy-staging"])).toEqual(["deploy-dev"]);
    expect(needsOf(wf.jobs["deploy-prod"])).toEqual(["deploy-staging"]);
    expect([...ancestors(wf, "deploy-prod")].sort()).toEqual(["deploy-dev", "deploy-staging", "test"]);
    expect(wf.jobs["deploy-prod"].environment).toBe("prod");
    expect([wf.jobs["deploy-dev"].environment, wf.jobs["deploy-staging"].environment]).toEqual([undefined, undefined]);
  });

  it("pull request: full history, tests, one sticky semantic-diff comment against the base branch", () => {
    const wf = load("pull-request.yml");
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    const steps = wf.jobs.test.steps;
    expect(steps[0]).toEqual({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with).toEqual({ "node-version": 20, cache: "npm" });
    const runs = steps.map((s) => s.run?.split("\n")[0]).filter((r): r is string => r !== undefined);
    expect(runs[0]).toBe("bash .ci/run");
    const diff = steps.find((s) => s.run?.includes("npm run --silent diff"));
    expect(diff?.env).toEqual({ BASE_REF: "${{ github.base_ref }}" });
    expect(diff?.run?.split("\n")[0]).toBe('npm run --silent diff -- --base "origin/${BASE_REF}" --all > semantic-diff.md');
    const comments = steps.filter((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    expect(comments.map((s) => [s.uses, s.with])).toEqual([["marocchino/sticky-pull-request-comment@v2", { header: "seamless-semantic-diff", path: "comment.md" }]]);
  });

  it("pull request: a preview per stack, skipped with a notice when the Pulumi token is unavailable", () => {
    const job = load("pull-request.yml").jobs.preview;
    expect(needsOf(job)).toEqual(["test"]);
    expect(job.strategy?.matrix).toEqual({ stack: ["dev", "staging", "prod"] });
    const [token, skip, ...rest] = job.steps;
    expect(token).toEqual({ name: "Is the Pulumi token available?", id: "token", run: `echo "has_token=\${{ secrets.PULUMI_ACCESS_TOKEN != '' }}" >> "$GITHUB_OUTPUT"` });
    expect(skip.if).toBe("steps.token.outputs.has_token != 'true'");
    expect(skip.run).toContain("::notice title=Pulumi preview of ${{ matrix.stack }} skipped::");
    expect(skip.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(rest.map((s) => s.if)).toEqual(rest.map(() => "steps.token.outputs.has_token == 'true'"));
    const preview = rest.filter(isPulumi);
    expect(preview.map((s) => [s.uses, s.with, s.env])).toEqual([
      [
        "pulumi/actions@v6",
        { command: "preview", "stack-name": "${{ matrix.stack }}", "comment-on-pr": true, diff: true, "github-token": "${{ secrets.GITHUB_TOKEN }}" },
        { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}", KUBECONFIG: "${{ runner.temp }}/kubeconfig" },
      ],
    ]);
    // the Kubernetes provider reads the stack's cluster from the file the step before writes
    const kube = rest[rest.indexOf(preview[0]) - 1];
    expect([kube.run, kube.env]).toEqual([`umask 077 && printf '%s' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"`, { KUBECONFIG_DATA: "${{ secrets[format('KUBECONFIG_{0}', matrix.stack)] }}" }]);
  });

  it("deploy: each pulumi up gets its own cluster's kubeconfig", () => {
    const jobs = load("deploy.yml").jobs;
    for (const stack of ["dev", "staging", "prod"]) {
      const steps = jobs[`deploy-${stack}`].steps;
      const up = steps.findIndex(isPulumi);
      expect(steps[up].env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}", KUBECONFIG: "${{ runner.temp }}/kubeconfig" });
      expect(steps[up - 1].env).toEqual({ KUBECONFIG_DATA: `\${{ secrets.KUBECONFIG_${stack.toUpperCase()} }}` });
    }
  });
});
