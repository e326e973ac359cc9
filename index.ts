// The Seamless observability stack: read config, build the model, create the top component.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./model/config";
import { buildProject } from "./model/project";
import { rawFromPulumi, secretsFromPulumi } from "./components/pulumiConfig";
import { SeamlessObservability } from "./components/seamlessObservability";

function model() {
  try {
    // the running stack's config comes from the engine; sibling stack files are read to refuse collisions
    const stack = pulumi.getStack();
    return buildProject(__dirname, [stack], { [stack]: rawFromPulumi() }).get(stack)!;
  } catch (e) {
    // a RunError prints the message alone, without a stack trace
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const stack = new SeamlessObservability("seamless", { model: model(), secrets: secretsFromPulumi() });

export const folderUid = stack.folderUid;
export const dashboardUrls = stack.dashboardUrls;
export const ruleGroups = stack.ruleGroups;
export const gatedAlerts = stack.gatedAlerts;
export const routes = stack.routes;
export const paging = stack.paging;
export const prometheusRule = stack.prometheusRule;
