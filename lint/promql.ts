/**
 * A PromQL lint over every rule and panel query, against the metrics catalogue: catches
 * queries that parse (and that promtool accepts) but are wrong. lezer-promql checks syntax
 * only; this walks its tree.
 */
import type { parser as LezerParser } from "@prometheus-io/lezer-promql" with { "resolution-mode": "import" };
import type { SyntaxNode } from "@lezer/common" with { "resolution-mode": "import" };
import { CATALOGUE, MetricDef, series } from "../model/catalogue";
import { parseDuration } from "../model/duration";
import { RulesModel } from "../model/rules";

// lezer-promql ships CommonJS next to its ES module; this project compiles to CommonJS
const { parser } = require("@prometheus-io/lezer-promql") as { parser: typeof LezerParser };

/** What a lint knows about series: catalogue metrics plus recording rules (name -> labels). */
export interface LintContext {
  readonly recorded: ReadonlyMap<string, readonly string[]>;
  /** Shortest range a rate may read: 4 scrape intervals (60s at a 15s scrape). */
  readonly minRangeSeconds: number;
}

/** Recorded series of a stack and the labels each keeps, for a LintContext. */
export function recordedSeries(rules: RulesModel): Map<string, readonly string[]> {
  return new Map(rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.kind === "record" ? [[r.record, r.keeps] as const] : []))));
}

/** Labels every scraped series may carry besides the metric's own. */
const TARGET_LABELS = ["job", "instance"];
const COUNTER_FUNCTIONS = new Set(["rate", "irate", "increase", "resets"]);

/** A series the lint resolved: its labels, and whether counter functions may read it. */
interface SeriesInfo {
  readonly labels: readonly string[];
  readonly counterLike: boolean;
}

/** Returns every problem of a query, as sentences naming the offending part; empty when clean. */
export function lintPromQL(expr: string, ctx: LintContext): string[] {
  const tree = parser.parse(expr);
  const problems: string[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) problems.push(`syntax error at ${ref.from}: ${JSON.stringify(expr.slice(Math.max(0, ref.from - 20), ref.to + 20))}`);
    },
  });
  if (problems.length) return problems;
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  tree.iterate({
    enter: (ref) => {
      const node = ref.node;
      if (node.name === "VectorSelector") problems.push(...selectorProblems(node, text, ctx));
      if (node.name === "FunctionCall") problems.push(...functionProblems(node, text, ctx));
      if (node.name === "AggregateExpr") problems.push(...groupingProblems(node, text, ctx));
    },
  });
  return problems;
}

/** Resolves a series name: catalogue metric (histogram series with suffix), or recording rule. */
export function seriesInfo(name: string, ctx: LintContext): SeriesInfo | undefined {
  const direct = CATALOGUE.find((m) => m.type !== "histogram" && series(m) === name);
  if (direct) return { labels: direct.labels, counterLike: direct.type === "counter" };
  for (const suffix of ["bucket", "count", "sum"] as const) {
    const h = CATALOGUE.find((m: MetricDef) => m.type === "histogram" && name === `${m.name}_${suffix}`);
    if (h) return { labels: suffix === "bucket" ? [...h.labels, "le"] : h.labels, counterLike: true };
  }
  const recorded = ctx.recorded.get(name);
  return recorded ? { labels: recorded, counterLike: false } : undefined;
}

function selectorProblems(node: SyntaxNode, text: (n: SyntaxNode) => string, ctx: LintContext): string[] {
  const id = node.getChild("Identifier");
  if (!id) return [];
  const name = text(id);
  const info = seriesInfo(name, ctx);
  if (!info) return [`${name} is neither a catalogue metric nor a recording rule`];
  const matchers = node.getChild("LabelMatchers");
  const labels = matchers ? descendants(matchers, "LabelName").map(text) : [];
  return labels.filter((l) => !info.labels.includes(l) && !TARGET_LABELS.includes(l)).map((l) => `${name} has no label ${l} (it has ${info.labels.join(", ") || "none"})`);
}

function functionProblems(node: SyntaxNode, text: (n: SyntaxNode) => string, ctx: LintContext): string[] {
  const fn = text(node.getChild("FunctionIdentifier")!);
  const body = node.getChild("FunctionCallBody");
  if (!body) return [];
  const problems: string[] = [];
  if (COUNTER_FUNCTIONS.has(fn)) {
    const matrix = body.getChild("MatrixSelector");
    const selector = matrix?.getChild("VectorSelector")?.getChild("Identifier");
    if (selector) {
      const name = text(selector);
      const info = seriesInfo(name, ctx);
      if (info && !info.counterLike) problems.push(`${fn}() reads ${name}, which is not a counter or histogram series`);
    }
    const range = matrix?.getChild("DurationExpr");
    const seconds = range ? parseDuration(text(range)) : undefined;
    if (seconds !== undefined && seconds < ctx.minRangeSeconds) problems.push(`${fn}() over [${text(range!)}] is shorter than 4 scrape intervals (${ctx.minRangeSeconds}s)`);
  }
  if (fn === "histogram_quantile") {
    const args = body.getChildren("AggregateExpr").concat(unwrapParens(body));
    for (const agg of args) {
      const grouping = agg.getChild("AggregateModifier");
      const by = grouping?.getChild("By") !== null && grouping !== null;
      const labels = grouping ? descendants(grouping, "LabelName").map(text) : [];
      if (!grouping || (by && !labels.includes("le")) || (!by && labels.includes("le"))) {
        problems.push(`histogram_quantile() over ${text(agg).slice(0, 40)}... drops the le label; aggregate by (le, ...)`);
      }
    }
  }
  return problems;
}

function groupingProblems(node: SyntaxNode, text: (n: SyntaxNode) => string, ctx: LintContext): string[] {
  const grouping = node.getChild("AggregateModifier");
  if (!grouping || !grouping.getChild("By")) return [];
  const body = node.getChild("FunctionCallBody");
  if (!body) return [];
  const inner = descendants(body, "VectorSelector")
    .map((s) => s.getChild("Identifier"))
    .filter((i): i is SyntaxNode => i !== null)
    .map((i) => seriesInfo(text(i), ctx))
    .filter((i): i is SeriesInfo => i !== undefined);
  if (inner.length === 0 || text(body).includes("label_replace")) return [];
  const known = new Set(inner.flatMap((i) => i.labels));
  return descendants(grouping, "LabelName")
    .map(text)
    .filter((l) => !known.has(l))
    .map((l) => `sum by (${l}) groups by a label no series in it carries`);
}

function unwrapParens(body: SyntaxNode): SyntaxNode[] {
  return body.getChildren("ParenExpr").flatMap((p) => p.getChildren("AggregateExpr"));
}

function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = node.cursor();
  do {
    if (cursor.name === name) out.push(cursor.node);
  } while (cursor.next() && cursor.from < node.to);
  return out.filter((n) => n.from >= node.from && n.to <= node.to);
}
