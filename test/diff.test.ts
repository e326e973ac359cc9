import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { FileMap, diffStack, hasChanges } from "../diff/semantic";
import { renderReport, summaryLine } from "../diff/markdown";
import { lineDiff } from "../diff/text";
import { main, parseArgs } from "../diff/cli";
import { buildModel } from "../model/model";
import { readStackFile } from "../model/stackfile";
import { renderStack } from "../synth/render";
import { ROOT } from "./helpers/mocks";

// ---------------------------------------------------------------- fixtures: small rendered stacks

interface PanelOpts {
  readonly id: number;
  readonly title: string;
  readonly expr: string;
  readonly unit?: string;
  readonly steps?: ReadonlyArray<readonly [string, number | null]>;
  readonly gridPos?: { x: number; y: number; w: number; h: number };
}

function panel(p: PanelOpts): Record<string, unknown> {
  return {
    id: p.id,
    title: p.title,
    type: "timeseries",
    description: `About ${p.title}.`,
    gridPos: p.gridPos ?? { x: 0, y: (p.id - 1) * 8, w: 24, h: 8 },
    fieldConfig: { defaults: { unit: p.unit ?? "short", thresholds: { mode: "absolute", steps: (p.steps ?? [["green", null]]).map(([color, value]) => ({ color, value })) } }, overrides: [] },
    targets: [{ refId: "A", expr: p.expr, legendFormat: "{{node_id}}", datasource: { type: "prometheus", uid: "${datasource}" } }],
  };
}

const PANELS: readonly PanelOpts[] = [
  { id: 1, title: "Leases held now", expr: "sum(backfill_jobs_in_progress)" },
  { id: 2, title: "Backfill failures", expr: "sum by (node_id) (rate(backfill_failure_total[5m]))", unit: "ops", steps: [["green", null], ["red", 0.5]] },
];

function dashboardFile(env: string, panels: ReadonlyArray<Record<string, unknown>>, uid = `seamless-${env}-backfill-health`): string {
  return `${JSON.stringify({ uid, title: "Backfill Coordinator Health", tags: ["seamless"], panels, time: { from: "now-6h", to: "now" } }, null, 2)}\n`;
}

interface RuleOpts {
  readonly name: string;
  readonly expr: string;
  readonly severity: "critical" | "warning";
  readonly for?: string;
  readonly gated?: string;
  readonly contactPoint?: string;
  readonly team?: string;
  readonly summary?: string;
}

function rule(env: string, r: RuleOpts): Record<string, unknown> {
  return {
    uid: `seamless-${env}-${r.name.toLowerCase()}`,
    name: r.name,
    for: r.for ?? "5m",
    condition: "B",
    noDataState: "OK",
    execErrState: "KeepLast",
    isPaused: r.gated !== undefined,
    labels: { severity: r.severity, service: "seamless", environment: env, team: r.team ?? "seamless" },
    annotations: { summary: r.summary ?? `${r.name} fires`, ...(r.gated ? { gated_reason: r.gated } : {}) },
    datas: [
      { refId: "A", datasourceUid: "prometheus", queryType: "", relativeTimeRange: { from: 600, to: 0 }, model: JSON.stringify({ expr: r.expr, instant: true, refId: "A" }) },
      { refId: "B", datasourceUid: "__expr__", queryType: "", relativeTimeRange: { from: 0, to: 0 }, model: JSON.stringify({ expression: "is_number($A)", refId: "B", type: "math" }) },
    ],
    ...(r.contactPoint ? { notificationSettings: { contactPoint: r.contactPoint, groupBies: ["alertname"], groupWait: "30s", groupInterval: "5m", repeatInterval: "4h" } } : {}),
  };
}

const BURN = "seamless:sla_errors:ratio_rate1h > 0.0144\nand\nseamless:sla_errors:ratio_rate5m > 0.0144";
const FAILURES = "sum by (node_id) (increase(backfill_failure_total[10m])) > 5";
const NOT_EMITTED = "not emitted yet: seamless_sla_deadline_seconds";

const RULES: readonly RuleOpts[] = [
  { name: "SeamlessSloBurnRatePage", expr: BURN, severity: "critical", for: "0s", gated: NOT_EMITTED },
  { name: "SeamlessBackfillFailures", expr: FAILURES, severity: "warning", for: "10m" },
];

