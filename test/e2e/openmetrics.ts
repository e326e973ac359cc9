/**
 * History of the synthetic runtime as OpenMetrics text, imported into a Prometheus data
 * directory with `promtool tsdb create-blocks-from openmetrics`: a Prometheus started on it
 * has seen the runtime for as long as the history goes back.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { SyntheticFamily } from "./synthetic";
import { labelText, formatValue } from "./exporter";
import { INSTALL_HINT } from "./prometheus";

/** Which samples to write. */
export interface HistoryRange {
  /** First and last sample, in seconds after the runtime started (inclusive). */
  readonly from: number;
  readonly to: number;
  /** Seconds between samples (the scrape interval the history pretends). */
  readonly step: number;
  /** Epoch seconds at t = 0. */
  readonly epochSeconds: number;
}

/** One extra series with precomputed samples (for example a recording rule evaluated elsewhere). */
export interface FixedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** [epoch seconds, value] in time order. */
  readonly samples: ReadonlyArray<readonly [number, number]>;
}

/**
 * Writes families (and optional fixed series) as OpenMetrics to an open file descriptor,
 * one series after the other, each in time order. Counters are written with type `unknown`,
 * since OpenMetrics insists on a `_total` suffix the catalogue does not always have.
 * Returns the number of samples written.
 */
export function writeOpenMetrics(fd: number, families: readonly SyntheticFamily[], range: HistoryRange, fixed: readonly FixedSeries[] = [], eof = true): number {
  let chunk = "";
  let samples = 0;
  const flush = (force = false) => {
    if (force || chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = "";
    }
  };
  for (const f of families) {
    chunk += `# TYPE ${f.name} ${f.metric.type === "counter" ? "unknown" : f.metric.type}\n`;
    for (const s of f.series) {
      const prefix = `${s.name}${labelText(s.labels)} `;
      for (let t = range.from; t <= range.to; t += range.step) {
        chunk += `${prefix}${formatValue(s.at(t))} ${range.epochSeconds + t}\n`;
        samples++;
      }
      flush();
    }
  }
  for (const s of fixed) {
    chunk += `# TYPE ${s.name} gauge\n`;
    const prefix = `${s.name}${labelText(s.labels)} `;
    for (const [ts, v] of s.samples) {
      chunk += `${prefix}${formatValue(v)} ${ts}\n`;
      samples++;
    }
    flush();
  }
  if (eof) chunk += "# EOF\n";
  flush(true);
  return samples;
}

/** Writes a history file at `path`; returns the number of samples. */
export function writeHistoryFile(path: string, families: readonly SyntheticFamily[], range: HistoryRange, fixed: readonly FixedSeries[] = []): number {
  const fd = openSync(path, "w");
  try {
    return writeOpenMetrics(fd, families, range, fixed);
  } finally {
    closeSync(fd);
  }
}

/**
 * Imports an OpenMetrics file into `dataDir` (blocks of up to `maxBlockDuration`, one pass
 * over the file per block); throws with promtool's output on failure.
 */
export function importOpenMetrics(file: string, dataDir: string, maxBlockDuration = "2h"): void {
  const run = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", `--max-block-duration=${maxBlockDuration}`, file, dataDir], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.error) throw new Error(`promtool is not runnable (${run.error.message}); ${INSTALL_HINT}`);
  if (run.status !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${run.status}): ${`${run.stdout}${run.stderr}`.trim().split("\n").slice(-5).join(" | ")}`);
}
