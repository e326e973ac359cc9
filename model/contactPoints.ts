/**
 * Contact point specs -> `grafana.alerting.ContactPoint` argument shape. The caller says
 * how a secret reference becomes a value: a Pulumi secret Output in the component,
 * the text `[secret]` in synth. One function, so both edges get the same object.
 */
import { ContactPointSpec, SecretRef } from "./notifications";

/** `ContactPoint` arguments with secrets resolved to `S`. */
export interface ContactPointArgsOf<S> {
  name: string;
  pagerduties?: Array<{ integrationKey: S; severity: string; class: string; component: string; group: string; source: string; summary: string; client: string; clientUrl: string; details: Record<string, string> }>;
  slacks?: Array<{ url?: S; token?: S; recipient: string; title: string; text: string }>;
}

/** Maps a contact point spec to ContactPoint arguments. */
export function contactPointArgs<S>(cp: ContactPointSpec, resolve: (ref: SecretRef) => S): ContactPointArgsOf<S> {
  const args: ContactPointArgsOf<S> = { name: cp.name };
  if (cp.pagerduty) {
    const { integrationKey, details, ...rest } = cp.pagerduty;
    args.pagerduties = [{ integrationKey: resolve(integrationKey), ...rest, details: { ...details } }];
  }
  if (cp.slack) {
    const { url, token, ...rest } = cp.slack;
    args.slacks = [{ ...(url ? { url: resolve(url) } : {}), ...(token ? { token: resolve(token) } : {}), ...rest }];
  }
  return args;
}

/** What synth prints in place of every secret value. */
export const SECRET_PLACEHOLDER = "[secret]";
