/** Every query of a dashboard, with template variables substituted the way Grafana does. */

/** One panel query. */
export interface PanelQuery {
  readonly panelId: number;
  readonly title: string;
  readonly refId: string;
  readonly expr: string;
  /** True when the panel says its metrics are not emitted in this environment. */
  readonly gated: boolean;
}

/** Extracts every Prometheus target of a dashboard JSON. */
export function panelQueries(dashboard: Record<string, unknown>): PanelQuery[] {
  const panels = (dashboard.panels ?? []) as Array<{ id: number; title: string; description?: string; targets?: Array<{ refId: string; expr: string }> }>;
  return panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panelId: p.id, title: p.title, refId: t.refId, expr: t.expr, gated: (p.description ?? "").startsWith("Not emitted") })));
}

/** Grafana's substitutions for a render: built-in intervals, and each multi-value variable as a regex alternation. */
export interface Substitution {
  readonly rateInterval: string;
  readonly range: string;
  /** Selected values per variable; empty or absent means All. */
  readonly values?: Readonly<Record<string, readonly string[]>>;
  /** Each variable's custom All value (see `allValuesOf`); `.*` when absent. */
  readonly allValues?: Readonly<Record<string, string>>;
}

/** The custom All value of each variable of a dashboard JSON that has one. */
export function allValuesOf(dashboard: Record<string, unknown>): Record<string, string> {
  const list = (dashboard.templating as { list?: Array<{ name: string; allValue?: string }> } | undefined)?.list ?? [];
  return Object.fromEntries(list.filter((v) => typeof v.allValue === "string").map((v) => [v.name, v.allValue as string]));
}

/** Substitutes `$__rate_interval`, `$__range`, `$__interval` and `$var` / `${var}` as Grafana does for Prometheus. */
export function substitute(expr: string, s: Substitution): string {
  return expr
    .replace(/\$__rate_interval/g, s.rateInterval)
    .replace(/\$__range/g, s.range)
    .replace(/\$__interval/g, s.rateInterval)
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => {
      const values = s.values?.[name] ?? [];
      // Grafana sends a custom All value as it is, unescaped
      if (values.length === 0) return s.allValues?.[name] ?? ".*";
      // Grafana escapes regex metacharacters and joins multiple values as (a|b)
      const escaped = values.map((v) => v.replace(/[\\^$.*+?()[\]{}|]/g, "\\\\$&"));
      return escaped.length === 1 ? escaped[0] : `(${escaped.join("|")})`;
    });
}