function ruleGroupsFile(env: string, rules: readonly RuleOpts[]): string {
  return `${JSON.stringify([{ name: "seamless-alerts", folderUid: `seamless-${env}`, intervalSeconds: 60, orgId: "1", rules: rules.map((r) => rule(env, r)) }], null, 2)}\n`;
}

interface CpOpts {
  readonly severity: "critical" | "warning";
  readonly pagerduty?: boolean;
  readonly slack?: string;
}

function contactPointsFile(env: string, rules: readonly RuleOpts[], cps: readonly CpOpts[] = []): string {
  const name = (s: string) => `seamless-${env}-${s}`;
  const doc = {
    messageTemplate: cps.length ? { name: `seamless-${env}`, template: "{{ define \"t\" }}{{ end }}" } : null,
    contactPoints: cps.map((cp) => ({
      name: name(cp.severity),
      ...(cp.pagerduty ? { pagerduties: [{ integrationKey: "[secret]", severity: "critical" }] } : {}),
      ...(cp.slack ? { slacks: [{ url: "[secret]", recipient: cp.slack }] } : {}),
    })),
    routes: rules.map((r) => {
      const cp = cps.find((c) => c.severity === r.severity);
      const integrations = cp ? [...(cp.pagerduty ? ["pagerduty"] : []), ...(cp.slack ? ["slack"] : [])] : [];
      if (r.gated) return { alert: r.name, severity: r.severity, integrations: [], heldBack: `paused: ${r.gated}` };
      if (!cp) return { alert: r.name, severity: r.severity, integrations: [], heldBack: "no integration is on" };
      return { alert: r.name, severity: r.severity, contactPoint: name(r.severity), integrations };
    }),
    muteTimings: [],
    notificationPolicy: null,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

interface PromRuleOpts {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
}

function prometheusRuleFile(env: string, groups: Record<string, readonly PromRuleOpts[]>): string {
  return stringify(
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: `seamless-${env}-rules`, namespace: "monitoring", labels: { release: "kube-prometheus-stack" } },
      spec: {
        groups: Object.entries(groups).map(([name, rules]) => ({
          name,
          interval: "1m",
          rules: rules.map((r) => (r.alert ? { alert: r.alert, expr: r.expr, ...(r.for ? { for: r.for } : {}), labels: { severity: "warning" } } : { record: r.record, expr: r.expr })),
        })),
      },
    },
    { lineWidth: 0 },
  );
}

const PROM: Record<string, readonly PromRuleOpts[]> = {
  "seamless-slo": [{ record: "seamless:sla_errors:ratio_rate5m", expr: "1 - (seamless:sla_good_requests:rate5m / seamless:sla_requests:rate5m)" }],
  "seamless-backfill": [{ alert: "SeamlessBackfillFailures", expr: FAILURES, for: "10m" }],
};

interface StackOpts {
  readonly panels?: ReadonlyArray<Record<string, unknown>>;
  readonly dashboardUid?: string;
  readonly folderUid?: string;
  readonly orgId?: number;
  readonly rules?: readonly RuleOpts[];
  readonly contactPoints?: readonly CpOpts[];
  readonly prom?: Record<string, readonly PromRuleOpts[]>;
  readonly extra?: Record<string, string>;
}

/** A rendered stack with one dashboard, two alerts, routes, a PrometheusRule and a plan. */
function stack(env: string, o: StackOpts = {}): FileMap {
  const rules = o.rules ?? RULES;
  return new Map([
    ["dashboards/backfill-health.json", dashboardFile(env, o.panels ?? PANELS.map(panel), o.dashboardUid)],
    ["grafana/contact-points.json", contactPointsFile(env, rules, o.contactPoints)],
    ["grafana/rule-groups.json", ruleGroupsFile(env, rules)],
    ["kubernetes/prometheusrule.yaml", prometheusRuleFile(env, o.prom ?? PROM)],
    ["plan.md", `# Plan: ${env}\n\nGrafana folder "Seamless (${env})" (uid ${o.folderUid ?? `seamless-${env}`}), org ${o.orgId ?? 1}, datasource prometheus.\n`],
    ["prometheus/rules.yaml", "groups: []\n"],
    ...Object.entries(o.extra ?? {}),
  ]);
}

