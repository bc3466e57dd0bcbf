import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { hashCredential, maskSecret, mintSecret, randomBase62 } from "../src/secrets.js";
import { tokens, useEmulator } from "./helpers.js";

describe("minting", () => {
  it("mints tml_ + 40 base62 characters, all different", () => {
    const secrets = Array.from({ length: 200 }, mintSecret);
    for (const s of secrets) expect(s).toMatch(/^tml_[A-Za-z0-9]{40}$/);
    expect(new Set(secrets).size).toBe(200);
  });

  it("draws every base62 character equally often (rejection sampling, no modulo bias)", () => {
    const sample = randomBase62(62 * 5000);
    const counts = new Map<string, number>();
    for (const ch of sample) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Expected 5000 each (sd ~70). A plain `byte % 62` would give the first 8 characters ~25% more.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(4600);
      expect(count).toBeLessThan(5400);
    }
  });

  it("masks to tml_ + 4 characters + ...", () => {
    expect(maskSecret("tml_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab")).toBe("tml_AbCd...");
  });

  it("hashes with SHA-256", () => {
    expect(hashCredential("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("secrets over HTTP", () => {
  const env = useEmulator({ recordSecrets: true });

  it("shows the secret only in the creation answer; nothing else the emulator exposes holds it", async () => {
    const key = await env.createKey();
    const exposed = [
      (await env.call("GET", "/v1/api-keys", { token: tokens.owner })).text,
      (await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner })).text,
      (await env.call("GET", `/v1/api-keys/${key.id}/usage`, { token: tokens.owner })).text,
      (await env.call("GET", "/v1/me", { token: key.secret })).text,
      (await env.call("GET", "/_emulator/state")).text,
      (await env.call("GET", "/_emulator/requests")).text,
      JSON.stringify(env.em.state()),
      JSON.stringify(env.em.requests()),
      inspect(env.em, { depth: 10 }),
    ];
    for (const text of exposed) {
      expect(text).not.toContain(key.secret);
      expect(text).not.toContain(hashCredential(key.secret));
    }
    expect(exposed[0]).toContain(key.prefix);
  });
});
