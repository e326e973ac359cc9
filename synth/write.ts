/**
 * Writes rendered stacks under an output directory, all or nothing: every stack is written
 * to a temporary sibling first, then swapped in; a failure restores what was there. A
 * directory synth did not write (no marker file) is never replaced.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

/** File synth leaves in each stack directory, so it only ever replaces its own output. */
export const MARKER = ".seamless-synth";

/** A problem with the output location, in words for the user. */
export class OutputError extends Error {}

/** Writes each stack's files to `<outDir>/<stack>/`, all stacks or none. */
export function writeStacks(outDir: string, stacks: ReadonlyArray<{ stack: string; files: ReadonlyMap<string, string> }>): void {
  const out = resolve(outDir);
  checkOutDir(out);
  const plan = stacks.map(({ stack, files }) => {
    const target = join(out, stack);
    if (dirname(target) !== out) throw new OutputError(`refusing to write stack "${stack}" outside ${out}`);
    const kind = entryKind(target);
    if (kind === "file" || kind === "link") {
      throw new OutputError(`refusing to replace ${target}: it is a ${kind === "file" ? "file" : "symbolic link"}, not a directory synth wrote. Fix: move it away, or pass --out another directory`);
    }
    if (kind === "dir" && !ownedBySynth(target)) {
      throw new OutputError(`refusing to replace ${target}: synth did not write it (no ${MARKER} file). Fix: pass --out an empty or synth-owned directory`);
    }
    return { target, files, tmp: join(out, `.${stack}.tmp-${process.pid}`), old: join(out, `.${stack}.old-${process.pid}`) };
  });
  const swapped: typeof plan = [];
  try {
    for (const p of plan) {
      rmSync(p.tmp, { recursive: true, force: true });
      for (const [path, content] of p.files) {
        const full = join(p.tmp, path);
        if (!full.startsWith(p.tmp + sep)) throw new OutputError(`refusing to write ${path} outside ${p.target}`);
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
      writeFileSync(join(p.tmp, MARKER), "Written by `npm run synth`; replaced on every run.\n");
    }
    for (const p of plan) {
      if (existsSync(p.target)) renameSync(p.target, p.old);
      renameSync(p.tmp, p.target);
      swapped.push(p);
    }
  } catch (e) {
    for (const p of swapped.reverse()) {
      rmSync(p.target, { recursive: true, force: true });
      if (existsSync(p.old)) renameSync(p.old, p.target);
    }
    for (const p of plan) rmSync(p.tmp, { recursive: true, force: true });
    if (e instanceof OutputError) throw e;
    throw new OutputError(`cannot write under ${out}: ${(e as Error).message}. Nothing was changed. Fix: pass --out a writable directory`);
  }
  for (const p of plan) rmSync(p.old, { recursive: true, force: true });
}

/** What stands at a path, without following a symbolic link. */
function entryKind(path: string): "none" | "dir" | "file" | "link" {
  try {
    const stat = lstatSync(path);
    return stat.isSymbolicLink() ? "link" : stat.isDirectory() ? "dir" : "file";
  } catch {
    return "none";
  }
}

/** Synth's own output: the marker, or (output of versions before the marker) only synth's entries. */
function ownedBySynth(dir: string): boolean {
  if (existsSync(join(dir, MARKER))) return true;
  const entries = readdirSync(dir);
  return entries.includes("plan.md") && entries.every((e) => SYNTH_ENTRIES.includes(e));
}

const SYNTH_ENTRIES = ["dashboards", "grafana", "prometheus", "kubernetes", "plan.md", MARKER];

/** The output directory must be a directory (or creatable) outside the kernel's virtual file systems. */
function checkOutDir(out: string): void {
  if (["/proc", "/sys", "/dev"].some((v) => out === v || out.startsWith(`${v}/`))) throw new OutputError(`--out ${out} is in a virtual file system. Fix: pass --out a normal directory`);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new OutputError(`--out ${out} is not a directory. Fix: pass --out a directory`);
    readdirSync(out);
    return;
  }
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new OutputError(`cannot create --out ${out}: ${(e as Error).message}. Fix: pass --out a writable directory`);
  }
}
