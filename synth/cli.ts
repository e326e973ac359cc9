/**
 * `npm run synth -- <stack...> | --all [--out <dir>]`: renders what each stack would
 * deploy into `<out>/<stack>/`, with no Pulumi CLI, credentials or network. Every stack is
 * validated before anything is written; a bad config prints every problem and writes nothing.
 */
import { join, resolve } from "node:path";
import { ConfigError } from "../model/config";
import { buildProject } from "../model/project";
import { knownStacks } from "../model/stackfile";
import { renderStack } from "./render";
import { OutputError, writeStacks } from "./write";
import { planMarkdown } from "../model/plan";

const USAGE = "usage: npm run synth -- <stack> [<stack>...] | --all [--out <dir>] [--quiet]";

/** Parsed command line. */
export interface SynthArgs {
  readonly stacks: string[];
  readonly outDir: string;
  readonly quiet: boolean;
}

/** Runs the CLI; returns the exit code. Never throws for bad input. */
export function main(argv: readonly string[], projectDir: string, log: (s: string) => void, error: (s: string) => void): number {
  const parsed = parseArgs(argv, projectDir);
  if (typeof parsed === "string") {
    if (parsed.startsWith("help\n")) {
      log(parsed.slice("help\n".length));
      return 0;
    }
    error(parsed);
    return 2;
  }
  try {
    const models = [...buildProject(projectDir, parsed.stacks).entries()].map(([stack, model]) => ({ stack, model }));
    const rendered = models.map(({ stack, model }) => ({ stack, model, files: renderStack(model) }));
    writeStacks(parsed.outDir, rendered);
    for (const { stack, model, files } of rendered) {
      if (!parsed.quiet) log(`${stack}: wrote ${files.size} files to ${join(parsed.outDir, stack)}\n\n${planMarkdown(model)}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OutputError) {
      error(e.message);
      return 1;
    }
    error(`synth failed: ${(e as Error).message}`);
    return 1;
  }
}

function parseArgs(argv: readonly string[], projectDir: string): SynthArgs | string {
  const known = knownStacks(projectDir);
  let outDir = join(projectDir, "out");
  let all = false;
  let quiet = false;
  const stacks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return `help\n${USAGE}`;
    if (a === "--all") all = true;
    else if (a === "--quiet") quiet = true;
    else if (a === "--out") {
      const dir = argv[++i];
      if (!dir || dir.startsWith("-")) return `--out needs a directory${dir ? ` (got the option ${dir}; write ./${dir} for a directory of that name)` : ""}\n${USAGE}`;
      outDir = resolve(dir);
    } else if (a.startsWith("-")) return `unknown option ${a}\n${USAGE}`;
    else stacks.push(a);
  }
  if (all && stacks.length) return `give stack names or --all, not both\n${USAGE}`;
  const chosen = all ? known : stacks;
  if (chosen.length === 0) return `no stack given; known stacks: ${known.join(", ")}\n${USAGE}`;
  const unknown = chosen.filter((s) => !known.includes(s));
  if (unknown.length) return `unknown stack ${unknown.join(", ")}: no Pulumi.<stack>.yaml; known stacks: ${known.join(", ")}\n${USAGE}`;
  return { stacks: [...new Set(chosen)], outDir, quiet };
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), resolve(__dirname, ".."), (s) => console.log(s), (s) => console.error(s));
}
