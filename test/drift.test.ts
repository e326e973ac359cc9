/**
 * No perpetual diff: what Grafana stores and the provider reads back must normalise to what
 * the stack sends. There is no Grafana server on this machine (it is in neither Debian's
 * archive nor npm), so Grafana's save is simulated as the provider documents it: the
 * dashboard comes back with `id` and `version` added, rule query models with Grafana's
 * defaults (`intervalMs` 1000, `maxDataPoints` 43200) filled in. The provider's state
 * functions drop exactly those before comparing; the normalisers below do the same.
 */
import { describe, expect, it } from "vitest";
import { buildModel } from "../model/model";
import { readStackFile } from "../model/stackfile";
import { sortKeys, stableJson } from "../model/json";
import { parseDuration, formatDuration } from "../model/duration";
import { ROOT } from "./helpers/mocks";

type Json = Record<string, unknown>;

/** The dashboard provider's state form: no id, no version, no panel ids; keys sorted (Go maps marshal sorted). */
function providerDashboardState(configJson: string): string {
  const d = JSON.parse(configJson) as Json & { panels?: Json[] };
  delete d.id;
  delete d.version;
  for (const p of d.panels ?? []) delete p.id;
  return JSON.stringify(sortKeys(d));
}

/** The rule-group provider's state form of a query model: Grafana's default intervalMs/maxDataPoints dropped. */
function providerModelState(model: string): string {
  const m = JSON.parse(model) as Json;
  if (m.intervalMs === 1000) delete m.intervalMs;
  if (m.maxDataPoints === 43200) delete m.maxDataPoints;
  return JSON.stringify(sortKeys(m));
}

describe.each(["dev", "staging", "prod"])("%s: a deploy followed by a preview shows no change", (stack) => {
  const model = buildModel(readStackFile(ROOT, stack));

  it("dashboards: Grafana's stored JSON (id and version added) normalises to what we send", () => {
    for (const d of model.dashboards) {
      const sent = stableJson(d.json);
      const stored = JSON.stringify({ ...JSON.parse(sent), id: 4242, version: 7 });
      expect(providerDashboardState(stored)).toBe(providerDashboardState(sent));
      // and panel ids survive the round trip, because alerts link to them (__panelId__)
      expect((JSON.parse(stored) as { panels: Array<{ id: number }> }).panels.map((p) => p.id)).toEqual((d.json.panels as Array<{ id: number }>).map((p) => p.id));
    }
  });

  it("rule query models: Grafana's filled-in defaults normalise away", () => {
    for (const group of model.grafanaRuleGroups) {
      for (const rule of group.rules) {
        for (const data of rule.datas) {
          const stored = JSON.stringify({ ...JSON.parse(data.model), intervalMs: 1000, maxDataPoints: 43200 });
          expect(providerModelState(stored)).toBe(providerModelState(data.model));
        }
      }
    }
  });

  it("durations are written canonically and intervals are whole multiples of 10s", () => {
    for (const group of model.grafanaRuleGroups) {
      expect(group.intervalSeconds % 10).toBe(0);
      for (const rule of group.rules) {
        expect(formatDuration(parseDuration(rule.for)!)).toBe(rule.for);
        const s = rule.notificationSettings;
        for (const d of s ? [s.groupWait, s.groupInterval, s.repeatInterval] : []) expect(formatDuration(parseDuration(d)!)).toBe(d);
      }
    }
  });
});
