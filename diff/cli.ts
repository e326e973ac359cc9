/**
 * `npm run diff -- --base <git-ref> [--stack <name>... | --all] [--exit-code]`: renders the
 * stacks at the base ref and in the working tree, each with its own synth, and prints their
 * semantic diff as Markdown (for a pull-request comment). No network, no credentials.
 *
 * Exit codes: 0 done (1 with `--exit-code` when anything changed), 2 bad input or a tree that
 * does not render (one clear message, never a stack trace).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DiffError, exportCommit, hasSynth, renderTree, repoPrefix, resolveCommit, stacksIn } from "./trees";
import { RenderedFileError, StackDiff, diffStack, hasChanges } from "./semantic";
import { renderReport } from "./markdown";

const USAGE = "usage: npm run diff -- --base <git-ref> [--stack <name>]... | --all [--exit-code]";

/** Stacks in promotion order; any other stack follows, sorted. */
export const STACK_ORDER: readonly string[] = ["dev", "staging", "prod"];

/** Parsed command line. */
export interface DiffArgs {
  readonly base: string;
  /** Stacks asked for; undefined means every stack (`--all`, or no `--stack`). */
  readonly stacks?: readonly string[];
  readonly exitCode: boolean;
}

/** Parses the command line; returns the error message, or `{ help }` for `--help`. */
export function parseArgs(argv: readonly string[]): DiffArgs | string | { readonly help: string } {
  if (argv.includes("--help") || argv.includes("-h")) return { help: USAGE };
  let base: string | undefined;
  let all = false;
  let exitCode = false;
  const stacks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => {
      const v = argv[++i];
      return v === undefined || v.startsWith("--") ? undefined : v;
    };
    if (a === "--all") all = true;
    else if (a === "--exit-code") exitCode = true;
    else if (a === "--base" || a.startsWith("--base=")) {
      base = a.startsWith("--base=") ? a.slice("--base=".length) : value();
      if (!base) return `diff: --base needs a git ref\n${USAGE}`;
    } else if (a === "--stack" || a.startsWith("--stack=")) {
      const s = a.startsWith("--stack=") ? a.slice("--stack=".length) : value();
      if (!s) return `diff: --stack needs a stack name\n${USAGE}`;
      stacks.push(s);
    } else return `diff: unexpected argument "${a}"\n${USAGE}`;
  }
  if (!base) return `diff: --base <git-ref> is required\n${USAGE}`;
  if (all && stacks.length) return `diff: give --all or --stack, not both\n${USAGE}`;
  return { base, stacks: stacks.length ? [...new Set(stacks)] : undefined, exitCode };
}

/** Orders stacks: dev, staging, prod first, then the rest sorted. */
export function orderStacks(stacks: Iterable<string>): string[] {
  const unique = [...new Set(stacks)];
  const rank = (s: string) => (STACK_ORDER.includes(s) ? STACK_ORDER.indexOf(s) : STACK_ORDER.length);
  return unique.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Runs the CLI; returns the exit code. Never throws for bad input. */
export function main(argv: readonly string[], projectDir: string, log: (s: string) => void, error: (s: string) => void): number {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    error(args);
    return 2;
  }
  if ("help" in args) {
    log(args.help);
    return 0;
  }
  let scratch: string | undefined;
  const cleanup = () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const prefix = repoPrefix(projectDir);
    const commit = resolveCommit(projectDir, args.base);
    scratch = mkdtempSync(join(tmpdir(), "seamless-diff-"));
    const baseDir = join(scratch, "base");
    const existed = exportCommit(projectDir, commit, prefix, baseDir, scratch);
    const baseStacks = existed ? stacksIn(baseDir) : [];
    const headStacks = stacksIn(projectDir);
    const known = orderStacks([...headStacks, ...baseStacks]);
    const unknown = (args.stacks ?? []).filter((s) => !known.includes(s));
    if (unknown.length) {
      throw new DiffError(`diff: unknown stack "${unknown.join('", "')}": no Pulumi.<stack>.yaml in the working tree or at ${args.base}; known stacks: ${known.join(", ") || "none"}`);
    }
    const chosen = args.stacks ? orderStacks(args.stacks) : known;
    const baseRenderable = existed && hasSynth(baseDir);
    const before = renderTree(projectDir, baseDir, baseRenderable ? chosen.filter((s) => baseStacks.includes(s)) : [], join(scratch, "out-base"), args.base);
    const after = renderTree(projectDir, projectDir, chosen.filter((s) => headStacks.includes(s)), join(scratch, "out-head"), "the working tree");
    const diffs: StackDiff[] = chosen.map((stack) => diffStack(stack, before.get(stack), after.get(stack)));
    log(renderReport(args.base, diffs).trimEnd());
    return args.exitCode && diffs.some(hasChanges) ? 1 : 0;
  } catch (e) {
    if (e instanceof DiffError) error(e.message);
    else if (e instanceof RenderedFileError) error(`diff: cannot read a rendered file: ${e.message}`);
    else error(`diff: failed: ${(e as Error).message}`);
    return 2;
  } finally {
    cleanup();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), resolve(__dirname, ".."), (s) => console.log(s), (s) => console.error(s));
}
