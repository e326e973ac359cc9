/**
 * Renders semantic stack diffs as Markdown for a pull-request comment: warnings first
 * (paging in prod, replaced or deleted dashboards and folders), one summary line per stack,
 * then the details of every stack that changed. Pure: diffs in, text out.
 */
import {
  AlertChange,
  AlertSummary,
  Change,
  ContactPointSummary,
  DashboardDiff,
  GridPos,
  Integration,
  PanelChange,
  PanelSummary,
  PromRuleRef,
  QueryChange,
  Reach,
  ReachChange,
  StackDiff,
  ValueChange,
  folderUidChange,
  orgChange,
  hasChanges,
  pagingChanged,
  summaryCounts,
} from "./semantic";
import { code, diffBlock, plural, quoted } from "./text";

/** The stack whose paging changes get the loud warning. */
export const PAGING_WARNING_STACK = "prod";

/** The summary line of a stack, e.g. `prod: 2 panels changed, 1 alert changed, 1 alert now pages, 0 alerts stop paging, 0 removed`. */
export function summaryLine(d: StackDiff): string {
  const label = d.status === "new" ? `${d.stack} (new stack)` : d.status === "removed" ? `${d.stack} (stack removed)` : d.stack;
  if (!hasChanges(d)) return `${label}: no changes`;
  const c = summaryCounts(d);
  const parts = [
    `${plural(c.panels, "panel")} changed`,
    `${plural(c.alerts, "alert")} changed`,
    `${plural(c.nowPage, "alert")} ${c.nowPage === 1 ? "now pages" : "now page"}`,
    `${plural(c.stopPaging, "alert")} ${c.stopPaging === 1 ? "stops paging" : "stop paging"}`,
    `${c.removed} removed`,
  ];
  if (c.prometheusRules) parts.push(`${plural(c.prometheusRules, "PrometheusRule rule")} changed`);
  if (c.contactPoints) parts.push(`${plural(c.contactPoints, "contact point")} changed`);
  if (c.replaced) parts.push(`${c.replaced} REPLACED (hand-made content lost)`);
  if (c.other) parts.push(plural(c.other, "other change"));
  return `${label}: ${parts.join(", ")}`;
}

/** The whole report: a heading naming the base, warnings, a summary line per stack, then details. */
export function renderReport(baseLabel: string, diffs: readonly StackDiff[]): string {
  const blocks: string[] = [`## Semantic diff against ${code(baseLabel)}`];
  for (const d of diffs) {
    const warning = pagingWarning(d);
    if (warning) blocks.push(warning);
  }
  for (const d of diffs) {
    const caution = replacementCaution(d);
    if (caution) blocks.push(caution);
  }
  blocks.push(diffs.length ? diffs.map((d) => `- ${boldStack(summaryLine(d))}`).join("\n") : "No stacks to compare.");
  for (const d of diffs) if (hasChanges(d)) blocks.push(...stackSection(d));
  return `${blocks.join("\n\n")}\n`;
}

/** The details of one stack, as Markdown blocks (empty when nothing changed). */
export function stackSection(d: StackDiff): string[] {
  if (!hasChanges(d)) return [];
  const blocks = [`### ${d.stack}`];
  blocks.push(...section("Dashboards", dashboardsSection(d)));
  blocks.push(...section("Alerts (Grafana)", alertsSection(d)));
  blocks.push(...section("Paging", pagingSection(d)));
  blocks.push(...section("PrometheusRule", prometheusSection(d)));
  blocks.push(...section("Other files", d.otherFiles.length ? [d.otherFiles.map((f) => `- ${code(f.path)}: ${f.status}`).join("\n")] : []));
  return blocks;
}

