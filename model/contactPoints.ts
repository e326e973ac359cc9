/**
 * Contact point specs -> `grafana.alerting.ContactPoint` argument shape. The caller says
 * how a secret reference becomes a value: a Pulumi secret Output in the component,
 * the text `[secret]` in synth. One function, so both edges get the same object.
 */
import { ContactPointSpec, SecretRef } from "./notifications";

/** `ContactPoint` arguments with secrets resolved to `S`. */
export interface ContactPointArgsOf<S> {
  name: string;
  pagerduties?: Array<{ integrationKey: S; severity: string; class: string; component: string; group: string; summary: string }>;
  slacks?: Array<{ url: S; recipient: string; title: string; text: string }>;
}

/** Maps a contact point spec to ContactPoint arguments. */
export function contactPointArgs<S>(cp: ContactPointSpec, resolve: (ref: SecretRef) => S): ContactPointArgsOf<S> {
  const args: ContactPointArgsOf<S> = { name: cp.name };
  if (cp.pagerduty) {
    const { integrationKey, ...rest } = cp.pagerduty;
    args.pagerduties = [{ integrationKey: resolve(integrationKey), ...rest }];
  }
  if (cp.slack) {
    const { url, ...rest } = cp.slack;
    args.slacks = [{ url: resolve(url), ...rest }];
  }
  return args;
}

/** What synth prints in place of every secret value. */
export const SECRET_PLACEHOLDER = "[secret]";
