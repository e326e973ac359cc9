/**
 * The semantic diff of one stack: two rendered file maps (`out/<stack>/`, path -> content) in,
 * a structured diff out. Pure: no file system, no git. It reads only the files synth writes,
 * so it compares what Grafana and Kubernetes would receive, not how the TypeScript changed.
 */
import { parse as parseYaml } from "yaml";
import { OUT_FILES } from "../synth/render";

/** A rendered stack: file path under `out/<stack>/` -> file content. */
export type FileMap = ReadonlyMap<string, string>;

/** A value before and after. */
export interface Change<T> {
  readonly before: T;
  readonly after: T;
}

/** One changed leaf (label, annotation, setting), as display text; undefined = absent on that side. */
export interface ValueChange {
  readonly key: string;
  readonly before?: string;
  readonly after?: string;
}

/** A query (PromQL or Grafana expression) of one refId; undefined = the query is absent on that side. */
export interface QueryChange {
  readonly refId: string;
  readonly before?: string;
  readonly after?: string;
}

/** A panel's place on the dashboard grid. */
export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Identity of a panel. */
export interface PanelSummary {
  readonly id: string;
  readonly title: string;
  readonly type: string;
  readonly gridPos?: GridPos;
}

/** What changed in a panel present on both sides (title shown is the new one). */
export interface PanelChange {
  readonly panel: PanelSummary;
  readonly titleChange?: Change<string>;
  readonly typeChange?: Change<string>;
  readonly moved?: Change<GridPos | undefined>;
  readonly unit?: Change<string | undefined>;
  readonly thresholds?: Change<string | undefined>;
  readonly queries: readonly QueryChange[];
  /** Paths of other changed settings (description, options, legend...). */
  readonly other: readonly string[];
}

/** One dashboard file: added, removed, or present on both sides with changes. */
export interface DashboardDiff {
  readonly file: string;
  readonly status: "added" | "removed" | "changed";
  /** Title on the new side (the old one when removed). */
  readonly title: string;
  /** Uid on the new side (the old one when removed). */
  readonly uid: string;
  /** The uid changed: Grafana deletes the old dashboard and creates a new one. */
  readonly uidChange?: Change<string>;
  readonly titleChange?: Change<string>;
  /** Paths of changed dashboard-level settings (templating, links, time...). */
  readonly settings: readonly string[];
  /** Panels added (every panel of an added dashboard). */
  readonly panelsAdded: readonly PanelSummary[];
  /** Panels removed (every panel of a removed dashboard). */
  readonly panelsRemoved: readonly PanelSummary[];
  readonly panelsChanged: readonly PanelChange[];
}

/** The Grafana folder of a stack. */
export interface FolderInfo {
  readonly uid: string;
  readonly title?: string;
  /** Grafana organisation; a change moves (replaces) everything the stack made. */
  readonly orgId?: string;
}

/** An alert rule as listed when added or removed. */
export interface AlertSummary {
  readonly name: string;
  readonly group: string;
  readonly severity?: string;
  readonly for: string;
  readonly paused: boolean;
  readonly gatedReason?: string;
}

/** Pause state flipped: `paused` carries the new gated reason, `active` the old one. */
export interface PauseChange {
  readonly now: "paused" | "active";
  readonly reason?: string;
}

/** What changed in a Grafana alert rule present on both sides. */
export interface AlertChange {
  readonly alert: AlertSummary;
  readonly pause?: PauseChange;
  /** Still paused, for another reason. */
  readonly gatedReason?: Change<string | undefined>;
  readonly group?: Change<string>;
  readonly uid?: Change<string>;
  readonly for?: Change<string>;
  readonly severity?: Change<string | undefined>;
  readonly queries: readonly QueryChange[];
  readonly labels: readonly ValueChange[];
  readonly annotations: readonly ValueChange[];
  /** Everything else Grafana receives (condition, states, notification timing, query settings). */
  readonly other: readonly ValueChange[];
}

/** Grafana-managed alerts of a stack. */
export interface AlertsDiff {
  readonly added: readonly AlertSummary[];
  readonly removed: readonly AlertSummary[];
  readonly changed: readonly AlertChange[];
  readonly groups: readonly NamedChanges[];
}

/** A notification integration. */
export type Integration = "pagerduty" | "slack";

/** Where a firing alert goes. */
export interface Reach {
  /** absent: no such alert; paused: never fires; default: the org's default policy; contactPoint: a stack contact point. */
  readonly kind: "absent" | "paused" | "default" | "contactPoint";
  readonly contactPoint?: string;
  readonly integrations: readonly Integration[];
}

/** An alert whose destination changed. */
export interface ReachChange {
  readonly alert: string;
  readonly severity?: string;
  readonly before: Reach;
  readonly after: Reach;
  readonly gained: readonly Integration[];
  readonly lost: readonly Integration[];
}

/** A contact point as listed when created or removed. */
export interface ContactPointSummary {
  readonly name: string;
  readonly integrations: readonly Integration[];
  readonly slackChannel?: string;
}

/** Something named whose settings changed. */
export interface NamedChanges {
  readonly name: string;
  readonly changes: readonly ValueChange[];
}

