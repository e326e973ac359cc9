/**
 * Reads `Pulumi.<stack>.yaml` without the Pulumi CLI: the `seamless:*` keys as values,
 * `secure:` entries only as "this secret is set" (never decrypted, never kept).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isScalar, parseAllDocuments } from "yaml";
import { CONFIG_NAMESPACE } from "./names";
import { ConfigError, ConfigProblem, RawStackConfig, SECRET_KEYS, SecretKey, SecretPresence, nearest } from "./config";

/** Top-level keys of a Pulumi stack file. */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

/** Largest stack file read. */
const MAX_STACK_FILE_BYTES = 1024 * 1024;

/** Pulumi stack names: letters, digits, `-`, `_`, `.`; never only dots, never a path. */
export const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/** Stacks that have a regular file `Pulumi.<name>.yaml` with a valid stack name in `dir`, sorted. */
export function knownStacks(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined && STACK_NAME.test(s) && isFile(join(dir, `Pulumi.${s}.yaml`)))
    .sort();
}

/** Reads one stack file into raw config; throws ConfigError naming the file on any problem. */
export function readStackFile(dir: string, stack: string): RawStackConfig {
  const file = `Pulumi.${stack}.yaml`;
  const fail = (key: string, problem: string, fix: string): never => {
    throw new ConfigError([{ file, key, problem, fix }]);
  };
  if (!STACK_NAME.test(stack)) fail("(file)", "is not a valid stack name", "stack names are letters, digits, '-', '_' and '.'");
  const path = join(dir, file);
  if (!isFile(path)) {
    fail("(file)", "no such stack file", `known stacks: ${knownStacks(dir).join(", ") || "none"}; create it with: pulumi stack init ${stack}`);
  }
  // the parser's duplicate-key check is quadratic in a map's size; real stack files are a few KiB
  if (statSync(path).size > MAX_STACK_FILE_BYTES) fail("(file)", `is larger than ${MAX_STACK_FILE_BYTES / 1024} KiB, far beyond any stack config`, "check that this is the stack file you meant");
  // warnings are errors here, and never printed by the parser: they quote the source line, which may hold a secret
  // merge keys (<<) as Pulumi's YAML reader resolves them
  const source = readFileSync(path, "utf8");
  const parsed = parseAllDocuments(source, { logLevel: "silent", uniqueKeys: true, merge: true });
  if (!Array.isArray(parsed)) fail("(file)", "is not valid YAML", "fix the YAML syntax");
  // an empty document after a trailing --- holds nothing; any other second document is a mistake
  const docs = parsed.filter((d, i) => i === 0 || d.errors.length > 0 || (d.contents !== null && !(isScalar(d.contents) && d.contents.value === null)));
  if (docs.length > 1) fail("(file)", `holds ${docs.length} YAML documents (separated by ---); Pulumi reads one`, "keep one document: remove the --- separators and merge the config: maps");
  const doc = docs[0] ?? parseAllDocuments("{}")[0];
  const issue = doc.errors[0] ?? doc.warnings[0];
  if (issue) fail("(file)", `is not valid YAML: ${yamlProblem(issue, source)}`, "fix the YAML syntax");
  let top: unknown;
  try {
    top = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    fail("(file)", `is not usable YAML: ${(e as Error).message.split("\n")[0]}`, "remove the YAML aliases (&name / *name)");
  }
  if (isCyclic(top)) fail("(file)", "uses a recursive YAML alias", "remove the YAML aliases (&name / *name)");
  if (top !== null && top !== undefined && !isMap(top)) fail("(file)", "must be a map with a `config:` key", "start the file with `config:`");
  const strays = Object.keys(top ?? {}).filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`));
  if (strays.length) fail(strays[0], "stands at the top of the file, outside `config:`, where Pulumi never reads it", "indent the seamless:* keys under a `config:` line");
  const unknown = Object.keys(top ?? {}).filter((k) => !STACK_FILE_KEYS.includes(k));
  if (unknown.length) {
    const near = nearest(unknown[0], STACK_FILE_KEYS);
    fail(unknown[0], "is not a key of a Pulumi stack file", near ? `did you mean ${near}:? A stack file holds ${STACK_FILE_KEYS.join(", ")}` : `a stack file holds ${STACK_FILE_KEYS.join(", ")}`);
  }
  const config = (top as { config?: unknown } | null)?.config ?? {};
  if (!isMap(config)) fail("config", "must be a map of config keys", "write `config:` followed by `seamless:<key>: <value>` entries");
  // Pulumi hands the program every scalar as text; decoded the same way, synth and `pulumi up` agree
  const entries = Object.entries(config as Record<string, unknown>).map(([k, v]): [string, unknown] => [k, v === null || typeof v === "object" ? v : decodeEngineText(String(v))]);
  return rawFromEntries(file, entries);
}

/**
 * A config value as the Pulumi program receives it from the engine: structured values as JSON
 * text, scalars as text. `true`/`false` and JSON maps and lists decode; numbers and strings stay text.
 */
export function decodeEngineText(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" || typeof value === "boolean" ? value : text;
  } catch {
    return text;
  }
}

/** Builds raw config from `namespace:key` entries; a `{ secure: ... }` value only marks a secret as set. */
export function rawFromEntries(file: string, entries: ReadonlyArray<[string, unknown]>): RawStackConfig {
  const values: Array<[string, unknown]> = [];
  const problems: ConfigProblem[] = [];
  const secrets = Object.fromEntries(Object.keys(SECRET_KEYS).map((k) => [k, false])) as SecretPresence;
  for (const [fullKey, value] of entries) {
    const colon = fullKey.indexOf(":");
    const [namespace, key] = colon >= 0 ? [fullKey.slice(0, colon), fullKey.slice(colon + 1)] : ["", fullKey];
    if (namespace !== CONFIG_NAMESPACE) {
      const stray = strayKeyProblem(namespace, key);
      if (stray) problems.push(stray);
      continue;
    }
    if (Object.hasOwn(SECRET_KEYS, key)) {
      const set = value !== undefined && value !== null && value !== "";
      // Pulumi decrypts a map holding `secure` and nothing else; any other shape is plain text to it
      const encrypted = isMap(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
      secrets[key as SecretKey] = set && encrypted && value.secure !== "";
      const again = `remove it from the file and run: pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>`;
      if (set && !encrypted) problems.push({ key: `${CONFIG_NAMESPACE}:${key}`, problem: "is a secret written in plain text (Pulumi encrypts only a map holding `secure:` alone)", fix: again });
      else if (encrypted && value.secure === "") problems.push({ key: `${CONFIG_NAMESPACE}:${key}`, problem: "is an empty secure: value", fix: again });
      continue;
    }
    const encrypted = securePath(value);
    if (encrypted) {
      const path = [key, ...encrypted].join(".");
      problems.push({
        key: `${CONFIG_NAMESPACE}:${path}`,
        problem: `is encrypted (secure:), but only ${Object.keys(SECRET_KEYS).map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")} are secrets here; everything else is rendered by synth, which never decrypts`,
        fix: `store it in plain text: pulumi config set ${encrypted.length ? "--path " : ""}${CONFIG_NAMESPACE}:${path} <value>`,
      });
      continue;
    }
    const proto = protoPath(value);
    if (proto) {
      problems.push({ key: `${CONFIG_NAMESPACE}:${[key, ...proto].join(".")}`, problem: "is not a usable key (__proto__ is reserved in JavaScript, so the value would be lost)", fix: "rename or remove it" });
      continue;
    }
    values.push([key, value]);
  }
  // fromEntries makes own properties, so a key such as __proto__ is a key, never a prototype
  return { file, values: Object.fromEntries(values), secrets, problems };
}

