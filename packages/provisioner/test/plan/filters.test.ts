import { describe, expect, it } from "vitest";
import type { ApiKey } from "@timely-keys/sdk";
import { plan } from "../../src/plan.js";
import { fingerprintKeys } from "../../src/plan/fingerprint.js";
import { actions, apiKey, at, DAY, desired, entry, kinds, live, managed, NOW } from "./fixtures.js";

const a = entry("a");
const b = entry("b", { scopes: ["read", "write"] });
const manifest = desired({ prod: [a, b], staging: [entry("a")] });
const state = live({
  prod: [managed(b, 1, {}, { scopes: ["read"] }), managed(entry("removed"), 1), apiKey({ name: "stray" })],
  staging: [],
});

describe("workspace and target filters", () => {
  it("plans workspaces in manifest order, entries in manifest order", () => {
    const result = plan(manifest, state, NOW);
    expect(result.workspaces.map((w) => w.name)).toEqual(["prod", "staging"]);
    expect(result.workspaces[0]!.actions.map((x) => [x.kind, x.entryId ?? x.keyName])).toEqual([
      ["create", "a"],
      ["rotate", "b"],
      ["retire", "removed"],
      ["drift", "stray"],
    ]);
    expect(result.workspaces[1]!.actions.map((x) => x.kind)).toEqual(["create"]);
  });

  it("--workspace plans only the named workspaces", () => {
    const result = plan(manifest, state, NOW, { workspaces: ["staging"] });
    expect(result.workspaces.map((w) => w.name)).toEqual(["staging"]);
    expect(result.options.workspaces).toEqual(["staging"]);
  });

  it("--target plans only those entries (and removed entries of that id), without drift", () => {
    const result = plan(manifest, state, NOW, { targets: ["b", "removed"] });
    expect(result.workspaces.map((w) => kinds({ ...result, workspaces: [w] }))).toEqual([["rotate", "retire"], []]);
    expect(result.workspaces[0]!.entries.map((e) => e.entryId)).toEqual(["b"]);
  });

  it("warns about filters that match nothing", () => {
    const result = plan(manifest, state, NOW, { targets: ["nope"], workspaces: ["prod", "ghost"] });
    expect(result.warnings).toEqual([
      { workspace: "ghost", facts: { code: "workspace_not_in_manifest" } },
      { workspace: "*", entryId: "nope", facts: { code: "unknown_target" } },
    ]);
  });

  it("plans a workspace missing from the live state as empty, with a warning", () => {
    const result = plan(desired([a]), { workspaces: [] }, NOW);
    expect(kinds(result)).toEqual(["create"]);
    expect(result.workspaces[0]!.serverNow).toBeNull();
    expect(result.warnings).toHaveLength(1);
  });
});

describe("determinism and purity", () => {
  it("the same inputs give a deep-equal plan, whatever the order of the live keys", () => {
    const keys = state.workspaces[0]!.keys;
    const shuffled = { workspaces: [{ ...state.workspaces[0]!, keys: [...keys].reverse() }, state.workspaces[1]!] };
    expect(plan(manifest, shuffled, NOW)).toEqual(plan(manifest, state, NOW));
    expect(JSON.stringify(plan(manifest, state, NOW))).toBe(JSON.stringify(plan(manifest, state, NOW)));
  });

  it("never mutates its inputs", () => {
    const frozen = <T>(value: T): T => {
      if (value && typeof value === "object") {
        for (const v of Object.values(value)) frozen(v);
        Object.freeze(value);
      }
      return value;
    };
    const m = frozen(structuredClone(manifest));
    const l = frozen(structuredClone(state));
    expect(() => plan(m, l, NOW, frozen({ forceRotate: ["a"], targets: ["a", "b"] }))).not.toThrow();
  });

  it("records generated_at and the normalized options", () => {
    const result = plan(manifest, state, NOW, { forceRotate: ["b", "a", "b"] });
    expect(result.format_version).toBe(2);
    expect(result.generated_at).toBe(NOW.toISOString());
    expect(result.manifest).toBe("/repo/timely-keys.yaml");
    expect(result.options).toEqual({
      targets: null,
      workspaces: null,
      forceRotate: ["a", "b"],
      rollback: null,
      inFlightLeaseSeconds: 600,
    });
  });

  it("skips entries whose id cannot be put in a marker, and duplicate ids, with warnings", () => {
    const result = plan(desired([entry("bad id"), a, entry("a")]), live([]), NOW);
    expect(actions(result).map((x) => x.entryId)).toEqual(["a"]);
    expect(result.warnings).toHaveLength(2);
  });
});

describe("fingerprint", () => {
  const key = managed(a, 1, {}, { created_at: at(-DAY) });
  const base = fingerprintKeys([key]);
  const moved = (change: Partial<ApiKey>) => fingerprintKeys([{ ...key, ...change }]);

  it("is sha256 of the canonical live state, independent of key order", () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    const other = apiKey({ name: "x" });
    expect(fingerprintKeys([key, other])).toBe(fingerprintKeys([other, key]));
    expect(plan(desired([a]), live([key]), NOW).workspaces[0]!.fingerprint).toBe(base);
  });

  it("changes when the live state moves", () => {
    expect(moved({ status: "inactive" })).not.toBe(base);
    expect(moved({ name: "renamed" })).not.toBe(base);
    expect(moved({ description: "edited" })).not.toBe(base);
    expect(moved({ scopes: ["read", "write"] })).not.toBe(base);
    expect(moved({ expires_at: null })).not.toBe(base);
    expect(moved({ updated_at: at(0) })).not.toBe(base);
    expect(moved({ deactivated_at: at(0) })).not.toBe(base);
    expect(fingerprintKeys([key, apiKey({ name: "new" })])).not.toBe(base);
    expect(fingerprintKeys([])).not.toBe(base);
  });

  it("keeps its bytes: plans saved by an earlier version still match a fresh read", () => {
    // sha256 of the JSON array of canonical keys by id, as every version so far has written it.
    const keys: ApiKey[] = [
      {
        id: "00000000-0000-4000-8000-000000000002",
        workspace_id: "w",
        name: 'Clé "prod" 🔑',
        description: "line\nbreak [tk:crm#2 @1764000000 ~3fa2]",
        prefix: "tml_Ab12...",
        scopes: ["write", "read"],
        status: "inactive",
        created_at: "2026-11-01T00:00:00.000Z",
        updated_at: "2026-11-02T00:00:00.000Z",
        expires_at: null,
        last_used_at: "2026-11-03T00:00:00.000Z",
        deactivated_at: "2026-11-02T00:00:00.000Z",
        request_count: 7,
      },
      {
        id: "00000000-0000-4000-8000-000000000001",
        workspace_id: "w",
        name: "CRM sync",
        description: "",
        prefix: "tml_Cd34...",
        scopes: ["read"],
        status: "active",
        created_at: "2026-10-01T00:00:00.000Z",
        updated_at: "2026-10-01T00:00:00.000Z",
        expires_at: "2027-04-01T00:00:00.000Z",
        last_used_at: null,
        deactivated_at: null,
        request_count: 0,
      },
    ];
    expect(fingerprintKeys(keys)).toBe("sha256:c06973b9ded8615eb8b929c92d94c72054c372cdaa3ccea3a0a42bdb7325006f");
    expect(fingerprintKeys([])).toBe("sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
  });

  it("ignores usage, so a key in use does not make a saved plan stale", () => {
    expect(moved({ last_used_at: at(0), request_count: 99 })).toBe(base);
  });
});