/** The WARNING block when paging changes in prod; undefined otherwise. */
export function pagingWarning(d: StackDiff): string | undefined {
  if (d.stack !== PAGING_WARNING_STACK || !pagingChanged(d)) return undefined;
  const p = d.paging;
  const items = [
    ...p.contactPointsAdded.map((cp) => `contact point ${code(cp.name)} created (${contactPointText(cp)})`),
    ...p.contactPointsRemoved.map((cp) => `contact point ${code(cp.name)} removed (${contactPointText(cp)})`),
    ...p.contactPointsChanged.map((cp) => `contact point ${code(cp.name)} changed`),
    ...p.muteTimingsAdded.map((n) => `mute timing ${code(n)} added`),
    ...p.muteTimingsRemoved.map((n) => `mute timing ${code(n)} removed`),
    ...p.muteTimingsChanged.map((m) => `mute timing ${code(m.name)} changed`),
    ...(p.policy ? [policyText(p.policy.status)] : []),
    ...p.routes.map((r) => `${code(r.alert)}: ${reachVerdict(r)}`),
  ];
  return [
    "> [!WARNING]",
    `> **Paging changes in ${d.stack}.** After this is merged and deployed, these reach different people:`,
    ...items.map((i) => `> - ${i}`),
    ">",
    "> Get an ack from the prod on-call before merging (README, \"For reviewers\").",
  ].join("\n");
}

/** The CAUTION block when Grafana would replace or delete a dashboard or the folder; undefined otherwise. */
export function replacementCaution(d: StackDiff): string | undefined {
  const items: string[] = [];
  const org = orgChange(d);
  if (org) items.push(`Grafana org ${code(org.before)} → ${code(org.after)}: the folder, every dashboard, rule group, contact point and mute timing of the stack are **replaced** (created in org ${org.after}, deleted from org ${org.before})`);
  const folder = folderUidChange(d);
  if (folder) items.push(`folder ${quoted(d.folder.after?.title ?? "")}: uid ${code(folder.before)} → ${code(folder.after)}: **replaced**`);
  if (d.folder.before && !d.folder.after) items.push(`folder ${quoted(d.folder.before.title ?? "")} (${code(d.folder.before.uid)}): **deleted**`);
  for (const x of d.dashboards) {
    if (x.uidChange) items.push(`dashboard ${quoted(x.title)}: uid ${code(x.uidChange.before)} → ${code(x.uidChange.after)}: **replaced**`);
    if (x.status === "removed") items.push(`dashboard ${quoted(x.title)} (${code(x.uid)}): **deleted**`);
  }
  if (d.paging.policy?.status === "owned") items.push("the org's notification policy tree: **replaced whole** by the stack's (routes others made by hand are lost)");
  if (!items.length) return undefined;
  return [
    "> [!CAUTION]",
    `> **${d.stack}: Grafana would replace or delete these, losing hand-made edits, version history and links to them:**`,
    ...items.map((i) => `> - ${i}`),
  ].join("\n");
}

// ---------------------------------------------------------------- sections

function section(title: string, body: readonly string[]): string[] {
  return body.length ? [`#### ${title}`, ...body] : [];
}

function boldStack(line: string): string {
  const i = line.indexOf(":");
  return `**${line.slice(0, i)}**${line.slice(i)}`;
}

function valueLine(prefix: string, c: ValueChange): string {
  if (c.before === undefined) return `${prefix} ${code(c.key)} added: ${code(c.after ?? "")}`;
  if (c.after === undefined) return `${prefix} ${code(c.key)} removed (was ${code(c.before)})`;
  return `${prefix} ${code(c.key)}: ${code(c.before)} → ${code(c.after)}`;
}

function changeLine<T>(label: string, c: Change<T> | undefined, show: (v: T) => string = (v) => code(String(v))): string[] {
  return c ? [`${label}: ${show(c.before)} → ${show(c.after)}`] : [];
}

const optional = (v: string | undefined) => (v === undefined ? "(none)" : code(v));

function queryVerb(q: QueryChange): string {
  return q.before === undefined ? "added" : q.after === undefined ? "removed" : "changed";
}

