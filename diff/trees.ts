/**
 * The edge of the semantic diff: exports a git ref into a temporary directory and renders a
 * tree (the base, or the working tree) with that tree's own synth. Read-only git only
 * (rev-parse, archive); no network, no credentials.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, symlinkSync, mkdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { FileMap } from "./semantic";

/** A problem the user can fix (bad ref, unknown stack, a tree that does not render): one message, exit code 2. */
export class DiffError extends Error {}

/** How long one synth run may take. */
const SYNTH_TIMEOUT_MS = 180_000;

function git(cwd: string, args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const run = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new DiffError(`diff: cannot run git (${run.error.message})`);
  return { status: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
}

/** The project's path inside its git repository (`""` at the top), or a DiffError when it is not in one. */
export function repoPrefix(projectDir: string): string {
  const run = git(projectDir, ["rev-parse", "--show-prefix"]);
  if (run.status !== 0) throw new DiffError(`diff: ${projectDir} is not inside a git repository`);
  return run.stdout.trim();
}

/** The commit a ref names, or a DiffError naming the ref. */
export function resolveCommit(projectDir: string, ref: string): string {
  const run = git(projectDir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (run.status !== 0 || !run.stdout.trim()) {
    throw new DiffError(`diff: unknown git ref "${ref}": no such commit in this repository (in CI, check out with fetch-depth: 0)`);
  }
  return run.stdout.trim();
}

/**
 * Writes the project directory as it is at `commit` into `dest` (git archive | tar -x) and links
 * the working tree's node_modules into it. Returns false when the project did not exist there.
 */
export function exportCommit(projectDir: string, commit: string, prefix: string, dest: string, scratch: string): boolean {
  const tar = join(scratch, "base.tar");
  const treeish = prefix ? `${commit}:${prefix.replace(/\/$/, "")}` : commit;
  if (prefix && git(projectDir, ["cat-file", "-e", treeish]).status !== 0) return false;
  const archive = git(projectDir, ["archive", "--format=tar", "-o", tar, treeish]);
  if (archive.status !== 0) throw new DiffError(`diff: git archive ${commit.slice(0, 12)} failed: ${archive.stderr.trim()}`);
  mkdirSync(dest, { recursive: true });
  const untar = spawnSync("tar", ["-x", "-f", tar, "-C", dest], { encoding: "utf8" });
  if (untar.error || untar.status !== 0) throw new DiffError(`diff: cannot unpack ${commit.slice(0, 12)} (${untar.error?.message ?? untar.stderr.trim()})`);
  const modules = join(projectDir, "node_modules");
  if (existsSync(modules) && !existsSync(join(dest, "node_modules"))) symlinkSync(modules, join(dest, "node_modules"), "dir");
  return true;
}

/** Stacks a tree defines (`Pulumi.<stack>.yaml`), sorted. */
export function stacksIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** True when a tree has a synth CLI to render it with. */
export function hasSynth(dir: string): boolean {
  return existsSync(join(dir, "synth", "cli.ts"));
}

/**
 * Renders `stacks` of the tree at `treeDir` with its own synth (`tsx synth/cli.ts <stacks> --quiet
 * --out <outDir>`, the tsx of `projectDir`), then reads every file back: stack -> file map.
 * `what` names the tree in errors ("the working tree", "HEAD").
 */
export function renderTree(projectDir: string, treeDir: string, stacks: readonly string[], outDir: string, what: string): Map<string, FileMap> {
  const out = new Map<string, FileMap>();
  if (stacks.length === 0) return out;
  const tsx = join(projectDir, "node_modules", ".bin", "tsx");
  if (!existsSync(tsx)) throw new DiffError("diff: tsx is not installed: run npm ci first");
  const run = spawnSync(process.execPath, [tsx, join("synth", "cli.ts"), ...stacks, "--quiet", "--out", outDir], {
    cwd: treeDir,
    encoding: "utf8",
    timeout: SYNTH_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error || run.status !== 0) {
    const detail = (run.error?.message ?? `${run.stderr}${run.stdout}`).trim();
    throw new DiffError(`diff: cannot render ${what}: synth failed${run.status !== null ? ` (exit ${run.status})` : ""}${detail ? `:\n${detail}` : ""}`);
  }
  for (const stack of stacks) out.set(stack, readFiles(join(outDir, stack)));
  return out;
}

/** Every file under `dir`: posix relative path -> content, sorted by path. */
export function readFiles(dir: string): FileMap {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(dir, full).split(sep).join("/"), readFileSync(full, "utf8"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}
