import { beforeAll, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { buildModel } from "../model/model";
import { ConfigError } from "../model/config";
import { rawFromEntries } from "../model/stackfile";
import { main } from "../synth/cli";
import { stackConfig } from "./helpers/arbitraries";
import { checkModel, loadCrdSchema } from "./helpers/checks";
import { promtool } from "./helpers/promtool";
import { tempDir } from "./helpers/tmp";

beforeAll(loadCrdSchema);

describe("any generated config renders valid artifacts or fails with a clear aggregated error", () => {
  it("300 generated stack configs, hostile strings included", () => {
    const dir = tempDir("seamless-props-");
    let rendered = 0;
    let refused = 0;
    fc.assert(
      fc.property(stackConfig, (entries) => {
        let model;
        try {
          model = buildModel(rawFromEntries("Pulumi.gen.yaml", entries));
        } catch (e) {
          // the only acceptable failure: a ConfigError naming the file, every line naming a key and a fix
          expect(e).toBeInstanceOf(ConfigError);
          const lines = (e as Error).message.split("\n");
          expect(lines[0]).toMatch(/^Pulumi\.gen\.yaml: \d+ config problems?:$/);
          for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}- seamless:\S+.*: .+\. Fix: .+/s);
          refused++;
          return;
        }
        const { problems, ruleFile } = checkModel(model);
        expect(problems).toEqual([]);
        writeFileSync(join(dir, `rules-${rendered++}.yaml`), ruleFile);
      }),
      { numRuns: 300, seed: 20261203 },
    );
    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(rendered).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
    const check = promtool("check", "rules", "--lint=all", "--lint-fatal", ...files);
    expect(check.output).not.toContain("FAILED");
    expect(check.status).toBe(0);
  });
});

