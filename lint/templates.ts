/**
 * A lint for alert annotation templates: only `$labels.<label>` of labels the alert's
 * series carry, `$value` (Grafana: `$values.A.Value`) and known functions.
 */

/** Template functions Prometheus and Grafana both provide that annotations may use. */
export const TEMPLATE_FUNCTIONS = ["humanize", "humanize1024", "humanizePercentage", "humanizeDuration", "toUpper", "toLower", "title", "printf"] as const;

/** Problems of one annotation value; `labels` are the labels the alert's series carry. */
export function lintTemplate(text: string, labels: readonly string[]): string[] {
  const problems: string[] = [];
  const opens = (text.match(/\{\{/g) ?? []).length;
  const closes = (text.match(/\}\}/g) ?? []).length;
  if (opens !== closes) return [`unbalanced template braces in ${JSON.stringify(text.slice(0, 60))}`];
  for (const [, body] of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)) {
    for (const token of body.split(/[\s|()]+/).filter(Boolean)) {
      if (/^"[^"]*"$/.test(token) || /^-?\d+(\.\d+)?$/.test(token)) continue;
      const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(token);
      if (label) {
        if (!labels.includes(label[1])) problems.push(`{{ ${body} }} reads $labels.${label[1]}, which the alert's series do not carry (they carry ${labels.join(", ") || "no labels"})`);
        continue;
      }
      if (token === "$value" || token === "$values.A.Value") continue;
      if ((TEMPLATE_FUNCTIONS as readonly string[]).includes(token)) continue;
      problems.push(`{{ ${body} }} uses ${token}, which is neither $labels.<label>, $value nor a known function (${TEMPLATE_FUNCTIONS.join(", ")})`);
    }
  }
  return problems;
}
