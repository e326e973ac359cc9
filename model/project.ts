/**
 * All stacks of the project at once: builds the requested stacks, then checks them against
 * every other stack file that builds, so two stacks never collide in one Grafana or cluster.
 */
import { ConfigError, RawStackConfig } from "./config";
import { StackModel, buildModel } from "./model";
import { NamedModel, collisions } from "./identity";
import { knownStacks, readStackFile } from "./stackfile";

/** Builds the models of `stacks` (raw configs may be given, e.g. from the Pulumi engine); throws ConfigError with every problem. */
export function buildProject(dir: string, stacks: readonly string[], given: Readonly<Record<string, RawStackConfig>> = {}): Map<string, StackModel> {
  const errors: ConfigError[] = [];
  const requested: NamedModel[] = [];
  for (const stack of stacks) {
    try {
      const raw = given[stack] ?? readStackFile(dir, stack);
      requested.push({ file: raw.file, model: buildModel(raw) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length) throw new ConfigError(errors.flatMap((e) => e.problems));
  const siblings = knownStacks(dir)
    .filter((s) => !stacks.includes(s))
    .flatMap((s): NamedModel[] => {
      try {
        const raw = readStackFile(dir, s);
        return [{ file: raw.file, model: buildModel(raw) }];
      } catch {
        return []; // a sibling with its own config problems is reported when it is rendered
      }
    });
  const files = requested.map((r) => r.file);
  // siblings first, so a clash is reported on the stack being rendered, naming the sibling
  const clashes = collisions([...siblings, ...requested]).filter((p) => files.includes(p.file) || files.some((f) => p.problem.includes(f)));
  if (clashes.length) throw new ConfigError(clashes);
  return new Map(requested.map((r, i) => [stacks[i], r.model]));
}