describe("the synth CLI with bad input", () => {
  function project(files: Record<string, string>): string {
    const dir = tempDir("seamless-cli-");
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const run = (dir: string, ...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(args, dir, (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("writes nothing when one of the stacks is wrong, and names the file and key", () => {
    const dir = project({
      "Pulumi.good.yaml": stringify({ config: { "seamless:environment": "good" } }),
      "Pulumi.bad.yaml": stringify({ config: { "seamless:environment": "bad", "seamless:slo": { objective: 2 } } }),
    });
    const result = run(dir, "--all");
    expect(result.code).toBe(1);
    expect(result.err).toBe('Pulumi.bad.yaml: 1 config problem:\n  - seamless:slo.objective = 2: must be at most 0.99999 (an objective such as 0.999). Fix: set seamless:slo.objective to a valid value (see README, "Config keys")');
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("reports invalid YAML in one line naming the file", () => {
    const dir = project({ "Pulumi.broken.yaml": "config:\n  seamless:environment: [unclosed\n" });
    const result = run(dir, "broken");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Pulumi\.broken\.yaml: 1 config problem:\n {2}- \(file\): is not valid YAML: .+\. Fix: fix the YAML syntax$/);
  });

  it("reports a value of the wrong type naming the key", () => {
    const dir = project({ "Pulumi.typed.yaml": stringify({ config: { "seamless:environment": "typed", "seamless:notifications": { slack: { enabled: "yes" } } } }) });
    expect(run(dir, "typed").err).toBe(
      'Pulumi.typed.yaml: 1 config problem:\n  - seamless:notifications.slack.enabled = "yes": must be true or false, not text. Fix: set seamless:notifications.slack.enabled to true or false (see README, "Config keys")',
    );
  });

  it("refuses two YAML documents, keys outside config:, and a file past 1 MiB, naming the file", () => {
    const dir = project({
      "Pulumi.two.yaml": "config:\n  seamless:environment: two\n---\nconfig:\n  seamless:environment: other\n",
      "Pulumi.flat.yaml": "seamless:environment: flat\n",
      "Pulumi.huge.yaml": `config:\n  seamless:environment: huge\n${"# padding\n".repeat(110_000)}`,
    });
    expect(run(dir, "two")).toEqual({
      code: 1,
      out: "",
      err: "Pulumi.two.yaml: 1 config problem:\n  - (file): holds 2 YAML documents (separated by ---); Pulumi reads one. Fix: keep one document: remove the --- separators and merge the config: maps",
    });
    expect(run(dir, "flat").err).toBe("Pulumi.flat.yaml: 1 config problem:\n  - seamless:environment: stands at the top of the file, outside `config:`, where Pulumi never reads it. Fix: indent the seamless:* keys under a `config:` line");
    expect(run(dir, "huge").err).toBe("Pulumi.huge.yaml: 1 config problem:\n  - (file): is larger than 1024 KiB, far beyond any stack config. Fix: check that this is the stack file you meant");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("refuses a typo in a top-level key, an encrypted non-secret key, and a duplicate key, naming each; takes merge keys and a trailing ---", () => {
    const dir = project({
      "Pulumi.typo.yaml": "confg:\n  seamless:environment: typo\n",
      "Pulumi.enc.yaml": "config:\n  seamless:environment: enc\n  seamless:grafana:\n    url:\n      secure: v1:abc\n",
      "Pulumi.dup.yaml": "config:\n  seamless:environment: dup\n  seamless:alerts:\n    team: a\n    team: b\n",
      "Pulumi.merge.yaml": "defaults: &d\n  team: merged\nconfig:\n  seamless:environment: merge\n  seamless:alerts:\n    <<: {team: merged}\n---\n",
    });
    expect(run(dir, "typo").err).toBe("Pulumi.typo.yaml: 1 config problem:\n  - confg: is not a key of a Pulumi stack file. Fix: did you mean config:? A stack file holds config, secretsprovider, encryptedkey, encryptionsalt, environment");
    expect(run(dir, "enc").err).toBe(
      "Pulumi.enc.yaml: 1 config problem:\n  - seamless:grafana.url: is encrypted (secure:), but only seamless:grafanaAuth, seamless:pagerdutyIntegrationKey, seamless:slackWebhookUrl, seamless:slackToken are secrets here; everything else is rendered by synth, which never decrypts. Fix: store it in plain text: pulumi config set --path seamless:grafana.url <value>",
    );
    expect(run(dir, "dup").err).toBe('Pulumi.dup.yaml: 1 config problem:\n  - (file): is not valid YAML: the key "team" appears twice in one map (at line 5, column 5). Fix: fix the YAML syntax');
    expect(existsSync(join(dir, "out"))).toBe(false);
    // a top-level `defaults:` is not a stack-file key either; without it, the merge key and the empty trailing document are fine
    expect(run(dir, "merge").err).toContain("  - defaults: is not a key of a Pulumi stack file.");
    writeFileSync(join(dir, "Pulumi.merge.yaml"), "config:\n  seamless:environment: merge\n  seamless:alerts:\n    <<: {team: merged}\n---\n");
    expect(run(dir, "merge", "--quiet").code).toBe(0);
    expect(readFileSync(join(dir, "out", "merge", "prometheus", "rules.yaml"), "utf8")).toContain("team: merged");
  });

  it("never writes a secret: with both integrations on, every file under out/ shows [secret] and none holds the encrypted values", () => {
    const marker = "v1:SECRET-MARKER";
    const dir = project({
      "Pulumi.paged.yaml": stringify({
        config: {
          "seamless:environment": "paged",
          "seamless:metrics": { emitted: ["seamless_sla_deadline_seconds", "backfill_jobs_in_progress"] },
          "seamless:notifications": { pagerduty: { enabled: true }, slack: { enabled: true } },
          "seamless:grafanaAuth": { secure: `${marker}-auth` },
          "seamless:pagerdutyIntegrationKey": { secure: `${marker}-pd` },
          "seamless:slackWebhookUrl": { secure: `${marker}-slack` },
        },
      }),
    });
    const logs: string[] = [];
    expect(main(["paged"], dir, (s) => logs.push(s), (s) => logs.push(s))).toBe(0);
    const files: string[] = [];
    const walk = (d: string): void => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name))));
    walk(join(dir, "out"));
    expect(files.length).toBe(9);
    for (const f of files) expect(readFileSync(f, "utf8"), f).not.toContain("SECRET-MARKER");
    expect(logs.join("\n")).not.toContain("SECRET-MARKER");
    const cps = JSON.parse(readFileSync(join(dir, "out", "paged", "grafana", "contact-points.json"), "utf8")) as { contactPoints: Array<{ pagerduties?: Array<{ integrationKey: string }>; slacks?: Array<{ url: string }> }> };
    expect(cps.contactPoints.flatMap((c) => [...(c.pagerduties ?? []).map((p) => p.integrationKey), ...(c.slacks ?? []).map((sl) => sl.url)])).toEqual(["[secret]", "[secret]", "[secret]"]);
  });

  it("reads quoted scalars as `pulumi up` does: `pulumi config set seamless:protect true` writes \"true\"", () => {
    const dir = project({ "Pulumi.q.yaml": 'config:\n  seamless:environment: q\n  seamless:protect: "true"\n' });
    expect(run(dir, "q", "--quiet").code).toBe(0);
    expect(readFileSync(join(dir, "out", "q", "plan.md"), "utf8")).toContain("Every resource is protected (seamless:protect)");
  });

  it("does not take an option for the --out directory", () => {
    const dir = project({ "Pulumi.dev.yaml": stringify({ config: { "seamless:environment": "dev" } }) });
    expect(run(dir, "dev", "--out", "--quiet")).toEqual({
      code: 2,
      out: "",
      err: "--out needs a directory (got the option --quiet; write ./--quiet for a directory of that name)\nusage: npm run synth -- <stack> [<stack>...] | --all [--out <dir>] [--quiet]",
    });
    expect(readdirSync(dir)).toEqual(["Pulumi.dev.yaml"]);
  });

  it("lists the known stacks when asked for one that does not exist", () => {
    const dir = project({ "Pulumi.dev.yaml": stringify({ config: { "seamless:environment": "dev" } }) });
    expect(run(dir, "prdo")).toEqual({
      code: 2,
      out: "",
      err: "unknown stack prdo: no Pulumi.<stack>.yaml; known stacks: dev\nusage: npm run synth -- <stack> [<stack>...] | --all [--out <dir>] [--quiet]",
    });
    expect(run(dir, "dev", "--all").code).toBe(2);
    expect(run(dir, "--help")).toEqual({ code: 0, out: "usage: npm run synth -- <stack> [<stack>...] | --all [--out <dir>] [--quiet]", err: "" });
  });
});

describe("the synth CLI never writes outside its own output", () => {
  const project = (files: Record<string, string>): string => {
    const dir = tempDir("seamless-cli-");
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const good = stringify({ config: { "seamless:environment": "dev" } });
  const quiet = { log: () => undefined, err: () => undefined };

  it("ignores stack files whose name is not a stack name (Pulumi....yaml would be out/..)", () => {
    const dir = project({ "Pulumi.dev.yaml": good, "Pulumi....yaml": good, "Pulumi...yaml": good });
    expect(main(["--all"], dir, quiet.log, quiet.err)).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["Pulumi....yaml", "Pulumi...yaml", "Pulumi.dev.yaml", "out"]);
    expect(readdirSync(join(dir, "out"))).toEqual(["dev"]);
  });

  it("refuses to replace a directory synth did not write, and changes nothing", () => {
    const dir = project({ "Pulumi.model.yaml": stringify({ config: { "seamless:environment": "model" } }) });
    mkdirSync(join(dir, "model"));
    writeFileSync(join(dir, "model", "keep.ts"), "precious");
    const err: string[] = [];
    expect(main(["model", "--out", dir], dir, quiet.log, (s) => err.push(s))).toBe(1);
    expect(err.join("")).toBe(`refusing to replace ${join(dir, "model")}: synth did not write it (no .seamless-synth file). Fix: pass --out an empty or synth-owned directory`);
    expect(readdirSync(join(dir, "model"))).toEqual(["keep.ts"]);
  });

  it("refuses to replace a file or a dangling link where a stack's directory goes, and changes nothing", () => {
    const dir = project({ "Pulumi.dev.yaml": good });
    mkdirSync(join(dir, "o1"));
    writeFileSync(join(dir, "o1", "dev"), "a file");
    mkdirSync(join(dir, "o2"));
    symlinkSync(join(dir, "missing"), join(dir, "o2", "dev"));
    for (const [out, kind] of [["o1", "file"], ["o2", "symbolic link"]]) {
      const err: string[] = [];
      expect(main(["dev", "--out", join(dir, out)], dir, quiet.log, (s) => err.push(s))).toBe(1);
      expect(err.join("")).toBe(`refusing to replace ${join(dir, out, "dev")}: it is a ${kind}, not a directory synth wrote. Fix: move it away, or pass --out another directory`);
      expect(readdirSync(join(dir, out))).toEqual(["dev"]);
    }
  });

  it("names --out when it is a file", () => {
    const dir = project({ "Pulumi.dev.yaml": good, afile: "x" });
    const err: string[] = [];
    expect(main(["dev", "--out", join(dir, "afile")], dir, quiet.log, (s) => err.push(s))).toBe(1);
    expect(err.join("")).toBe(`--out ${join(dir, "afile")} is not a directory. Fix: pass --out a directory`);
  });

  it("restores every stack when one of them cannot be replaced", () => {
    const dir = project({ "Pulumi.a.yaml": stringify({ config: { "seamless:environment": "a" } }), "Pulumi.b.yaml": stringify({ config: { "seamless:environment": "b" } }) });
    expect(main(["--all", "--quiet"], dir, quiet.log, quiet.err)).toBe(0);
    const before = readFileSync(join(dir, "out", "a", "plan.md"), "utf8");
    writeFileSync(join(dir, "Pulumi.a.yaml"), stringify({ config: { "seamless:environment": "a", "seamless:slo": { objective: 0.95 } } }));
    // b's output is no longer synth's: the whole run must fail before a is touched
    rmSync(join(dir, "out", "b", ".seamless-synth"));
    writeFileSync(join(dir, "out", "b", "notes.txt"), "mine");
    expect(main(["--all", "--quiet"], dir, quiet.log, quiet.err)).toBe(1);
    expect(readFileSync(join(dir, "out", "a", "plan.md"), "utf8")).toBe(before);
    expect(readdirSync(join(dir, "out")).sort()).toEqual(["a", "b"]);
  });

  it("names the file for a recursive YAML alias and for a file that is not a map", () => {
    const dir = project({ "Pulumi.r.yaml": "config:\n  seamless:environment: &a [*a]\n", "Pulumi.l.yaml": "- config\n" });
    const err: string[] = [];
    expect(main(["r"], dir, quiet.log, (s) => err.push(s))).toBe(1);
    expect(main(["l"], dir, quiet.log, (s) => err.push(s))).toBe(1);
    expect(err).toEqual([
      "Pulumi.r.yaml: 1 config problem:\n  - (file): uses a recursive YAML alias. Fix: remove the YAML aliases (&name / *name)",
      "Pulumi.l.yaml: 1 config problem:\n  - (file): must be a map with a `config:` key. Fix: start the file with `config:`",
    ]);
  });

  it("never prints a secret the YAML parser would quote in a warning", () => {
    const dir = project({ "Pulumi.t.yaml": "config:\n  seamless:environment: t\n  seamless:slackWebhookUrl: !foo https://hooks.slack.test/secret-VALUE-123\n" });
    const err: string[] = [];
    const stderr = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    expect(main(["t"], dir, quiet.log, (s) => err.push(s))).toBe(1);
    expect(stderr).not.toHaveBeenCalled();
    stderr.mockRestore();
    expect(err.join("")).toBe("Pulumi.t.yaml: 1 config problem:\n  - (file): is not valid YAML: Unresolved tag: !foo at line 3, column 29. Fix: fix the YAML syntax");
  });
});