/** One query's caption and diff block. */
function queryBlock(caption: string, q: QueryChange): string {
  return `${caption}, query ${code(q.refId)} ${queryVerb(q)}:\n\n${diffBlock(q.before, q.after)}`;
}

// ---------------------------------------------------------------- dashboards

const gridText = (g: GridPos | undefined) => (g ? `x=${g.x} y=${g.y} w=${g.w} h=${g.h}` : "(no position)");
const panelLabel = (p: PanelSummary) => `#${p.id} ${quoted(p.title)}`;

function dashboardsSection(d: StackDiff): string[] {
  const out: string[] = [];
  const { before, after } = d.folder;
  const folderLines: string[] = [];
  if (!before && after) folderLines.push(`- Folder created: ${quoted(after.title ?? "")} (${code(after.uid)})`);
  if (before && !after) folderLines.push(`- Folder removed: ${quoted(before.title ?? "")} (${code(before.uid)})`);
  if (before && after) {
    folderLines.push(...changeLine("- Folder uid", folderUidChange(d)).map((l) => `${l} (**replaced**)`));
    folderLines.push(...changeLine("- Grafana org", orgChange(d)).map((l) => `${l} (**everything replaced**)`));
    if (before.title !== after.title) folderLines.push(`- Folder title: ${quoted(before.title ?? "")} → ${quoted(after.title ?? "")}`);
  }
  const wholeDashboards = d.dashboards
    .filter((x) => x.status !== "changed")
    .map((x) => `- Dashboard ${x.status}: ${quoted(x.title)} (${code(x.uid)}, ${plural(x.status === "added" ? x.panelsAdded.length : x.panelsRemoved.length, "panel")})`);
  if (folderLines.length || wholeDashboards.length) out.push([...folderLines, ...wholeDashboards].join("\n"));
  for (const x of d.dashboards.filter((y) => y.status === "changed")) out.push(...dashboardBlocks(x));
  return out;
}

