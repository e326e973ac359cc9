/**
 * The synthetic Seamless runtime over HTTP: `GET /metrics` in the Prometheus text format
 * (0.0.4), values computed from the seconds elapsed since the exporter started. Bound to
 * 127.0.0.1 on a free port. Test code only.
 */
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { SyntheticFamily, SyntheticOptions, syntheticRuntime } from "./synthetic";

/** Exporter options: the runtime's scenario and size, plus a clock for tests. */
export interface ExporterOptions extends SyntheticOptions {
  /** Milliseconds now; default Date.now. */
  readonly clock?: () => number;
  /** Epoch milliseconds at t = 0; default now (a runtime that has been up longer starts in the past). */
  readonly startedAt?: number;
}

/** A running exporter. */
export interface RunningExporter {
  /** `http://127.0.0.1:<port>/metrics` */
  readonly url: string;
  /** `127.0.0.1:<port>`, as a scrape target. */
  readonly target: string;
  readonly options: ExporterOptions;
  /** Epoch milliseconds at t = 0. */
  readonly startedAt: number;
  /** Scrapes served so far. */
  scrapes(): number;
  close(): Promise<void>;
}

/** Starts an exporter; counters start at 0 now. */
export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const clock = options.clock ?? Date.now;
  const startedAt = options.startedAt ?? clock();
  const families = syntheticRuntime({ ...options, epochSeconds: options.epochSeconds ?? startedAt / 1000 });
  let served = 0;
  const server = createServer((req, res) => {
    if (req.method !== "GET" || !req.url?.startsWith("/metrics")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("only /metrics here\n");
      return;
    }
    served++;
    const body = exposition(families, (clock() - startedAt) / 1000);
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(body);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    target: `127.0.0.1:${port}`,
    options,
    startedAt,
    scrapes: () => served,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/** The families in the Prometheus text format at `t` seconds after start. */
export function exposition(families: readonly SyntheticFamily[], t: number): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.metric.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${f.name} ${f.metric.type}`);
    for (const s of f.series) lines.push(`${s.name}${labelText(s.labels)} ${formatValue(s.at(t))}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `{a="b",c="d"}`, or nothing without labels; values escaped as the format requires. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A sample value as the text format writes it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
