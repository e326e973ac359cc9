/** The Grafana folder of a stack and its three dashboards. */
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { StackModel } from "../model/model";
import { stableJson } from "../model/json";

/** Arguments of {@link SeamlessDashboards}. */
export interface SeamlessDashboardsArgs {
  /** The stack model: folder title/uid, dashboards JSON, org. */
  readonly model: StackModel;
  /** Grafana provider every child uses. */
  readonly provider: grafana.Provider;
}

/** Creates the folder (`preventDestroyIfNotEmpty`) and one `grafana.oss.Dashboard` per dashboard. */
export class SeamlessDashboards extends pulumi.ComponentResource {
  /** Uid of the folder (fixed by the model). */
  readonly folderUid: pulumi.Output<string>;
  /** Dashboard URLs by title. */
  readonly urls: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: SeamlessDashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("qmtl:observability:SeamlessDashboards", name, {}, opts);
    const { model, provider } = args;
    const child = { parent: this, provider, protect: model.config.protect };
    const orgId = String(model.config.grafana.orgId);
    const folder = new grafana.oss.Folder(`${name}-folder`, { title: model.folder.title, uid: model.folder.uid, orgId, preventDestroyIfNotEmpty: true }, child);
    const dashboards = model.dashboards.map(
      (d) => [d.title, new grafana.oss.Dashboard(`${name}-${d.slug}`, { folder: folder.uid, orgId, configJson: stableJson(d.json) }, child)] as const,
    );
    this.folderUid = folder.uid;
    this.urls = pulumi.output(Object.fromEntries(dashboards.map(([title, d]) => [title, d.url])));
    this.registerOutputs({ folderUid: this.folderUid, urls: this.urls });
  }
}
