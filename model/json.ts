/** JSON with sorted keys: the one serialiser for everything the stack writes or sends. */

/** Returns a copy of `value` whose object keys are sorted (arrays keep their order); undefined fields are dropped. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Compact JSON with sorted keys (Grafana query models, dashboard configJson). */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Indented JSON with sorted keys and a final newline (files under out/). */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}
