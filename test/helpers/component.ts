/** Builds the top component from a model under the SDK's mocks, capturing each child's inputs and options. */
import * as pulumi from "@pulumi/pulumi";
import { SeamlessObservability } from "../../components/seamlessObservability";
import { StackModel, buildModel } from "../../model/model";
import { SecretKey } from "../../model/config";
import { rawFromEntries } from "../../model/stackfile";
import { stackConfig } from "./mocks";

/** One child as the program declared it. */
export interface Child {
  readonly type: string;
  readonly name: string;
  /** Resolved inputs as the engine received them. */
  readonly inputs: Record<string, unknown>;
  /** Inputs as declared (Outputs kept, so secrets can be checked). */
  readonly props: Record<string, unknown>;
  readonly parent?: string;
  readonly protect: boolean;
  readonly dependsOn: string[];
}

/** A model from a committed stack file with config keys replaced; secrets marked set. */
export function modelOf(stack: string, extra: Record<string, unknown> = {}, secrets: SecretKey[] = []): StackModel {
  const config = stackConfig(stack, extra);
  for (const s of secrets) config[`seamless:${s}`] = { secure: "v1:test" };
  return buildModel(rawFromEntries(`Pulumi.${stack}.yaml`, Object.entries(config)));
}

/** Runs the component for a model; returns every child with inputs and options. */
export async function runComponent(model: StackModel, secrets: Partial<Record<SecretKey, string>> = {}): Promise<Child[]> {
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs.set(args.name, args.inputs);
        return { id: `${args.name}-id`, state: { ...args.inputs, url: "https://grafana.test/d/x" } };
      },
      call: (args) => args.inputs,
    },
    "seamless",
    model.environment,
    true,
  );
  const names = new Map<pulumi.Resource, string>();
  const declared: Array<Omit<Child, "inputs" | "dependsOn"> & { deps: pulumi.Resource[] }> = [];
  const capture: pulumi.ResourceTransformation = (args) => {
    names.set(args.resource, args.name);
    const deps = args.opts.dependsOn;
    declared.push({
      type: args.type,
      name: args.name,
      props: args.props as Record<string, unknown>,
      parent: args.opts.parent ? names.get(args.opts.parent) ?? "(unknown)" : undefined,
      protect: args.opts.protect === true,
      deps: Array.isArray(deps) ? (deps as pulumi.Resource[]) : deps ? [deps as pulumi.Resource] : [],
    });
    return undefined;
  };
  const root = new SeamlessObservability("seamless", { model, secrets }, { transformations: [capture] });
  names.set(root, "seamless");
  await pulumi.runtime.disconnect();
  return declared.map(({ deps, ...d }) => ({ ...d, inputs: inputs.get(d.name) ?? {}, dependsOn: deps.map((r) => names.get(r) ?? "(unknown)") }));
}