/** Contact points, message template, mute timings, the org policy tree and routes of a stack. */
export interface PagingDiff {
  readonly contactPointsAdded: readonly ContactPointSummary[];
  readonly contactPointsRemoved: readonly ContactPointSummary[];
  readonly contactPointsChanged: readonly NamedChanges[];
  readonly messageTemplate?: { readonly name: string; readonly status: "added" | "removed" | "changed" };
  readonly muteTimingsAdded: readonly string[];
  readonly muteTimingsRemoved: readonly string[];
  readonly muteTimingsChanged: readonly NamedChanges[];
  /** The org's notification policy tree: the stack starts owning it (replacing it whole), stops, or changes it. */
  readonly policy?: { readonly status: "owned" | "released" | "changed"; readonly changes: readonly ValueChange[] };
  readonly routes: readonly ReachChange[];
}

/** Identity of a rule in a PrometheusRule group. */
export interface PromRuleRef {
  readonly group: string;
  readonly kind: "alert" | "record";
  readonly name: string;
}

/** What changed in a PrometheusRule rule present on both sides. */
export interface PromRuleChange {
  readonly rule: PromRuleRef;
  readonly expr?: Change<string | undefined>;
  readonly for?: Change<string | undefined>;
  readonly labels: readonly ValueChange[];
  readonly annotations: readonly ValueChange[];
  readonly other: readonly ValueChange[];
}

/** The Kubernetes PrometheusRule object of a stack. */
export interface PrometheusRuleDiff {
  /** The whole object appears or goes away (kubernetes.enabled, new or removed stack). */
  readonly object?: { readonly status: "added" | "removed"; readonly name: string; readonly groups: number; readonly rules: number };
  /** `namespace/name` changed: Kubernetes deletes the old object and creates a new one. */
  readonly replaced?: Change<string>;
  readonly labels: readonly ValueChange[];
  readonly groupsAdded: ReadonlyArray<{ readonly name: string; readonly rules: number }>;
  readonly groupsRemoved: ReadonlyArray<{ readonly name: string; readonly rules: number }>;
  readonly groupsChanged: readonly NamedChanges[];
  readonly rulesAdded: readonly PromRuleRef[];
  readonly rulesRemoved: readonly PromRuleRef[];
  readonly rulesChanged: readonly PromRuleChange[];
}

/** A rendered file outside what the semantic diff understands. */
export interface OtherFileChange {
  readonly path: string;
  readonly status: "added" | "removed" | "changed";
}

/** The semantic diff of one stack. */
export interface StackDiff {
  readonly stack: string;
  /** new: the stack does not exist at the base; removed: it is gone from the working tree. */
  readonly status: "new" | "removed" | "both";
  readonly folder: { readonly before?: FolderInfo; readonly after?: FolderInfo };
  readonly dashboards: readonly DashboardDiff[];
  readonly alerts: AlertsDiff;
  readonly paging: PagingDiff;
  readonly prometheusRule: PrometheusRuleDiff;
  readonly otherFiles: readonly OtherFileChange[];
}

/** Counts of the summary line. */
export interface SummaryCounts {
  readonly panels: number;
  readonly alerts: number;
  readonly nowPage: number;
  readonly stopPaging: number;
  readonly removed: number;
  readonly prometheusRules: number;
  readonly contactPoints: number;
  readonly replaced: number;
  readonly other: number;
}

/** A rendered file that cannot be read (invalid JSON or YAML). */
export class RenderedFileError extends Error {}

/** Files derived from the same model as the others, so not compared (plan.md is read for the folder only). */
const DERIVED_FILES: readonly string[] = [OUT_FILES.ruleFile, OUT_FILES.plan];

/** Computes the semantic diff of one stack; `undefined` means the stack does not exist on that side. */
export function diffStack(stack: string, base: FileMap | undefined, head: FileMap | undefined): StackDiff {
  const a = base ?? new Map<string, string>();
  const b = head ?? new Map<string, string>();
  const before = readSide(a);
  const after = readSide(b);
  return {
    stack,
    status: base === undefined && head !== undefined ? "new" : head === undefined && base !== undefined ? "removed" : "both",
    folder: sameFolder(before.folder, after.folder) ? {} : { before: before.folder, after: after.folder },
    dashboards: diffDashboards(before.dashboards, after.dashboards),
    alerts: diffAlerts(before.groups, after.groups),
    paging: diffPaging(before, after),
    prometheusRule: diffPrometheusRule(before.prometheusRule, after.prometheusRule),
    otherFiles: diffOtherFiles(a, b),
  };
}

/** True when the diff holds any change. */
export function hasChanges(d: StackDiff): boolean {
  const c = summaryCounts(d);
  return d.status !== "both" || Object.values(c).some((n) => n > 0);
}

