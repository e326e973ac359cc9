/** Every check the project has, applied to one rendered stack; returns problems (empty when all pass). */
import { StackModel } from "../../model/model";
import { renderStack } from "../../synth/render";
import { alertRules } from "../../model/rules";
import { findMetric } from "../../model/catalogue";
import { grafanaTemplates } from "../../model/grafana";
import { isDns1123Label, isPrometheusLabelName } from "../../model/names";
import { lintPromQL, LintContext, recordedSeries } from "../../lint/promql";
import { lintTemplate } from "../../lint/templates";
import { allValuesOf, panelQueries, substitute } from "../../lint/queries";
import { formatDuration, parseDuration } from "../../model/duration";

type Validatable = { validate(): void };
let PrometheusRuleModel: (new (data: unknown) => Validatable) | undefined;

/** Loads the CRD schema model (an ES module) once. */
export async function loadCrdSchema(): Promise<void> {
  const mod = (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule")) as unknown as { PrometheusRule: new (data: unknown) => Validatable };
  PrometheusRuleModel = mod.PrometheusRule;
}

/** Checks a model's artifacts; the rule file text is returned for a batched promtool run. */
export function checkModel(model: StackModel): { problems: string[]; ruleFile: string } {
  const problems: string[] = [];
  const files = renderStack(model);
  for (const d of model.dashboards) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(d.uid)) problems.push(`dashboard uid ${d.uid}`);
    JSON.parse(files.get(`dashboards/${d.slug}.json`)!);
  }
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(model.folder.uid)) problems.push(`folder uid ${model.folder.uid}`);
  for (const g of model.grafanaRuleGroups) for (const r of g.rules) if (!/^[A-Za-z0-9_-]{1,40}$/.test(r.uid)) problems.push(`rule uid ${r.uid}`);
  if (model.prometheusRule) {
    if (!PrometheusRuleModel) throw new Error("call loadCrdSchema() first");
    if (!isDns1123Label(model.prometheusRule.metadata.name)) problems.push(`PrometheusRule name ${model.prometheusRule.metadata.name}`);
    if (!isDns1123Label(model.prometheusRule.metadata.namespace)) problems.push(`namespace ${model.prometheusRule.metadata.namespace}`);
    try {
      new PrometheusRuleModel(model.prometheusRule).validate();
    } catch (e) {
      problems.push(`PrometheusRule schema: ${(e as Error).message.slice(0, 200)}`);
    }
  }
  const minRange = 4 * (parseDuration(model.config.metrics.scrapeInterval) ?? 15);
  const ctx: LintContext = {
    recorded: recordedSeries(model.rules),
    minRangeSeconds: minRange,
  };
  for (const a of alertRules(model.rules)) {
    for (const e of [a.expr, a.grafanaExpr]) problems.push(...lintPromQL(e, ctx).map((p) => `${a.name}: ${p}`));
    for (const k of Object.keys(a.labels)) if (!isPrometheusLabelName(k)) problems.push(`label name ${k}`);
    const labels = [...new Set([...a.metrics.flatMap((m) => findMetric(m)?.labels ?? []), "metric"])];
    for (const text of [...Object.values(a.annotations), ...Object.values(grafanaTemplates(a.annotations))]) problems.push(...lintTemplate(text, labels).map((p) => `${a.name}: ${p}`));
  }
  for (const g of model.prometheusRuleFile.groups) for (const r of g.rules) if ("record" in r) problems.push(...lintPromQL(r.expr, ctx).map((p) => `${r.record}: ${p}`));
  for (const d of model.dashboards) {
    for (const q of panelQueries(d.json)) problems.push(...lintPromQL(substitute(q.expr, { rateInterval: formatDuration(minRange), range: "1h", allValues: allValuesOf(d.json) }), ctx).map((p) => `${d.title}/${q.title}: ${p}`));
  }
  return { problems, ruleFile: files.get("prometheus/rules.yaml")! };
}
