import { describe, expect, it } from "vitest";
import { credentialEnvNames, credentialEnvNamesInText, secretValues } from "../src/secrets.js";

const TOKEN = "tkm_ManagementToken000000000000000000000001";
const KEY = "tml_SomeApiKeySecret00000000000000000000001";

describe("credentialEnvNames", () => {
  it("names every workspace token and every sink credential, defaults included", () => {
    const manifest = {
      workspaces: [
        {
          tokenEnv: "PROD_TOKEN",
          keys: [
            {
              deliver: [
                { type: "githubSecret" },
                { type: "githubSecret", tokenEnv: "GH_PAT" },
                { type: "vault", auth: { method: "approle", roleIdEnv: "ROLE_ID", secretIdEnv: "SECRET_ID" } },
                { type: "vault" },
                { type: "onePassword", tokenEnv: "OP_TOKEN" },
                { type: "awsSecretsManager", secretId: "x" },
                { type: "file", path: "./x" },
              ],
            },
          ],
        },
        { tokenEnv: "STAGING_TOKEN" },
      ],
    };
    expect(credentialEnvNames(manifest)).toEqual(
      [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "GH_PAT",
        "GITHUB_TOKEN",
        "OP_TOKEN",
        "PROD_TOKEN",
        "ROLE_ID",
        "SECRET_ID",
        "STAGING_TOKEN",
        "VAULT_TOKEN",
      ].sort(),
    );
  });

  it("survives any shape (a manifest that fails validation is still walked)", () => {
    expect(credentialEnvNames(null)).toEqual([]);
    expect(credentialEnvNames({ workspaces: "nope" })).toEqual([]);
    expect(
      credentialEnvNames({ workspaces: [null, 3, { tokenEnv: 5, keys: [{ deliver: [null] }] }, { tokenEnv: " T " }] }),
    ).toEqual(["T"]);
  });
});

describe("credentialEnvNamesInText", () => {
  it("finds ...Env fields in text that is not YAML, plus every sink default", () => {
    const names = credentialEnvNamesInText('workspaces: [ { tokenEnv: PROD_TOKEN, auth: {secretIdEnv: "SID"} ');
    expect(names).toContain("PROD_TOKEN");
    expect(names).toContain("SID");
    expect(names).toContain("GITHUB_TOKEN");
    expect(names).toContain("VAULT_TOKEN");
  });
});

describe("secretValues", () => {
  it("gives the values of the named variables and of any token-shaped variable, never empty ones", () => {
    const env = {
      PROD_TOKEN: ` ${TOKEN} `,
      EMPTY: "",
      OTHER: `prefix ${KEY}`,
      PLAIN: "hello",
      MULTI: "line-one\nline-two",
    };
    expect(secretValues(env, ["PROD_TOKEN", "EMPTY", "MISSING", "MULTI"])).toEqual([
      TOKEN,
      "line-one\nline-two",
      "line-one",
      "line-two",
      `prefix ${KEY}`,
    ]);
  });

  it("finds token shapes even with no names", () => {
    expect(secretValues({ A: TOKEN, B: "tkm_short" }, [])).toEqual([TOKEN]);
  });
});