/** The numbers of the summary line. */
export function summaryCounts(d: StackDiff): SummaryCounts {
  const kept = d.dashboards.filter((x) => x.status === "changed");
  const p = d.prometheusRule;
  const folderChanged = d.folder.before !== undefined || d.folder.after !== undefined;
  return {
    panels: d.dashboards.reduce((n, x) => n + x.panelsAdded.length + x.panelsRemoved.length + x.panelsChanged.length, 0),
    alerts: d.alerts.added.length + d.alerts.removed.length + d.alerts.changed.length,
    nowPage: d.paging.routes.filter((r) => r.gained.includes("pagerduty")).length,
    stopPaging: d.paging.routes.filter((r) => r.lost.includes("pagerduty")).length,
    removed:
      d.dashboards.filter((x) => x.status === "removed").length +
      kept.reduce((n, x) => n + x.panelsRemoved.length, 0) +
      d.alerts.removed.length +
      d.paging.contactPointsRemoved.length +
      p.rulesRemoved.length +
      (d.folder.before && !d.folder.after ? 1 : 0),
    prometheusRules: p.rulesAdded.length + p.rulesRemoved.length + p.rulesChanged.length,
    contactPoints: d.paging.contactPointsAdded.length + d.paging.contactPointsRemoved.length + d.paging.contactPointsChanged.length,
    replaced: d.dashboards.filter((x) => x.uidChange).length + (folderUidChange(d) ? 1 : 0) + (orgChange(d) ? 1 : 0) + (p.replaced ? 1 : 0) + (d.paging.policy?.status === "owned" ? 1 : 0),
    other:
      d.dashboards.filter((x) => x.status !== "changed" || x.titleChange || x.settings.length > 0).length +
      (folderChanged && !folderUidChange(d) && !orgChange(d) ? 1 : 0) +
      d.alerts.groups.length +
      (d.paging.messageTemplate ? 1 : 0) +
      d.paging.muteTimingsAdded.length +
      d.paging.muteTimingsRemoved.length +
      d.paging.muteTimingsChanged.length +
      (d.paging.policy && d.paging.policy.status !== "owned" ? 1 : 0) +
      // a PrometheusRule created or deleted whole is one change, not one per group
      (p.object ? 1 : p.groupsAdded.length + p.groupsRemoved.length) +
      (p.labels.length ? 1 : 0) +
      p.groupsChanged.length +
      d.otherFiles.length,
  };
}

/** The Grafana org changed: the provider replaces every resource of the stack (org_id forces a new resource). */
export function orgChange(d: StackDiff): Change<string> | undefined {
  const { before, after } = d.folder;
  return before?.orgId && after?.orgId && before.orgId !== after.orgId ? { before: before.orgId, after: after.orgId } : undefined;
}

/** The folder uid changed between two existing folders. */
export function folderUidChange(d: StackDiff): Change<string> | undefined {
  const { before, after } = d.folder;
  return before && after && before.uid !== after.uid ? { before: before.uid, after: after.uid } : undefined;
}

/** True when paging changes: contact points, mute timings, the policy tree, or where any alert goes. */
export function pagingChanged(d: StackDiff): boolean {
  const p = d.paging;
  const counts = [p.routes, p.contactPointsAdded, p.contactPointsRemoved, p.contactPointsChanged, p.muteTimingsAdded, p.muteTimingsRemoved, p.muteTimingsChanged];
  return p.policy !== undefined || counts.some((list) => list.length > 0);
}

// ---------------------------------------------------------------- reading rendered files

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strMap = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, display(x)]));

/** Display text of a leaf: strings as they are, everything else as JSON. */
function display(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v) ?? "undefined";
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RenderedFileError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

