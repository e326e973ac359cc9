/** Prometheus-style durations (`30s`, `5m`, `1h30m`, `30d`), parsed and written canonically. */

const UNITS: ReadonlyArray<[string, number]> = [
  ["w", 7 * 24 * 3600],
  ["d", 24 * 3600],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
];
const PATTERN = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in a duration string, or undefined when it is not a duration of whole seconds. */
export function parseDuration(text: string): number | undefined {
  if (text === "0" || text === "0s") return 0;
  const match = PATTERN.exec(text);
  if (!match || text === "") return undefined;
  return UNITS.reduce((total, [, size], i) => total + Number(match[i + 1] ?? 0) * size, 0);
}

/** Canonical form of a number of seconds: largest units first (`3600` -> `1h`, `90` -> `1m30s`, `0` -> `0s`). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  let rest = seconds;
  let out = "";
  for (const [unit, size] of UNITS) {
    if (unit === "w") continue; // weeks read oddly in rule files; days are the largest unit written
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** Canonical form of a duration string (`60m` -> `1h`). */
export function canonicalDuration(text: string): string {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new Error(`not a duration: ${text}`);
  return formatDuration(seconds);
}
