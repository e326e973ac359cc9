/**
 * Panel queries of a Grafana dashboard JSON, and the variable substitution Grafana does
 * before it sends them to Prometheus.
 */

/** One query of one panel. */
export interface PanelTarget {
  readonly dashboard: string;
  readonly panelId: number;
  readonly title: string;
  readonly description: string;
  readonly refId: string;
  readonly expr: string;
  /** Instant query (stat, gauge) rather than a range query. */
  readonly instant: boolean;
}

interface PanelJson {
  id?: number;
  title?: string;
  description?: string;
  type?: string;
  targets?: Array<{ expr?: string; refId?: string; instant?: boolean; range?: boolean }>;
  panels?: PanelJson[];
}

/** Every target with an `expr` of every panel, rows included, in panel order. */
export function panelTargets(dashboard: Readonly<Record<string, unknown>>): PanelTarget[] {
  const title = String(dashboard.title ?? dashboard.uid ?? "dashboard");
  const walk = (panels: readonly PanelJson[]): PanelTarget[] =>
    panels.flatMap((p) => [
      ...(p.targets ?? [])
        .filter((t) => typeof t.expr === "string" && t.expr.trim() !== "")
        .map((t) => ({
          dashboard: title,
          panelId: p.id ?? 0,
          title: p.title ?? "",
          description: p.description ?? "",
          refId: t.refId ?? "A",
          expr: t.expr as string,
          instant: t.instant === true && t.range !== true,
        })),
      ...walk(p.panels ?? []),
    ]);
  return walk((dashboard.panels as PanelJson[] | undefined) ?? []);
}

/** Built-in interval variables, as Grafana would set them for one request. */
export interface BuiltinIntervals {
  /** `$__rate_interval`: max($__interval + scrape interval, 4 x scrape interval). */
  readonly rateInterval: string;
  /** `$__range`: the dashboard time range. */
  readonly range: string;
  /** `$__interval`: the query step. */
  readonly interval: string;
}

/**
 * Values of a dashboard's variables with every multi-value variable on "All" (its
 * `allValue`, `.*` here), plus the built-in interval variables.
 */
export function allValues(dashboard: Readonly<Record<string, unknown>>, builtins: BuiltinIntervals): Record<string, string> {
  const list = ((dashboard.templating as { list?: Array<{ name: string; type: string; allValue?: string; includeAll?: boolean; current?: { value?: unknown } }> } | undefined)?.list ?? []);
  const values: Record<string, string> = { __rate_interval: builtins.rateInterval, __range: builtins.range, __interval: builtins.interval };
  for (const v of list) {
    if (v.type === "datasource") values[v.name] = String(v.current?.value ?? "prometheus");
    else values[v.name] = v.includeAll ? (v.allValue ?? ".*") : String(v.current?.value ?? "");
  }
  return values;
}

/** Replaces `$name`, `${name}`, `${name:format}` and `[[name]]`; throws on a variable it has no value for. */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    if (!(name in values)) throw new Error(`no value for variable ${whole} in: ${expr}`);
    return values[name];
  });
}