function parseYamlFile(path: string, text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (e) {
    throw new RenderedFileError(`${path}: not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
}

interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: ReadonlyMap<string, Obj>;
  readonly rest: Obj;
}

interface GrafanaRule {
  readonly name: string;
  readonly group: string;
  readonly uid: string;
  readonly for: string;
  readonly paused: boolean;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly queries: ReadonlyMap<string, string | undefined>;
  readonly contactPoint?: string;
  /** Notification timing (group wait, mute timings...), when the rule routes to a contact point. */
  readonly timing?: ReadonlyMap<string, string>;
  /** Everything else, flattened. */
  readonly rest: ReadonlyMap<string, string>;
}

interface GrafanaGroup {
  readonly name: string;
  readonly settings: ReadonlyMap<string, string>;
  readonly rules: readonly GrafanaRule[];
}

interface Route {
  readonly alert: string;
  readonly severity?: string;
  readonly contactPoint?: string;
  readonly integrations: readonly Integration[];
  readonly paused: boolean;
}

interface PromRule {
  readonly ref: PromRuleRef;
  readonly expr?: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly rest: ReadonlyMap<string, string>;
}

interface PromGroup {
  readonly name: string;
  readonly settings: ReadonlyMap<string, string>;
  readonly rules: readonly PromRule[];
}

interface PromObject {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly groups: readonly PromGroup[];
}

interface Side {
  readonly folder?: FolderInfo;
  readonly dashboards: ReadonlyMap<string, Dashboard>;
  readonly groups: readonly GrafanaGroup[];
  readonly contactPoints: ReadonlyMap<string, Obj>;
  readonly messageTemplate?: { readonly name: string; readonly text: string };
  readonly muteTimings: ReadonlyMap<string, Obj>;
  /** The org policy tree, when the stack owns it. */
  readonly policy?: Obj;
  readonly routes: ReadonlyMap<string, Route>;
  readonly prometheusRule?: PromObject;
}

function readSide(files: FileMap): Side {
  const dashboards = new Map<string, Dashboard>();
  for (const [path, text] of files) if (isDashboardFile(path)) dashboards.set(path, readDashboard(obj(parseJson(path, text))));
  const groupsText = files.get(OUT_FILES.ruleGroups);
  const groups = groupsText === undefined ? [] : arr(parseJson(OUT_FILES.ruleGroups, groupsText)).map(readGrafanaGroup);
  const cpText = files.get(OUT_FILES.contactPoints);
  const cpDoc = cpText === undefined ? {} : obj(parseJson(OUT_FILES.contactPoints, cpText));
  const contactPoints = new Map(arr(cpDoc.contactPoints).map((c) => [str(obj(c).name) ?? "", obj(c)] as const));
  const tmpl = obj(cpDoc.messageTemplate);
  const routes = new Map(arr(cpDoc.routes).map((r) => readRoute(obj(r))).map((r) => [r.alert, r] as const));
  const promText = files.get(OUT_FILES.prometheusRule);
  return {
    folder: readFolder(files.get(OUT_FILES.plan), groups),
    dashboards,
    groups,
    contactPoints,
    messageTemplate: isObj(cpDoc.messageTemplate) ? { name: str(tmpl.name) ?? "", text: display(tmpl.template ?? "") } : undefined,
    muteTimings: new Map(arr(cpDoc.muteTimings).map((m) => [str(obj(m).name) ?? "", obj(m)] as const)),
    policy: isObj(cpDoc.notificationPolicy) ? cpDoc.notificationPolicy : undefined,
    routes,
    prometheusRule: promText === undefined ? undefined : readPromObject(obj(parseYamlFile(OUT_FILES.prometheusRule, promText))),
  };
}

function isDashboardFile(path: string): boolean {
  return path.startsWith("dashboards/") && path.endsWith(".json");
}

function readFolder(plan: string | undefined, groups: readonly GrafanaGroup[]): FolderInfo | undefined {
  const m = plan === undefined ? null : /Grafana folder "(.*)" \(uid ([^)\s]+)\)(?:, org (\d+))?/.exec(plan);
  if (m) return { uid: m[2], title: m[1], ...(m[3] ? { orgId: m[3] } : {}) };
  const uid = groups.map((g) => g.settings.get("folderUid")).find((u) => u !== undefined);
  return uid === undefined ? undefined : { uid };
}

function sameFolder(a: FolderInfo | undefined, b: FolderInfo | undefined): boolean {
  return a?.uid === b?.uid && a?.title === b?.title && a?.orgId === b?.orgId;
}

/** Panels by id (collapsed rows' panels included), the rest of the dashboard as settings. */
function readDashboard(d: Obj): Dashboard {
  const panels = new Map<string, Obj>();
  const add = (p: Obj) => {
    const key = p.id === undefined ? `title:${str(p.title) ?? ""}` : display(p.id);
    const { panels: nested, ...own } = p;
    panels.set(key, own);
    for (const child of arr(nested)) add(obj(child));
  };
  for (const p of arr(d.panels)) add(obj(p));
  const { uid, title, panels: _panels, id: _id, version: _version, ...rest } = d;
  const templating = obj(rest.templating);
  return {
    uid: display(uid ?? ""),
    title: display(title ?? ""),
    panels,
    rest: { ...rest, ...(isObj(rest.templating) ? { templating: { ...templating, list: keyedBy(arr(templating.list), "name") } } : {}) },
  };
}

function readGrafanaGroup(g: unknown): GrafanaGroup {
  const { name, rules, ...settings } = obj(g);
  const group = display(name ?? "");
  return { name: group, settings: flatten(settings), rules: arr(rules).map((r) => readGrafanaRule(obj(r), group)) };
}

function readGrafanaRule(r: Obj, group: string): GrafanaRule {
  const { name, uid, for: forDuration, isPaused, labels, annotations, datas, notificationSettings, ...others } = r;
  const queries = new Map<string, string | undefined>();
  const datasByRef = new Map<string, unknown>();
  arr(datas).forEach((q, i) => {
    const { model, refId, ...settings } = obj(q);
    const ref = str(refId) ?? `#${i + 1}`;
    const parsed = typeof model === "string" ? parseJson(`grafana/rule-groups.json ${display(name)} ${ref}`, model) : model;
    const { expr, expression, ...modelRest } = obj(parsed);
    queries.set(ref, str(expr) ?? str(expression));
    datasByRef.set(ref, { ...settings, model: modelRest });
  });
  const { contactPoint, ...timing } = obj(notificationSettings);
  return {
    name: display(name ?? ""),
    group,
    uid: display(uid ?? ""),
    for: display(forDuration ?? ""),
    paused: isPaused === true,
    labels: strMap(labels),
    annotations: strMap(annotations),
    queries,
    contactPoint: str(contactPoint),
    timing: isObj(notificationSettings) ? flatten(timing, "notificationSettings") : undefined,
    rest: flatten({ ...others, datas: datasByRef }),
  };
}

function readRoute(r: Obj): Route {
  return {
    alert: display(r.alert ?? ""),
    severity: str(r.severity),
    contactPoint: str(r.contactPoint),
    integrations: integrationList(arr(r.integrations).map(display)),
    paused: (str(r.heldBack) ?? "").startsWith("paused"),
  };
}