const report = (env: string, base: StackOpts, head: StackOpts) => renderReport("main", [diffStack(env, stack(env, base), stack(env, head))]);
const lines = (...l: string[]) => `${l.join("\n")}\n`;

// ---------------------------------------------------------------- the semantic diff, as Markdown

describe("semantic diff: Markdown for a PR comment", () => {
  it("prints one 'no changes' line per stack when nothing changed", () => {
    const diffs = ["dev", "staging", "prod"].map((env) => diffStack(env, stack(env), stack(env)));
    expect(diffs.map(hasChanges)).toEqual([false, false, false]);
    expect(renderReport("main", diffs)).toBe(lines("## Semantic diff against `main`", "", "- **dev**: no changes", "- **staging**: no changes", "- **prod**: no changes"));
  });

  it("shows a changed panel query as a line diff, with unit and thresholds", () => {
    const changed = [panel(PANELS[0]), panel({ ...PANELS[1], expr: "sum by (node_id) (rate(backfill_failure_total[10m]))", unit: "short", steps: [["green", null], ["red", 1]] })];
    expect(report("dev", {}, { panels: changed })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "- **dev**: 1 panel changed, 0 alerts changed, 0 alerts now page, 0 alerts stop paging, 0 removed",
        "",
        "### dev",
        "",
        "#### Dashboards",
        "",
        "**Backfill Coordinator Health** (`seamless-dev-backfill-health`)",
        "",
        '- Panel changed: #2 "Backfill failures"',
        "  - unit: `ops` → `short`",
        "  - thresholds: `green, red from 0.5` → `green, red from 1`",
        "  - query `A` changed (diff below)",
        "",
        'Panel #2 "Backfill failures", query `A` changed:',
        "",
        "```diff",
        "- sum by (node_id) (rate(backfill_failure_total[5m]))",
        "+ sum by (node_id) (rate(backfill_failure_total[10m]))",
        "```",
      ),
    );
  });

  it("lists panels added, removed and moved, and other panel settings by path", () => {
    const head = [
      { ...panel(PANELS[0]), gridPos: { x: 12, y: 0, w: 12, h: 8 }, description: "Now documented." },
      panel({ id: 3, title: "Backfill lag", expr: "time() - max(backfill_last_timestamp)", unit: "s", gridPos: { x: 0, y: 8, w: 24, h: 6 } }),
    ];
    expect(report("dev", {}, { panels: head })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "- **dev**: 3 panels changed, 0 alerts changed, 0 alerts now page, 0 alerts stop paging, 1 removed",
        "",
        "### dev",
        "",
        "#### Dashboards",
        "",
        "**Backfill Coordinator Health** (`seamless-dev-backfill-health`)",
        "",
        '- Panel added: #3 "Backfill lag" (timeseries) at x=0 y=8 w=24 h=6',
        '- Panel removed: #2 "Backfill failures" (timeseries)',
        '- Panel changed: #1 "Leases held now"',
        "  - moved: x=0 y=0 w=24 h=8 → x=12 y=0 w=12 h=8",
        "  - other settings changed: `description`",
      ),
    );
    const movedOnly = [{ ...panel(PANELS[0]), gridPos: { x: 0, y: 8, w: 24, h: 8 } }, { ...panel(PANELS[1]), gridPos: { x: 0, y: 0, w: 24, h: 8 } }];
    expect(report("dev", {}, { panels: movedOnly }).split("\n").filter((l) => l.startsWith("- Panel"))).toEqual([
      '- Panel moved: #1 "Leases held now": x=0 y=0 w=24 h=8 → x=0 y=8 w=24 h=8',
      '- Panel moved: #2 "Backfill failures": x=0 y=8 w=24 h=8 → x=0 y=0 w=24 h=8',
    ]);
  });

  it("lists alerts added, removed and changed: expression, for, severity, labels, annotations", () => {
    const head: RuleOpts[] = [
      { ...RULES[1], expr: FAILURES.replace("> 5", "> 10"), for: "15m", severity: "critical", team: "data-platform", summary: "Backfills fail" },
      { name: "SeamlessLiveStale", expr: "max(live_staleness_seconds) > 120", severity: "warning", gated: "not emitted yet: live_staleness_seconds" },
    ];
    expect(report("staging", {}, { rules: head })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "- **staging**: 0 panels changed, 3 alerts changed, 0 alerts now page, 0 alerts stop paging, 1 removed",
        "",
        "### staging",
        "",
        "#### Alerts (Grafana)",
        "",
        "- Alert added: `SeamlessLiveStale` (group `seamless-alerts`, warning, for 5m, paused: not emitted yet: live_staleness_seconds)",
        "- Alert removed: `SeamlessSloBurnRatePage` (group `seamless-alerts`, critical, for 0s, paused: not emitted yet: seamless_sla_deadline_seconds)",
        "- Alert changed: `SeamlessBackfillFailures` (group `seamless-alerts`)",
        "  - for: `10m` → `15m`",
        "  - severity: `warning` → `critical`",
        "  - query `A` changed (diff below)",
        "  - label `team`: `seamless` → `data-platform`",
        "  - annotation `summary`: `SeamlessBackfillFailures fires` → `Backfills fail`",
        "",
        "Alert `SeamlessBackfillFailures`, query `A` changed:",
        "",
        "```diff",
        "- sum by (node_id) (increase(backfill_failure_total[10m])) > 5",
        "+ sum by (node_id) (increase(backfill_failure_total[10m])) > 10",
        "```",
      ),
    );
  });

  it("says when a gated alert becomes active, and where it now goes", () => {
    const active: RuleOpts[] = [{ ...RULES[0], gated: undefined }, RULES[1]];
    expect(report("staging", {}, { rules: active })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "- **staging**: 0 panels changed, 1 alert changed, 0 alerts now page, 0 alerts stop paging, 0 removed",
        "",
        "### staging",
        "",
        "#### Alerts (Grafana)",
        "",
        "- Alert changed: `SeamlessSloBurnRatePage` (group `seamless-alerts`)",
        "  - now **active** (was paused: not emitted yet: seamless_sla_deadline_seconds)",
        "",
        "#### Paging",
        "",
        "- `SeamlessSloBurnRatePage` (critical): route changes: nothing (paused) → the org's default notification policy",
      ),
    );
    expect(report("staging", { rules: active }, {}).split("\n")).toContain("  - now **paused**: not emitted yet: seamless_sla_deadline_seconds");
  });

  it("warns loudly when paging changes in prod: a new PagerDuty contact point and an alert that now pages", () => {
    const rules: RuleOpts[] = [{ ...RULES[0], gated: undefined, contactPoint: "seamless-prod-critical" }, RULES[1]];
    expect(report("prod", {}, { rules, contactPoints: [{ severity: "critical", pagerduty: true, slack: "#seamless-oncall" }] })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "> [!WARNING]",
        "> **Paging changes in prod.** After this is merged and deployed, these reach different people:",
        "> - contact point `seamless-prod-critical` created (PagerDuty + Slack `#seamless-oncall`)",
        "> - `SeamlessSloBurnRatePage`: **now pages** (PagerDuty), newly reaches Slack: nothing (paused) → `seamless-prod-critical` (PagerDuty + Slack)",
        ">",
        '> Get an ack from the prod on-call before merging (README, "For reviewers").',
        "",
        "- **prod**: 0 panels changed, 1 alert changed, 1 alert now pages, 0 alerts stop paging, 0 removed, 1 contact point changed, 1 other change",
        "",
        "### prod",
        "",
        "#### Alerts (Grafana)",
        "",
        "- Alert changed: `SeamlessSloBurnRatePage` (group `seamless-alerts`)",
        "  - now **active** (was paused: not emitted yet: seamless_sla_deadline_seconds)",
        "",
        "#### Paging",
        "",
        "- Contact point created: `seamless-prod-critical` (PagerDuty + Slack `#seamless-oncall`)",
        "- Message template added: `seamless-prod`",
        "- `SeamlessSloBurnRatePage` (critical): **now pages** (PagerDuty), newly reaches Slack: nothing (paused) → `seamless-prod-critical` (PagerDuty + Slack)",
      ),
    );
  });

  it("warns as loudly when prod stops paging: the PagerDuty contact point removed, the alert no longer routed", () => {
    const rules: RuleOpts[] = [{ ...RULES[0], gated: undefined, contactPoint: "seamless-prod-critical" }, RULES[1]];
    expect(report("prod", { rules, contactPoints: [{ severity: "critical", pagerduty: true }] }, { rules: [{ ...RULES[0], gated: undefined }, RULES[1]] })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "> [!WARNING]",
        "> **Paging changes in prod.** After this is merged and deployed, these reach different people:",
        "> - contact point `seamless-prod-critical` removed (PagerDuty)",
        "> - `SeamlessSloBurnRatePage`: **stops paging** (PagerDuty): `seamless-prod-critical` (PagerDuty) → the org's default notification policy",
        ">",
        '> Get an ack from the prod on-call before merging (README, "For reviewers").',
        "",
        "- **prod**: 0 panels changed, 0 alerts changed, 0 alerts now page, 1 alert stops paging, 1 removed, 1 contact point changed, 1 other change",
        "",
        "### prod",
        "",
        "#### Paging",
        "",
        "- Contact point removed: `seamless-prod-critical` (PagerDuty)",
        "- Message template removed: `seamless-prod`",
        "- `SeamlessSloBurnRatePage` (critical): **stops paging** (PagerDuty): `seamless-prod-critical` (PagerDuty) → the org's default notification policy",
      ),
    );
  });

  it("reports a contact point added outside prod without the prod warning, and an alert that stops paging", () => {
    const before: StackOpts = { rules: [RULES[0], { ...RULES[1], severity: "critical", contactPoint: "seamless-dev-critical" }], contactPoints: [{ severity: "critical", pagerduty: true }] };
    const after: StackOpts = { rules: [RULES[0], { ...RULES[1], severity: "critical", contactPoint: "seamless-dev-critical" }], contactPoints: [{ severity: "critical", slack: "#dev" }, { severity: "warning", slack: "#dev" }] };
    expect(report("dev", before, after)).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "- **dev**: 0 panels changed, 0 alerts changed, 0 alerts now page, 1 alert stops paging, 0 removed, 2 contact points changed",
        "",
        "### dev",
        "",
        "#### Paging",
        "",
        "- Contact point created: `seamless-dev-warning` (Slack `#dev`)",
        "- Contact point changed: `seamless-dev-critical`",
        "  - `pagerduties[0].integrationKey` removed (was `[secret]`)",
        "  - `pagerduties[0].severity` removed (was `critical`)",
        "  - `slacks[0].recipient` added: `#dev`",
        "  - `slacks[0].url` added: `[secret]`",
        "- `SeamlessBackfillFailures` (critical): **stops paging** (PagerDuty), newly reaches Slack: `seamless-dev-critical` (PagerDuty) → `seamless-dev-critical` (Slack)",
      ),
    );
  });

  it("shows PrometheusRule groups and rules added, removed and changed", () => {
    const head: Record<string, readonly PromRuleOpts[]> = {
      "seamless-backfill": [{ alert: "SeamlessBackfillFailures", expr: FAILURES.replace("[10m]", "[15m]"), for: "15m" }],
      "seamless-conformance": [{ alert: "SeamlessConformanceFlagSpike", expr: "sum(rate(seamless_conformance_flag_total[5m])) > 1" }],
    };
    expect(report("prod", {}, { prom: head })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "- **prod**: 0 panels changed, 0 alerts changed, 0 alerts now page, 0 alerts stop paging, 1 removed, 3 PrometheusRule rules changed, 2 other changes",
        "",
        "### prod",
        "",
        "#### PrometheusRule",
        "",
        "- Group added: `seamless-conformance` (1 rule)",
        "- Group removed: `seamless-slo` (1 rule)",
        "- Rule added: alert `SeamlessConformanceFlagSpike` in `seamless-conformance`",
        "- Rule removed: record `seamless:sla_errors:ratio_rate5m` in `seamless-slo`",
        "- Rule changed: alert `SeamlessBackfillFailures` in `seamless-backfill`",
        "  - expr changed (diff below)",
        "  - for: `10m` → `15m`",
        "",
        "Rule alert `SeamlessBackfillFailures` in `seamless-backfill`, expr:",
        "",
        "```diff",
        "- sum by (node_id) (increase(backfill_failure_total[10m])) > 5",
        "+ sum by (node_id) (increase(backfill_failure_total[15m])) > 5",
        "```",
      ),
    );
  });

  it("flags a dashboard or folder whose uid changes: Grafana replaces it", () => {
    expect(report("prod", {}, { dashboardUid: "seamless-prod-backfill", folderUid: "seamless-prod-v2" })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "> [!CAUTION]",
        "> **prod: Grafana would replace or delete these, losing hand-made edits, version history and links to them:**",
        '> - folder "Seamless (prod)": uid `seamless-prod` → `seamless-prod-v2`: **replaced**',
        '> - dashboard "Backfill Coordinator Health": uid `seamless-prod-backfill-health` → `seamless-prod-backfill`: **replaced**',
        "",
        "- **prod**: 0 panels changed, 0 alerts changed, 0 alerts now page, 0 alerts stop paging, 0 removed, 2 REPLACED (hand-made content lost)",
        "",
        "### prod",
        "",
        "#### Dashboards",
        "",
        "- Folder uid: `seamless-prod` → `seamless-prod-v2` (**replaced**)",
        "",
        "**Backfill Coordinator Health** (`seamless-prod-backfill`)",
        "",
        "- uid: `seamless-prod-backfill-health` → `seamless-prod-backfill` (**replaced**: Grafana deletes the old dashboard and creates a new one)",
      ),
    );
  });

  it("flags a change of Grafana org: the provider replaces everything the stack made", () => {
    expect(report("prod", {}, { orgId: 2 })).toBe(
      lines(
        "## Semantic diff against `main`",
        "",
        "> [!CAUTION]",
        "> **prod: Grafana would replace or delete these, losing hand-made edits, version history and links to them:**",
        "> - Grafana org `1` → `2`: the folder, every dashboard, rule group, contact point and mute timing of the stack are **replaced** (created in org 2, deleted from org 1)",
        "",
        "- **prod**: 0 panels changed, 0 alerts changed, 0 alerts now page, 0 alerts stop paging, 0 removed, 1 REPLACED (hand-made content lost)",
        "",
        "### prod",
        "",
        "#### Dashboards",
        "",
        "- Grafana org: `1` → `2` (**everything replaced**)",
      ),
    );
  });

  it("writes one summary line per stack, a new stack counting everything as added", () => {
    const head: StackOpts = {
      panels: [panel({ ...PANELS[0], title: "Leases now" })],
      rules: [{ ...RULES[0], gated: undefined, contactPoint: "seamless-prod-critical" }],
      contactPoints: [{ severity: "critical", pagerduty: true }],
      extra: { "grafana/new-thing.json": "{}\n" },
    };
    expect(summaryLine(diffStack("prod", stack("prod"), stack("prod", head)))).toBe(
      "prod: 2 panels changed, 2 alerts changed, 1 alert now pages, 0 alerts stop paging, 2 removed, 1 contact point changed, 2 other changes",
    );
    expect(summaryLine(diffStack("qa", undefined, stack("qa")))).toBe(
      "qa (new stack): 2 panels changed, 2 alerts changed, 0 alerts now page, 0 alerts stop paging, 0 removed, 2 PrometheusRule rules changed, 3 other changes",
    );
    expect(summaryLine(diffStack("qa", stack("qa"), undefined))).toBe(
      "qa (stack removed): 2 panels changed, 2 alerts changed, 0 alerts now page, 0 alerts stop paging, 6 removed, 2 PrometheusRule rules changed, 3 other changes",
    );
  });

  it("finds no change between a real rendered stack and itself, and ignores reformatting", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const files = renderStack(buildModel(readStackFile(ROOT, env)));
      const reformatted = new Map([...files].map(([path, text]) => [path, path.endsWith(".json") ? JSON.stringify(JSON.parse(text)) : text]));
      expect(summaryLine(diffStack(env, files, reformatted))).toBe(`${env}: no changes`);
    }
  });

  it("diffs lines by longest common subsequence", () => {
    expect(lineDiff("a\nor\nb", "a\nor\nc\nor\nb")).toEqual([
      { op: " ", text: "a" },
      { op: " ", text: "or" },
      { op: "+", text: "c" },
      { op: "+", text: "or" },
      { op: " ", text: "b" },
    ]);
    expect(lineDiff(undefined, "x")).toEqual([{ op: "+", text: "x" }]);
  });
});

