/**
 * Reads the running stack's `seamless:*` config from the Pulumi engine into the same raw
 * shape synth reads from the stack file, and the secrets as Pulumi secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { RawStackConfig, SECRET_KEYS, SecretKey, SecretPresence } from "../model/config";
import { decodeEngineText, rawFromEntries } from "../model/stackfile";
import { CONFIG_NAMESPACE } from "../model/names";

/** The SDK knows which keys were encrypted; its typings do not export the check. */
const isConfigSecret: (key: string) => boolean = require("@pulumi/pulumi/runtime/config").isConfigSecret;

/** Raw config of the running stack (`Pulumi.<stack>.yaml` named in messages). */
export function rawFromPulumi(): RawStackConfig {
  const file = `Pulumi.${pulumi.getStack()}.yaml`;
  const entries = Object.entries(pulumi.runtime.allConfig()).map(([key, text]): [string, unknown] => {
    const short = key.slice(CONFIG_NAMESPACE.length + 1);
    // secrets only say "set", and whether they were encrypted; their values stay in the engine
    if (key.startsWith(`${CONFIG_NAMESPACE}:`) && Object.hasOwn(SECRET_KEYS, short)) return [key, isConfigSecret(key) ? { secure: "[engine]" } : text];
    // an encrypted non-secret key is refused as synth refuses it, so both edges agree
    if (key.startsWith(`${CONFIG_NAMESPACE}:`) && isConfigSecret(key)) return [key, { secure: "[engine]" }];
    return [key, decodeEngineText(text)];
  });
  return rawFromEntries(file, entries);
}

/** Secret config values as Pulumi secret Outputs (undefined when unset). */
export function secretsFromPulumi(): Partial<Record<SecretKey, pulumi.Output<string>>> {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const out: Partial<Record<SecretKey, pulumi.Output<string>>> = {};
  for (const key of Object.keys(SECRET_KEYS) as SecretKey[]) {
    if (config.get(SECRET_KEYS[key]) !== undefined) out[key] = config.requireSecret(SECRET_KEYS[key]);
  }
  return out;
}

/** Which secrets are set, from resolved secret outputs. */
export function presence(secrets: Partial<Record<SecretKey, unknown>>): SecretPresence {
  return Object.fromEntries(Object.keys(SECRET_KEYS).map((k) => [k, secrets[k as SecretKey] !== undefined])) as SecretPresence;
}