function readPromObject(o: Obj): PromObject {
  const meta = obj(o.metadata);
  return {
    name: `${display(meta.namespace ?? "")}/${display(meta.name ?? "")}`,
    labels: strMap(meta.labels),
    groups: arr(obj(o.spec).groups).map((g) => {
      const { name, rules, ...settings } = obj(g);
      const group = display(name ?? "");
      const seen = new Map<string, number>();
      return {
        name: group,
        settings: flatten(settings),
        rules: arr(rules).map((x): PromRule => {
          const { alert, record, expr, for: forDuration, labels, annotations, ...rest } = obj(x);
          const kind = alert !== undefined ? "alert" : "record";
          const base = display(alert ?? record ?? "");
          const n = (seen.get(`${kind} ${base}`) ?? 0) + 1;
          seen.set(`${kind} ${base}`, n);
          return {
            ref: { group, kind, name: n > 1 ? `${base} #${n}` : base },
            expr: expr === undefined ? undefined : display(expr).trimEnd(),
            for: forDuration === undefined ? undefined : display(forDuration),
            labels: strMap(labels),
            annotations: strMap(annotations),
            rest: flatten(rest),
          };
        }),
      };
    }),
  };
}

// ---------------------------------------------------------------- generic comparison

/** An array of objects keyed by one of their string fields (targets by refId, variables by name). */
function keyedBy(items: readonly unknown[], field: string): Map<string, unknown> {
  return new Map(items.map((item, i) => [str(obj(item)[field]) ?? `#${i + 1}`, item] as const));
}

/** Leaves of a value: `a.b[0].c` / `targets[A].legendFormat` -> display text. */
function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  const join = (key: string) => (prefix === "" ? key : `${prefix}.${key}`);
  if (value instanceof Map) {
    if (value.size === 0 && prefix !== "") out.set(prefix, "{}");
    for (const [k, v] of value) flatten(v, `${prefix}[${String(k)}]`, out);
  } else if (Array.isArray(value)) {
    if (value.length === 0 && prefix !== "") out.set(prefix, "[]");
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (isObj(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0 && prefix !== "") out.set(prefix, "{}");
    for (const k of keys) flatten(value[k], join(k), out);
  } else if (value !== undefined) out.set(prefix, display(value));
  return out;
}

/** Leaf-by-leaf changes of two flattened values, sorted by key. */
function mapDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ValueChange[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys.filter((k) => before.get(k) !== after.get(k)).map((k) => ({ key: k, before: before.get(k), after: after.get(k) }));
}

function recordDiff(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>, omit: readonly string[] = []): ValueChange[] {
  const strip = (r: Readonly<Record<string, string>>) => new Map(Object.entries(r).filter(([k]) => !omit.includes(k)));
  return mapDiff(strip(before), strip(after));
}

/** Changed paths, cut after `depth` named segments and deduplicated (`targets[A].legendFormat`). */
function changedPaths(before: unknown, after: unknown, depth = 3): string[] {
  const paths = mapDiff(flatten(before), flatten(after)).map((c) => {
    const tokens = c.key.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [c.key];
    let named = 0;
    let path = "";
    for (const t of tokens) {
      const isIndex = t.startsWith("[");
      if (!isIndex && ++named > depth) break;
      path += isIndex || path === "" ? t : `.${t}`;
    }
    return path;
  });
  return [...new Set(paths)];
}

function change<T>(before: T, after: T, same: (a: T, b: T) => boolean = (a, b) => a === b): Change<T> | undefined {
  return same(before, after) ? undefined : { before, after };
}

function queryChanges(before: ReadonlyMap<string, string | undefined>, after: ReadonlyMap<string, string | undefined>): QueryChange[] {
  const refs = [...new Set([...before.keys(), ...after.keys()])];
  return refs
    .filter((ref) => before.get(ref) !== after.get(ref))
    .map((ref) => ({ refId: ref, before: before.get(ref), after: after.get(ref) }));
}

function integrationList(names: readonly string[]): Integration[] {
  return (["pagerduty", "slack"] as const).filter((i) => names.includes(i));
}

// ---------------------------------------------------------------- dashboards

function panelSummary(key: string, p: Obj): PanelSummary {
  const g = obj(p.gridPos);
  const n = (v: unknown) => (typeof v === "number" ? v : 0);
  return {
    id: key,
    title: display(p.title ?? ""),
    type: display(p.type ?? ""),
    gridPos: isObj(p.gridPos) ? { x: n(g.x), y: n(g.y), w: n(g.w), h: n(g.h) } : undefined,
  };
}

function thresholdsText(t: unknown): string | undefined {
  if (!isObj(t)) return undefined;
  const steps = arr(t.steps).map((s) => {
    const step = obj(s);
    const color = display(step.color ?? "?");
    return step.value === null || step.value === undefined ? color : `${color} from ${display(step.value)}`;
  });
  const mode = str(t.mode);
  return `${mode !== undefined && mode !== "absolute" ? `${mode}: ` : ""}${steps.join(", ")}`;
}

/** The panel split into what the diff names (unit, thresholds, queries) and the rest. */
function panelParts(p: Obj): { unit?: string; thresholds?: string; queries: Map<string, string | undefined>; rest: Obj } {
  const { id: _id, title: _title, type: _type, gridPos: _gridPos, fieldConfig, targets, ...rest } = p;
  const fc = obj(fieldConfig);
  const { unit, thresholds, ...defaults } = obj(fc.defaults);
  const queries = new Map<string, string | undefined>();
  const targetRest = new Map<string, unknown>();
  for (const [ref, t] of keyedBy(arr(targets), "refId")) {
    const { expr, refId: _ref, ...others } = obj(t);
    queries.set(ref, str(expr));
    targetRest.set(ref, others);
  }
  return {
    unit: str(unit),
    thresholds: thresholdsText(thresholds),
    queries,
    rest: { ...rest, ...(isObj(fieldConfig) ? { fieldConfig: { ...fc, defaults } } : {}), targets: targetRest },
  };
}