// ---------------------------------------------------------------- the CLI

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
function runCli(argv: readonly string[], projectDir: string): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, projectDir, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run diff", () => {
  // A detached worktree of HEAD: the real repository and commit, without the uncommitted edits
  // someone may have in the working tree (those would rightly show up as changes).
  let worktree = "";
  const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });

  beforeAll(() => {
    worktree = join(mkdtempSync(join(tmpdir(), "seamless-diff-test-")), "repo");
    const added = git("worktree", "add", "--detach", worktree, "HEAD");
    expect(added.status, added.stderr).toBe(0);
    symlinkSync(join(ROOT, "node_modules"), join(worktree, "node_modules"), "dir");
  });

  afterAll(() => {
    if (worktree) git("worktree", "remove", "--force", worktree);
    git("worktree", "prune");
    if (worktree) rmSync(join(worktree, ".."), { recursive: true, force: true });
  });

  it("prints 'no changes' per stack for --base HEAD on a clean checkout, exit 0 even with --exit-code, and cleans up", () => {
    const before = readdirSync(tmpdir()).filter((d) => d.startsWith("seamless-diff-") && !d.startsWith("seamless-diff-test-"));
    const run = runCli(["--base", "HEAD", "--all", "--exit-code"], worktree);
    expect(run).toEqual({ code: 0, out: "## Semantic diff against `HEAD`\n\n- **dev**: no changes\n- **staging**: no changes\n- **prod**: no changes", err: "" });
    const after = readdirSync(tmpdir()).filter((d) => d.startsWith("seamless-diff-") && !d.startsWith("seamless-diff-test-"));
    expect(after.filter((d) => !before.includes(d))).toEqual([]);
  });

  it("with --exit-code, exits 1 when a stack changed in the working tree", () => {
    const file = join(worktree, "Pulumi.dev.yaml");
    const original = readFileSync(file, "utf8");
    try {
      writeFileSync(file, original.replace("instrumentationLostFor: 30m", "instrumentationLostFor: 45m"));
      const run = runCli(["--base", "HEAD", "--exit-code"], worktree);
      expect([run.code, run.err]).toEqual([1, ""]);
      expect(run.out.split("\n").filter((l) => l.startsWith("- **"))).toEqual([
        "- **dev**: 0 panels changed, 1 alert changed, 0 alerts now page, 0 alerts stop paging, 0 removed",
        "- **staging**: no changes",
        "- **prod**: no changes",
      ]);
      expect(run.out).toContain("- Alert changed: `SeamlessInstrumentationLost` (group `seamless-instrumentation`)\n  - for: `30m` → `45m`");
    } finally {
      writeFileSync(file, original);
    }
  });

  it("diffs one stack with --stack", () => {
    expect(runCli(["--base", "HEAD", "--stack", "prod"], worktree)).toEqual({ code: 0, out: "## Semantic diff against `HEAD`\n\n- **prod**: no changes", err: "" });
  });

  it("refuses an unknown ref and an unknown stack with one line and exit code 2", () => {
    expect(runCli(["--base", "no-such-ref-xyz"], worktree)).toEqual({
      code: 2,
      out: "",
      err: 'diff: unknown git ref "no-such-ref-xyz": no such commit in this repository (in CI, check out with fetch-depth: 0)',
    });
    expect(runCli(["--base", "HEAD", "--stack", "qa"], worktree)).toEqual({
      code: 2,
      out: "",
      err: 'diff: unknown stack "qa": no Pulumi.<stack>.yaml in the working tree or at HEAD; known stacks: dev, staging, prod',
    });
    expect(existsSync(join(worktree, "out"))).toBe(false);
  });

  it("refuses bad arguments with the usage and exit code 2; --help prints the usage", () => {
    const usage = "usage: npm run diff -- --base <git-ref> [--stack <name>]... | --all [--exit-code]";
    expect(runCli([], worktree)).toEqual({ code: 2, out: "", err: `diff: --base <git-ref> is required\n${usage}` });
    expect(runCli(["--base", "HEAD", "--all", "--stack", "dev"], worktree)).toEqual({ code: 2, out: "", err: `diff: give --all or --stack, not both\n${usage}` });
    expect(runCli(["--help"], worktree)).toEqual({ code: 0, out: usage, err: "" });
    expect(parseArgs(["--base=origin/main", "--stack", "dev", "--stack", "prod", "--exit-code"])).toEqual({ base: "origin/main", stacks: ["dev", "prod"], exitCode: true });
  });
});