function dashboardBlocks(x: DashboardDiff): string[] {
  const lines: string[] = [];
  if (x.uidChange) lines.push(`- uid: ${code(x.uidChange.before)} → ${code(x.uidChange.after)} (**replaced**: Grafana deletes the old dashboard and creates a new one)`);
  if (x.titleChange) lines.push(`- title: ${quoted(x.titleChange.before)} → ${quoted(x.titleChange.after)}`);
  if (x.settings.length) lines.push(`- dashboard settings changed: ${x.settings.map(code).join(", ")}`);
  for (const p of x.panelsAdded) lines.push(`- Panel added: ${panelLabel(p)} (${p.type}) at ${gridText(p.gridPos)}`);
  for (const p of x.panelsRemoved) lines.push(`- Panel removed: ${panelLabel(p)} (${p.type})`);
  const queries: string[] = [];
  for (const c of x.panelsChanged) {
    const onlyMoved = c.moved && !c.titleChange && !c.typeChange && !c.unit && !c.thresholds && !c.queries.length && !c.other.length;
    if (onlyMoved && c.moved) {
      lines.push(`- Panel moved: ${panelLabel(c.panel)}: ${gridText(c.moved.before)} → ${gridText(c.moved.after)}`);
      continue;
    }
    lines.push(`- Panel changed: ${panelLabel(c.panel)}`, ...panelChangeLines(c).map((l) => `  - ${l}`));
    for (const q of c.queries) queries.push(queryBlock(`Panel ${panelLabel(c.panel)}`, q));
  }
  return [`**${x.title.replace(/([\\`*_[\]<>|])/g, "\\$1")}** (${code(x.uid)})`, lines.join("\n"), ...queries];
}

function panelChangeLines(c: PanelChange): string[] {
  return [
    ...changeLine("title", c.titleChange, quoted),
    ...changeLine("type", c.typeChange),
    ...changeLine("moved", c.moved, gridText),
    ...changeLine("unit", c.unit, optional),
    ...changeLine("thresholds", c.thresholds, optional),
    ...c.queries.map((q) => `query ${code(q.refId)} ${queryVerb(q)} (diff below)`),
    ...(c.other.length ? [`other settings changed: ${c.other.map(code).join(", ")}`] : []),
  ];
}

// ---------------------------------------------------------------- alerts

function alertText(a: AlertSummary): string {
  const state = a.paused ? `paused: ${a.gatedReason ?? "no reason given"}` : "active";
  return `${code(a.name)} (group ${code(a.group)}, ${a.severity ?? "no severity"}, for ${a.for}, ${state})`;
}

function alertsSection(d: StackDiff): string[] {
  const a = d.alerts;
  const lines = [
    ...a.added.map((x) => `- Alert added: ${alertText(x)}`),
    ...a.removed.map((x) => `- Alert removed: ${alertText(x)}`),
    ...a.groups.flatMap((g) => [`- Rule group ${code(g.name)} changed:`, ...g.changes.map((c) => valueLine("  -", c))]),
  ];
  const queries: string[] = [];
  for (const c of a.changed) {
    lines.push(`- Alert changed: ${code(c.alert.name)} (group ${code(c.alert.group)})`, ...alertChangeLines(c).map((l) => `  - ${l}`));
    for (const q of c.queries) queries.push(queryBlock(`Alert ${code(c.alert.name)}`, q));
  }
  return lines.length ? [lines.join("\n"), ...queries] : [];
}

function alertChangeLines(c: AlertChange): string[] {
  const pause = c.pause
    ? [c.pause.now === "paused" ? `now **paused**: ${c.pause.reason ?? "no reason given"}` : `now **active** (was paused: ${c.pause.reason ?? "no reason given"})`]
    : [];
  return [
    ...pause,
    ...changeLine("gated reason", c.gatedReason, optional),
    ...changeLine("group", c.group),
    ...changeLine("uid", c.uid).map((l) => `${l} (Grafana replaces the rule; its state history restarts)`),
    ...changeLine("for", c.for),
    ...changeLine("severity", c.severity, optional),
    ...c.queries.map((q) => `query ${code(q.refId)} ${queryVerb(q)} (diff below)`),
    ...c.labels.map((l) => valueLine("label", l)),
    ...c.annotations.map((l) => valueLine("annotation", l)),
    ...c.other.map((l) => valueLine("setting", l)),
  ];
}

// ---------------------------------------------------------------- paging

const INTEGRATION_NAMES: Record<Integration, string> = { pagerduty: "PagerDuty", slack: "Slack" };
const integrationsText = (list: readonly Integration[]) => (list.length ? list.map((i) => INTEGRATION_NAMES[i]).join(" + ") : "no integration");

function contactPointText(cp: ContactPointSummary): string {
  return cp.integrations.map((i) => (i === "slack" && cp.slackChannel ? `Slack ${code(cp.slackChannel)}` : INTEGRATION_NAMES[i])).join(" + ") || "no integration";
}

function reachText(r: Reach): string {
  switch (r.kind) {
    case "absent":
      return "no such alert";
    case "paused":
      return "nothing (paused)";
    case "default":
      return "the org's default notification policy";
    case "contactPoint":
      return `${code(r.contactPoint ?? "")} (${integrationsText(r.integrations)})`;
  }
}

/** What a route change means for people: now pages, newly reaches Slack, stops paging... */
function reachVerdict(r: ReachChange): string {
  const parts = (["pagerduty", "slack"] as const).flatMap((i) => {
    if (r.gained.includes(i)) return [i === "pagerduty" ? "**now pages** (PagerDuty)" : `newly reaches ${INTEGRATION_NAMES[i]}`];
    if (r.lost.includes(i)) return [i === "pagerduty" ? "**stops paging** (PagerDuty)" : `stops reaching ${INTEGRATION_NAMES[i]}`];
    return [];
  });
  return `${parts.length ? parts.join(", ") : "route changes"}: ${reachText(r.before)} → ${reachText(r.after)}`;
}

function policyText(status: "owned" | "released" | "changed"): string {
  if (status === "owned") return "Notification policy tree: **now owned by this stack**, which replaces the org's whole tree";
  if (status === "released") return "Notification policy tree: no longer managed by this stack";
  return "Notification policy tree changed";
}

function pagingSection(d: StackDiff): string[] {
  const p = d.paging;
  const lines = [
    ...p.contactPointsAdded.map((cp) => `- Contact point created: ${code(cp.name)} (${contactPointText(cp)})`),
    ...p.contactPointsRemoved.map((cp) => `- Contact point removed: ${code(cp.name)} (${contactPointText(cp)})`),
    ...p.contactPointsChanged.flatMap((cp) => [`- Contact point changed: ${code(cp.name)}`, ...cp.changes.map((c) => valueLine("  -", c))]),
    ...(p.messageTemplate ? [`- Message template ${p.messageTemplate.status}: ${code(p.messageTemplate.name)}`] : []),
    ...p.muteTimingsAdded.map((n) => `- Mute timing added: ${code(n)}`),
    ...p.muteTimingsRemoved.map((n) => `- Mute timing removed: ${code(n)}`),
    ...p.muteTimingsChanged.flatMap((m) => [`- Mute timing changed: ${code(m.name)}`, ...m.changes.map((c) => valueLine("  -", c))]),
    ...(p.policy ? [`- ${policyText(p.policy.status)}`, ...p.policy.changes.map((c) => valueLine("  -", c))] : []),
    ...p.routes.map((r) => `- ${code(r.alert)}${r.severity ? ` (${r.severity})` : ""}: ${reachVerdict(r)}`),
  ];
  return lines.length ? [lines.join("\n")] : [];
}

// ---------------------------------------------------------------- PrometheusRule

const ruleText = (r: PromRuleRef) => `${r.kind} ${code(r.name)} in ${code(r.group)}`;

function prometheusSection(d: StackDiff): string[] {
  const p = d.prometheusRule;
  if (p.object) {
    const verb = p.object.status === "added" ? "created" : "deleted";
    return [`- PrometheusRule ${verb}: ${code(p.object.name)} (${plural(p.object.groups, "group")}, ${plural(p.object.rules, "rule")})`];
  }
  const lines = [
    ...changeLine("- PrometheusRule renamed", p.replaced).map((l) => `${l} (**replaced**: Kubernetes deletes the old object and creates the new one)`),
    ...p.labels.map((l) => valueLine("- object label", l)),
    ...p.groupsAdded.map((g) => `- Group added: ${code(g.name)} (${plural(g.rules, "rule")})`),
    ...p.groupsRemoved.map((g) => `- Group removed: ${code(g.name)} (${plural(g.rules, "rule")})`),
    ...p.groupsChanged.flatMap((g) => [`- Group changed: ${code(g.name)}`, ...g.changes.map((c) => valueLine("  -", c))]),
    ...p.rulesAdded.map((r) => `- Rule added: ${ruleText(r)}`),
    ...p.rulesRemoved.map((r) => `- Rule removed: ${ruleText(r)}`),
  ];
  const exprs: string[] = [];
  for (const c of p.rulesChanged) {
    const sub = [
      ...(c.expr ? ["expr changed (diff below)"] : []),
      ...changeLine("for", c.for, optional),
      ...c.labels.map((l) => valueLine("label", l)),
      ...c.annotations.map((l) => valueLine("annotation", l)),
      ...c.other.map((l) => valueLine("setting", l)),
    ];
    lines.push(`- Rule changed: ${ruleText(c.rule)}`, ...sub.map((l) => `  - ${l}`));
    if (c.expr) exprs.push(`Rule ${ruleText(c.rule)}, expr:\n\n${diffBlock(c.expr.before, c.expr.after)}`);
  }
  return lines.length ? [lines.join("\n"), ...exprs] : [];
}