function diffPanel(key: string, before: Obj, after: Obj): PanelChange | undefined {
  const a = panelSummary(key, before);
  const b = panelSummary(key, after);
  const pa = panelParts(before);
  const pb = panelParts(after);
  const samePos = (x: GridPos | undefined, y: GridPos | undefined) => x?.x === y?.x && x?.y === y?.y && x?.w === y?.w && x?.h === y?.h;
  const c: PanelChange = {
    panel: b,
    titleChange: change(a.title, b.title),
    typeChange: change(a.type, b.type),
    moved: change(a.gridPos, b.gridPos, samePos),
    unit: change(pa.unit, pb.unit),
    thresholds: change(pa.thresholds, pb.thresholds),
    queries: queryChanges(pa.queries, pb.queries),
    other: changedPaths(pa.rest, pb.rest),
  };
  const changed = c.titleChange || c.typeChange || c.moved || c.unit || c.thresholds || c.queries.length || c.other.length;
  return changed ? c : undefined;
}

function diffDashboards(before: ReadonlyMap<string, Dashboard>, after: ReadonlyMap<string, Dashboard>): DashboardDiff[] {
  const files = [...new Set([...after.keys(), ...before.keys()])].sort();
  const out: DashboardDiff[] = [];
  for (const file of files) {
    const a = before.get(file);
    const b = after.get(file);
    const panelsOf = (d: Dashboard) => [...d.panels].map(([k, p]) => panelSummary(k, p));
    if (!a && b) out.push({ file, status: "added", title: b.title, uid: b.uid, settings: [], panelsAdded: panelsOf(b), panelsRemoved: [], panelsChanged: [] });
    else if (a && !b) out.push({ file, status: "removed", title: a.title, uid: a.uid, settings: [], panelsAdded: [], panelsRemoved: panelsOf(a), panelsChanged: [] });
    else if (a && b) {
      const panelsAdded = [...b.panels].filter(([k]) => !a.panels.has(k)).map(([k, p]) => panelSummary(k, p));
      const panelsRemoved = [...a.panels].filter(([k]) => !b.panels.has(k)).map(([k, p]) => panelSummary(k, p));
      const panelsChanged = [...b.panels]
        .map(([k, p]) => {
          const old = a.panels.get(k);
          return old ? diffPanel(k, old, p) : undefined;
        })
        .filter((c): c is PanelChange => c !== undefined);
      const d: DashboardDiff = {
        file,
        status: "changed",
        title: b.title,
        uid: b.uid,
        uidChange: change(a.uid, b.uid),
        titleChange: change(a.title, b.title),
        settings: changedPaths(a.rest, b.rest),
        panelsAdded,
        panelsRemoved,
        panelsChanged,
      };
      if (d.uidChange || d.titleChange || d.settings.length || panelsAdded.length || panelsRemoved.length || panelsChanged.length) out.push(d);
    }
  }
  return out;
}

// ---------------------------------------------------------------- Grafana alerts

function alertSummary(r: GrafanaRule): AlertSummary {
  return { name: r.name, group: r.group, severity: r.labels.severity, for: r.for, paused: r.paused, gatedReason: r.annotations.gated_reason };
}

function diffAlert(a: GrafanaRule, b: GrafanaRule): AlertChange | undefined {
  const reasonA = a.annotations.gated_reason;
  const reasonB = b.annotations.gated_reason;
  const c: AlertChange = {
    alert: alertSummary(b),
    pause: a.paused === b.paused ? undefined : b.paused ? { now: "paused", reason: reasonB } : { now: "active", reason: reasonA },
    gatedReason: a.paused && b.paused ? change(reasonA, reasonB) : undefined,
    group: change(a.group, b.group),
    uid: change(a.uid, b.uid),
    for: change(a.for, b.for),
    severity: change(a.labels.severity, b.labels.severity),
    queries: queryChanges(a.queries, b.queries),
    labels: recordDiff(a.labels, b.labels, ["severity"]),
    annotations: recordDiff(a.annotations, b.annotations, ["gated_reason"]).concat(
      // a reason that comes or goes without the pause flipping is still worth a line
      a.paused === b.paused && !(a.paused && b.paused) && reasonA !== reasonB ? [{ key: "gated_reason", before: reasonA, after: reasonB }] : [],
    ),
    // timing that comes or goes with the contact point is part of the route change (paging section)
    other: [...mapDiff(a.rest, b.rest), ...(a.timing && b.timing ? mapDiff(a.timing, b.timing) : [])].sort((x, y) => x.key.localeCompare(y.key)),
  };
  const changed = c.pause || c.gatedReason || c.group || c.uid || c.for || c.severity || c.queries.length || c.labels.length || c.annotations.length || c.other.length;
  return changed ? c : undefined;
}

