// The two workflows `timely-keys init` writes: examples/workflows/rotate.yml and plan-on-pr.yml
// (generated into workflow-templates.generated.ts), with the manifest's token variables in their
// env blocks in place of the examples' own.
import { WORKFLOW_TEMPLATES } from "./workflow-templates.generated.js";

const PLACEHOLDER = /^( +)@@TOKEN_ENV_LINES@@$/gm;

/** `TIMELY_ACME_PROD_TOKEN` -> `TIMELY_ACME_PROD_READONLY_TOKEN`: the secret plan-on-pr.yml reads with. */
export function readOnlySecretName(tokenEnv: string): string {
  return tokenEnv.endsWith("_TOKEN") ? `${tokenEnv.slice(0, -"_TOKEN".length)}_READONLY_TOKEN` : `${tokenEnv}_READONLY`;
}

function fill(template: { text: string; secret: "same" | "readonly" }, tokenEnvs: readonly string[]): string {
  const secretOf = (name: string) => (template.secret === "same" ? name : readOnlySecretName(name));
  return template.text.replace(PLACEHOLDER, (_, indent: string) =>
    tokenEnvs.map((name) => `${indent}${name}: \${{ secrets.${secretOf(name)} }}`).join("\n"),
  );
}

export function initWorkflows(tokenEnvs: readonly string[]): { rotate: string; planOnPr: string } {
  return { rotate: fill(WORKFLOW_TEMPLATES.rotate, tokenEnvs), planOnPr: fill(WORKFLOW_TEMPLATES.planOnPr, tokenEnvs) };
}