/** A key that looks meant for this project but is not in its namespace (`seamles:slo`, a bare `environment`). */
function strayKeyProblem(namespace: string, key: string): ConfigProblem | undefined {
  if (namespace === "") {
    return { key, problem: "has no namespace, so Pulumi would not pass it to this program", fix: `write it as ${CONFIG_NAMESPACE}:${key}` };
  }
  if (nearest(namespace, [CONFIG_NAMESPACE]) !== undefined && namespace.toLowerCase() !== CONFIG_NAMESPACE) {
    return { key: `${namespace}:${key}`, problem: `is in the namespace "${namespace}", which this program never reads`, fix: `did you mean ${CONFIG_NAMESPACE}:${key}?` };
  }
  if (namespace !== CONFIG_NAMESPACE && namespace.toLowerCase() === CONFIG_NAMESPACE) {
    return { key: `${namespace}:${key}`, problem: "uses the wrong case for the namespace", fix: `write it as ${CONFIG_NAMESPACE}:${key}` };
  }
  return undefined;
}

/** The path to the first `{ secure: ... }` value (an encrypted config value) inside a value, if any. */
function securePath(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return path;
  for (const [k, v] of Object.entries(value)) {
    const inner = securePath(v, [...path, k]);
    if (inner) return inner;
  }
  return undefined;
}

/** The path to the first `__proto__` key in a value, if any. */
function protoPath(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k === "__proto__") return [...path, k];
    const inner = protoPath(v, [...path, k]);
    if (inner) return inner;
  }
  return undefined;
}

/** A YAML error in one line: the parser's message with the offending key named when it is a duplicate. */
function yamlProblem(issue: { message: string; code?: string; pos?: readonly number[] }, source: string): string {
  const message = issue.message.split("\n")[0].replace(/:$/, "");
  // the key alone, never the rest of its line (which may hold a value someone meant to keep secret)
  const key = issue.code === "DUPLICATE_KEY" && issue.pos ? /^["']?([^:"'\n]{1,80})/.exec(source.slice(issue.pos[0]))?.[1]?.trim() : undefined;
  return key ? `the key "${key}" appears twice in one map (${message.replace(/^Map keys must be unique /, "")})` : message;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isCyclic(value: unknown, seen: Set<unknown> = new Set()): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (seen.has(value)) return true;
  seen.add(value);
  const cyclic = Object.values(value).some((v) => isCyclic(v, seen));
  seen.delete(value);
  return cyclic;
}
