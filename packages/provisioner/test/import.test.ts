import type { ApiKey } from "@timely-keys/sdk";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { importManifest, slug } from "../src/import.js";
import { apiKey } from "./plan/fixtures.js";
import { parseManifest } from "../src/load.js";
import { validate } from "../src/validate.js";

/** A live key as the API lists it: created 2026-01-01, never expiring, unless `over` says otherwise. */
function key(over: Partial<ApiKey>): ApiKey {
  const created = "2026-01-01T00:00:00.000Z";
  return apiKey({
    id: "00000000-0000-4000-8000-000000000001",
    name: "Key",
    prefix: "tml_abcd...",
    created_at: created,
    updated_at: created,
    expires_at: null,
    ...over,
  });
}

describe("slug", () => {
  it.each([
    ["Salesforce CRM Integration", "salesforce-crm-integration"],
    ["  Ação — Téléphone!! ", "acao-telephone"],
    ["***", "key"],
  ])("%s -> %s", (name, id) => expect(slug(name)).toBe(id));
});

describe("importManifest", () => {
  it("writes entries with derived ids, adopt ids, expiry in days, disabled keys, and keeps marked entries' ids", () => {
    const text = importManifest({
      workspace: "acme",
      tokenEnv: "ACME_TOKEN",
      schemaPath: "schema.json",
      keys: [
        key({
          id: "00000000-0000-4000-8000-000000000001",
          name: "CRM",
          expires_at: "2026-03-02T00:00:00.000Z",
          scopes: ["read", "analytics"],
        }),
        key({ id: "00000000-0000-4000-8000-000000000002", name: "CRM", status: "inactive", description: "old one" }),
        key({
          id: "00000000-0000-4000-8000-000000000003",
          name: "Bot",
          description: "Bot key [tk:support-bot#4 @1764000000]",
        }),
        key({ id: "00000000-0000-4000-8000-000000000004", name: "Writer", scopes: ["write"] }),
      ],
    });
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=schema.json");
    const manifest = parse(text) as {
      policy: { rules: Record<string, string> };
      workspaces: Array<{ keys: Array<Record<string, unknown>> }>;
    };
    const entries = manifest.workspaces[0]!.keys;
    expect(entries.map((e) => e.id)).toEqual(["support-bot", "crm", "crm-2", "writer"]);
    expect(entries[0]).toEqual({ id: "support-bot", name: "Bot", description: "Bot key", scopes: ["read"] });
    expect(entries[1]).toMatchObject({
      expiresInDays: 60,
      adopt: "00000000-0000-4000-8000-000000000001",
      scopes: ["analytics", "read"],
    });
    expect(entries[2]).toMatchObject({ enabled: false, description: "old one" });
    expect(manifest.policy.rules).toEqual({ "write-without-expiry": "warning", "duplicate-name": "warning" });
  });

  it(
    "validates with warnings only: each enabled entry still needs a deliver: sink, the lowered rules stay " +
      "warnings",
    () => {
      const text = importManifest({
        workspace: "acme",
        tokenEnv: "ACME_TOKEN",
        schemaPath: "schema.json",
        keys: [
          key({ id: "00000000-0000-4000-8000-000000000001", name: "CRM" }),
          key({ id: "00000000-0000-4000-8000-000000000002", name: "CRM", status: "inactive" }),
          key({ id: "00000000-0000-4000-8000-000000000003", name: "Writer", scopes: ["write"] }),
        ],
      });
      expect(text).toContain("# (a key without sinks is adopted but never rotated: validate warns about each one)");
      const result = validate(parseManifest(text, "/work/imported.yaml"));
      expect(result.desired).toBeDefined();
      // The disabled entry (crm-2) is never created or rotated, so it needs no sink.
      expect(result.diagnostics.map((d) => `${d.severity} ${d.rule} ${d.path}`)).toEqual([
        "warning entry-without-sinks workspaces[0].keys[0]",
        "warning duplicate-name workspaces[0].keys[1].name",
        "warning entry-without-sinks workspaces[0].keys[2]",
        "warning write-without-expiry workspaces[0].keys[2].scopes",
      ]);
    },
  );
});