function diffAlerts(before: readonly GrafanaGroup[], after: readonly GrafanaGroup[]): AlertsDiff {
  const rulesOf = (groups: readonly GrafanaGroup[]) => new Map(groups.flatMap((g) => g.rules.map((r) => [r.name, r] as const)));
  const a = rulesOf(before);
  const b = rulesOf(after);
  const groupsA = new Map(before.map((g) => [g.name, g] as const));
  return {
    added: [...b.values()].filter((r) => !a.has(r.name)).map(alertSummary),
    removed: [...a.values()].filter((r) => !b.has(r.name)).map(alertSummary),
    changed: [...b.values()]
      .map((r) => {
        const old = a.get(r.name);
        return old ? diffAlert(old, r) : undefined;
      })
      .filter((c): c is AlertChange => c !== undefined),
    groups: after
      .map((g) => {
        const old = groupsA.get(g.name);
        return { name: g.name, changes: old ? mapDiff(old.settings, g.settings).filter((c) => c.key !== "folderUid") : [] };
      })
      .filter((g) => g.changes.length > 0),
  };
}

// ---------------------------------------------------------------- paging

function contactPointIntegrations(cp: Obj): Integration[] {
  return [arr(cp.pagerduties).length > 0 ? ("pagerduty" as const) : undefined, arr(cp.slacks).length > 0 ? ("slack" as const) : undefined].filter((i): i is Integration => i !== undefined);
}

function contactPointSummary(name: string, cp: Obj): ContactPointSummary {
  return { name, integrations: contactPointIntegrations(cp), slackChannel: str(obj(arr(cp.slacks)[0]).recipient) };
}

/** True when a policy's matchers all match the labels (`=`, `!=`, `=~`, `!~`). */
function matchesAll(matchers: readonly unknown[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => {
    const { label, match, value } = obj(m);
    const actual = labels[display(label ?? "")] ?? "";
    const expected = display(value ?? "");
    const regex = () => {
      try {
        return new RegExp(`^(?:${expected})$`).test(actual);
      } catch {
        return false;
      }
    };
    switch (match) {
      case "!=":
        return actual !== expected;
      case "=~":
        return regex();
      case "!~":
        return !regex();
      default:
        return actual === expected;
    }
  });
}

/** The contact point the owned policy tree sends these labels to: the first matching child, else the default. */
function policyContactPoint(policy: Obj, labels: Readonly<Record<string, string>>): string | undefined {
  const child = arr(policy.policies).map(obj).find((p) => matchesAll(arr(p.matchers), labels));
  return str(child?.contactPoint) ?? str(policy.contactPoint);
}

/**
 * Where each alert goes: the rule's notification settings (what Grafana receives), else the
 * policy tree when the stack owns it, else the org's default policy; the routes table fills in
 * when there is no rule file.
 */
function reachOf(side: Side): Map<string, { severity?: string; reach: Reach }> {
  const rules = new Map(side.groups.flatMap((g) => g.rules.map((r) => [r.name, r] as const)));
  const out = new Map<string, { severity?: string; reach: Reach }>();
  for (const name of new Set([...rules.keys(), ...side.routes.keys()])) {
    const rule = rules.get(name);
    const route = side.routes.get(name);
    const severity = rule?.labels.severity ?? route?.severity;
    const paused = rule ? rule.paused : route?.paused === true;
    const labels = rule?.labels ?? (severity === undefined ? {} : { severity });
    const cp = (rule ? rule.contactPoint : route?.contactPoint) ?? (side.policy ? policyContactPoint(side.policy, labels) : undefined);
    let reach: Reach;
    if (paused) reach = { kind: "paused", integrations: [] };
    else if (cp === undefined) reach = { kind: "default", integrations: [] };
    else {
      const def = side.contactPoints.get(cp);
      reach = { kind: "contactPoint", contactPoint: cp, integrations: def ? contactPointIntegrations(def) : (route?.integrations ?? []) };
    }
    out.set(name, { severity, reach });
  }
  return out;
}

function sameReach(a: Reach, b: Reach): boolean {
  return a.kind === b.kind && a.contactPoint === b.contactPoint && a.integrations.join() === b.integrations.join();
}

function diffPaging(before: Side, after: Side): PagingDiff {
  const absent: Reach = { kind: "absent", integrations: [] };
  const ra = reachOf(before);
  const rb = reachOf(after);
  const routes: ReachChange[] = [];
  for (const alert of new Set([...rb.keys(), ...ra.keys()])) {
    const a = ra.get(alert)?.reach ?? absent;
    const b = rb.get(alert)?.reach ?? absent;
    if (sameReach(a, b)) continue;
    // an alert that appears or goes away paused reaches nobody either way: the alerts section says it
    if ((a.kind === "absent" && b.kind === "paused") || (a.kind === "paused" && b.kind === "absent")) continue;
    routes.push({
      alert,
      severity: rb.get(alert)?.severity ?? ra.get(alert)?.severity,
      before: a,
      after: b,
      gained: b.integrations.filter((i) => !a.integrations.includes(i)),
      lost: a.integrations.filter((i) => !b.integrations.includes(i)),
    });
  }
  const ta = before.messageTemplate;
  const tb = after.messageTemplate;
  const messageTemplate =
    !ta && tb ? { name: tb.name, status: "added" as const } : ta && !tb ? { name: ta.name, status: "removed" as const } : ta && tb && (ta.name !== tb.name || ta.text !== tb.text) ? { name: tb.name, status: "changed" as const } : undefined;
  return {
    contactPointsAdded: [...after.contactPoints].filter(([n]) => !before.contactPoints.has(n)).map(([n, cp]) => contactPointSummary(n, cp)),
    contactPointsRemoved: [...before.contactPoints].filter(([n]) => !after.contactPoints.has(n)).map(([n, cp]) => contactPointSummary(n, cp)),
    contactPointsChanged: namedChanges(before.contactPoints, after.contactPoints),
    messageTemplate,
    muteTimingsAdded: [...after.muteTimings.keys()].filter((n) => !before.muteTimings.has(n)),
    muteTimingsRemoved: [...before.muteTimings.keys()].filter((n) => !after.muteTimings.has(n)),
    muteTimingsChanged: namedChanges(before.muteTimings, after.muteTimings),
    policy: diffPolicy(before.policy, after.policy),
    routes,
  };
}

