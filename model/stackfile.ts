/**
 * Reads `Pulumi.<stack>.yaml` without the Pulumi CLI: the `seamless:*` keys as values,
 * `secure:` entries only as "this secret is set" (never decrypted, never kept).
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE } from "./names";
import { ConfigError, RawStackConfig, SECRET_KEYS, SecretKey, SecretPresence } from "./config";

/** Stacks that have a `Pulumi.<name>.yaml` in `dir`, sorted. */
export function knownStacks(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Reads one stack file into raw config; throws ConfigError naming the file on any problem. */
export function readStackFile(dir: string, stack: string): RawStackConfig {
  const file = `Pulumi.${stack}.yaml`;
  const path = join(dir, file);
  const fail = (key: string, problem: string, fix: string): never => {
    throw new ConfigError([{ file, key, problem, fix }]);
  };
  if (!existsSync(path)) {
    fail("(file)", `no such stack file`, `known stacks: ${knownStacks(dir).join(", ") || "none"}; create it with: pulumi stack init ${stack}`);
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (e) {
    fail("(file)", `is not valid YAML: ${(e as Error).message.split("\n")[0]}`, "fix the YAML syntax");
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) fail("config", "must be a map of config keys", "write `config:` followed by `seamless:<key>: <value>` entries");
  return rawFromEntries(file, Object.entries(config as Record<string, unknown>));
}

/** Builds raw config from `namespace:key` entries; a `{ secure: ... }` value only marks a secret as set. */
export function rawFromEntries(file: string, entries: ReadonlyArray<[string, unknown]>): RawStackConfig {
  const values: Record<string, unknown> = {};
  const plaintextSecrets: string[] = [];
  const secrets = Object.fromEntries(Object.keys(SECRET_KEYS).map((k) => [k, false])) as SecretPresence;
  for (const [fullKey, value] of entries) {
    const [namespace, key] = fullKey.includes(":") ? [fullKey.slice(0, fullKey.indexOf(":")), fullKey.slice(fullKey.indexOf(":") + 1)] : ["", fullKey];
    if (namespace !== CONFIG_NAMESPACE) continue;
    if (key in SECRET_KEYS) {
      secrets[key as SecretKey] = value !== undefined && value !== null && value !== "";
      const encrypted = typeof value === "object" && value !== null && typeof (value as { secure?: unknown }).secure === "string";
      if (secrets[key as SecretKey] && !encrypted) plaintextSecrets.push(key);
      continue;
    }
    values[key] = value;
  }
  return { file, values, secrets, plaintextSecrets };
}
