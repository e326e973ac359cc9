import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CATALOGUE, DEFAULT_HISTOGRAM_BUCKETS, defaultEmitted, findMetric, presenceSeries, series } from "../model/catalogue";
import { ROOT } from "./helpers/mocks";

/** QMTL's facts, beside the repository (the project's source of truth for the catalogue). */
const FACTS = join(ROOT, "..", "shared", "qmtl", "metrics.yaml");

interface Fact {
  name: string;
  type: string;
  labels: string[];
  status: string;
}

describe("metrics catalogue", () => {
  it.skipIf(!existsSync(FACTS))("agrees with QMTL's metrics.yaml: every metric, with its type, label set, status and the client's default buckets", () => {
    const facts = parse(readFileSync(FACTS, "utf8")) as { default_histogram_buckets: Array<number | string>; metrics: Fact[] };
    const ours = CATALOGUE.map((m) => ({ name: m.name, type: m.type, labels: [...m.labels].sort(), status: m.status }));
    const theirs = facts.metrics.map((m) => ({ name: m.name, type: m.type, labels: [...m.labels].sort(), status: m.status }));
    expect(ours.sort((a, b) => a.name.localeCompare(b.name))).toEqual(theirs.sort((a, b) => a.name.localeCompare(b.name)));
    expect([...DEFAULT_HISTOGRAM_BUCKETS, "+Inf"]).toEqual(facts.default_histogram_buckets);
  });

  it("looks metrics up by name and names the series a query reads, as prometheus_client exposes them", () => {
    expect(findMetric("domain_gate_holds")?.type).toBe("counter");
    expect(findMetric("nope")).toBeUndefined();
    expect(series(findMetric("domain_gate_holds")!)).toBe("domain_gate_holds_total");
    expect(series(findMetric("backfill_failure_total")!)).toBe("backfill_failure_total");
    expect(series(findMetric("seamless_total_ms")!, "bucket")).toBe("seamless_total_ms_bucket");
    expect(presenceSeries(findMetric("seamless_sla_deadline_seconds")!)).toBe("seamless_sla_deadline_seconds_count");
    expect(defaultEmitted()).toEqual(["backfill_jobs_in_progress", "backfill_last_timestamp", "backfill_failure_total", "backfill_retry_total", "seamless_conformance_flag_total"]);
  });
});