function namedChanges(before: ReadonlyMap<string, unknown>, after: ReadonlyMap<string, unknown>): NamedChanges[] {
  return [...after]
    .map(([name, value]) => {
      const old = before.get(name);
      return { name, changes: old === undefined ? [] : mapDiff(flatten(old), flatten(value)) };
    })
    .filter((c) => c.changes.length > 0);
}

function diffPolicy(before: Obj | undefined, after: Obj | undefined): PagingDiff["policy"] {
  if (!before && after) return { status: "owned", changes: [] };
  if (before && !after) return { status: "released", changes: [] };
  const changes = before && after ? mapDiff(flatten(before), flatten(after)) : [];
  return changes.length ? { status: "changed", changes } : undefined;
}

// ---------------------------------------------------------------- PrometheusRule

const ruleKey = (r: PromRuleRef) => `${r.group}\u0000${r.kind}\u0000${r.name}`;

function diffPromRule(a: PromRule, b: PromRule): PromRuleChange | undefined {
  const c: PromRuleChange = {
    rule: b.ref,
    expr: change(a.expr, b.expr),
    for: change(a.for, b.for),
    labels: recordDiff(a.labels, b.labels),
    annotations: recordDiff(a.annotations, b.annotations),
    other: mapDiff(a.rest, b.rest),
  };
  return c.expr || c.for || c.labels.length || c.annotations.length || c.other.length ? c : undefined;
}

function diffPrometheusRule(before: PromObject | undefined, after: PromObject | undefined): PrometheusRuleDiff {
  const groupsA = new Map((before?.groups ?? []).map((g) => [g.name, g] as const));
  const groupsB = new Map((after?.groups ?? []).map((g) => [g.name, g] as const));
  const rulesA = new Map([...groupsA.values()].flatMap((g) => g.rules.map((r) => [ruleKey(r.ref), r] as const)));
  const rulesB = new Map([...groupsB.values()].flatMap((g) => g.rules.map((r) => [ruleKey(r.ref), r] as const)));
  const count = (o: PromObject) => o.groups.reduce((n, g) => n + g.rules.length, 0);
  return {
    object: !before && after ? { status: "added", name: after.name, groups: after.groups.length, rules: count(after) } : before && !after ? { status: "removed", name: before.name, groups: before.groups.length, rules: count(before) } : undefined,
    replaced: before && after ? change(before.name, after.name) : undefined,
    labels: before && after ? recordDiff(before.labels, after.labels) : [],
    groupsAdded: [...groupsB.values()].filter((g) => !groupsA.has(g.name)).map((g) => ({ name: g.name, rules: g.rules.length })),
    groupsRemoved: [...groupsA.values()].filter((g) => !groupsB.has(g.name)).map((g) => ({ name: g.name, rules: g.rules.length })),
    groupsChanged: [...groupsB.values()]
      .map((g) => {
        const old = groupsA.get(g.name);
        return { name: g.name, changes: old ? mapDiff(old.settings, g.settings) : [] };
      })
      .filter((g) => g.changes.length > 0),
    rulesAdded: [...rulesB.values()].filter((r) => !rulesA.has(ruleKey(r.ref))).map((r) => r.ref),
    rulesRemoved: [...rulesA.values()].filter((r) => !rulesB.has(ruleKey(r.ref))).map((r) => r.ref),
    rulesChanged: [...rulesB.values()]
      .map((r) => {
        const old = rulesA.get(ruleKey(r.ref));
        return old ? diffPromRule(old, r) : undefined;
      })
      .filter((c): c is PromRuleChange => c !== undefined),
  };
}

// ---------------------------------------------------------------- other files

const KNOWN_FILES: readonly string[] = [OUT_FILES.ruleGroups, OUT_FILES.contactPoints, OUT_FILES.prometheusRule, ...DERIVED_FILES];

function diffOtherFiles(a: FileMap, b: FileMap): OtherFileChange[] {
  const paths = [...new Set([...a.keys(), ...b.keys()])].filter((p) => !KNOWN_FILES.includes(p) && !isDashboardFile(p)).sort();
  return paths
    .map((path): OtherFileChange | undefined => {
      const x = a.get(path);
      const y = b.get(path);
      if (x === y) return undefined;
      return { path, status: x === undefined ? "added" : y === undefined ? "removed" : "changed" };
    })
    .filter((c): c is OtherFileChange => c !== undefined);
}
