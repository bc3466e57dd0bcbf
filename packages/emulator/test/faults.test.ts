import { beforeEach, describe, expect, it } from "vitest";
import { FaultInjector, validateFaultConfig, type FaultConfig } from "../src/faults.js";
import { HUGE_BODY_BYTES } from "../src/api-pipeline.js";
import { tokens, useEmulator } from "./helpers.js";

const env = useEmulator({ recordSecrets: true });
beforeEach(() => {
  env.em.reset();
});

const setFaults = (config: unknown) => env.call("POST", "/_emulator/faults", { body: config });
const keyCount = () => env.em.state().workspaces[0]!.keys.length;
const createBody = { name: "CRM", scopes: ["read"] };

describe("POST /_emulator/faults", () => {
  it.each([
    [{ error_rates: { "418": 0.5 } }, "error_rates.418"],
    [{ error_rates: { "500": 2 } }, "error_rates.500"],
    [{ drop_rate: -0.1 }, "drop_rate"],
    [{ latency_ms: { min: 10, max: 5 } }, "latency_ms.max"],
    [{ latency_ms: "slow" }, "latency_ms"],
    [{ fail_nth: { n: 0, kind: "500" } }, "fail_nth.n"],
    [{ fail_nth: { n: 1, kind: "explode" } }, "fail_nth.kind"],
    [{ malformed_rate: { broken: 1 } }, "malformed_rate.broken"],
    [{ maintenance: "yes" }, "maintenance"],
    [{ seed: 1.5 }, "seed"],
    [{ paths: "(" }, "paths"],
    [{ when: "sometimes" }, "when"],
    [{ surprise: 1 }, "surprise"],
    [{ drop_rate: 0.6, error_rates: { "500": 0.6 } }, "error_rates"],
  ])("rejects %j naming %s", async (config, field) => {
    const reply = await setFaults(config);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "VALIDATION_ERROR", field });
    expect(reply.body.error.message).toContain(field);
  });

  it("returns the configuration; an empty body clears it", async () => {
    const set = await setFaults({ error_rates: { "503": 0.25 }, seed: 7 });
    expect(set.body.data).toEqual({ error_rates: { "503": 0.25 }, seed: 7 });
    expect((await env.call("GET", "/_emulator/faults")).body.data).toEqual({ error_rates: { "503": 0.25 }, seed: 7 });
    const cleared = await env.call("POST", "/_emulator/faults", { rawBody: "" });
    expect(cleared.body.data).toEqual({});
  });

  it("the library's faults.set validates too", () => {
    expect(() => env.em.faults.set({ drop_rate: 5 })).toThrow(/drop_rate/);
  });
});

describe("fail_nth", () => {
  it.each([
    ["500", 500],
    ["429", 429],
  ] as const)(
    "answers the n-th request with %s (with rate-limit headers), the others normally",
    async (kind, status) => {
      await setFaults({ fail_nth: { n: 2, kind }, when: "before" });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const reply = await env.call("GET", "/v1/me", { token: tokens.owner });
        statuses.push(reply.status);
        expect(reply.headers.get("x-ratelimit-limit")).toBe("100");
        expect(reply.headers.get("x-request-id")).toBeTruthy();
        if (reply.status === 429) expect(reply.headers.get("retry-after")).toBe("1");
        if (reply.status !== 200) expect(reply.body.error.status).toBe(status);
      }
      expect(statuses).toEqual([200, status, 200]);
    },
  );

  it("drop: destroys the connection without an answer", async () => {
    await setFaults({ fail_nth: { n: 1, kind: "drop" } });
    await expect(env.call("GET", "/v1/me", { token: tokens.owner })).rejects.toThrow();
    expect((await env.call("GET", "/v1/me", { token: tokens.owner })).status).toBe(200);
  });

  it("invalid_json: a body that does not parse", async () => {
    await setFaults({ fail_nth: { n: 1, kind: "invalid_json" } });
    const reply = await env.call("GET", "/v1/me", { token: tokens.owner });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("application/json");
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it("wrong_envelope: valid JSON without data", async () => {
    await setFaults({ fail_nth: { n: 1, kind: "wrong_envelope" } });
    const reply = await env.call("GET", "/v1/me", { token: tokens.owner });
    expect(reply.status).toBe(200);
    expect(reply.body).toBeTypeOf("object");
    expect(reply.body.data).toBeUndefined();
  });

  it("huge_body: a body of several megabytes", async () => {
    await setFaults({ fail_nth: { n: 1, kind: "huge_body" } });
    const response = await fetch(`${env.em.url}/v1/me`, { headers: { "x-api-key": tokens.owner } });
    expect(Number(response.headers.get("content-length"))).toBeGreaterThanOrEqual(HUGE_BODY_BYTES);
    const bytes = (await response.arrayBuffer()).byteLength;
    expect(bytes).toBeGreaterThanOrEqual(HUGE_BODY_BYTES);
  });
});

describe("faults before and after a mutation", () => {
  it("before: nothing changes", async () => {
    await setFaults({ fail_nth: { n: 1, kind: "500" }, when: "before" });
    const reply = await env.call("POST", "/v1/api-keys", { token: tokens.owner, body: createBody });
    expect(reply.status).toBe(500);
    expect(keyCount()).toBe(0);
    expect(env.em.mintedSecrets()).toHaveLength(0);
  });

  it("after: the key was made but the answer is lost", async () => {
    await setFaults({ fail_nth: { n: 1, kind: "500" }, when: "after" });
    const reply = await env.call("POST", "/v1/api-keys", { token: tokens.owner, body: createBody });
    expect(reply.status).toBe(500);
    expect(reply.text).not.toMatch(/tml_/);
    expect(keyCount()).toBe(1);
  });

  it("a create retried with its Idempotency-Key after a dropped answer yields one key", async () => {
    await setFaults({ fail_nth: { n: 1, kind: "drop" }, when: "after" });
    const headers = { "Idempotency-Key": "create-crm-1" };
    await expect(
      env.call("POST", "/v1/api-keys", { token: tokens.owner, body: createBody, headers }),
    ).rejects.toThrow();
    expect(keyCount()).toBe(1);
    const retry = await env.call("POST", "/v1/api-keys", { token: tokens.owner, body: createBody, headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body.data.id).toBe(env.em.state().workspaces[0]!.keys[0]!.id);
    expect(keyCount()).toBe(1);
  });

  it("after on a revoke: the key is gone although the answer was a 503", async () => {
    const key = await env.createKey();
    await setFaults({ fail_nth: { n: 1, kind: "503" }, when: "after" });
    expect((await env.call("DELETE", `/v1/api-keys/${key.id}`, { token: tokens.owner })).status).toBe(503);
    expect((await env.call("GET", `/v1/api-keys/${key.id}`, { token: tokens.owner })).status).toBe(404);
  });

  it("records faulted requests in the request log", async () => {
    await env.call("POST", "/_emulator/requests/clear");
    await setFaults({ fail_nth: { n: 1, kind: "drop" }, when: "after" });
    await expect(env.call("POST", "/v1/api-keys", { token: tokens.owner, body: createBody })).rejects.toThrow();
    const log = (await env.call("GET", "/_emulator/requests")).body.data;
    expect(log).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/v1/api-keys",
        status: 0,
        mutating: true,
        faulted: "drop:after",
        principal: "member:Olga Owner",
      }),
    ]);
  });
});

describe("random faults", () => {
  const run = async (config: FaultConfig, n: number) => {
    await setFaults(config);
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await env.call("GET", "/v1/me", { token: tokens.owner })).status);
    return statuses;
  };

  it("are reproducible with a seed", async () => {
    const config = { error_rates: { "500": 0.3, "503": 0.2 }, seed: 1234, when: "before" } satisfies FaultConfig;
    const first = await run(config, 40);
    env.em.reset();
    const second = await run(config, 40);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
  });

  it("only hit paths matching `paths`", async () => {
    await setFaults({ error_rates: { "500": 1 }, paths: "^/v1/agents" });
    const key = await env.createKey();
    expect((await env.call("GET", "/v1/agents", { token: key.secret })).status).toBe(500);
    expect((await env.call("GET", "/v1/me", { token: key.secret })).status).toBe(200);
  });

  it("add latency and still answer", async () => {
    await setFaults({ latency_ms: { min: 1, max: 3 } });
    expect((await env.call("GET", "/v1/me", { token: tokens.owner })).status).toBe(200);
  });

  it("never touch the control endpoints", async () => {
    await setFaults({ drop_rate: 1, maintenance: true });
    expect((await env.call("GET", "/_emulator/state")).status).toBe(200);
    expect((await env.call("GET", "/_emulator/clock")).status).toBe(200);
    expect((await env.call("GET", "/v1/me", { token: tokens.owner })).status).toBe(503);
  });
});

describe("FaultInjector", () => {
  it("decides the same faults for the same seed", () => {
    const a = new FaultInjector();
    const b = new FaultInjector();
    const config = validateFaultConfig({ drop_rate: 0.2, malformed_rate: { invalid_json: 0.2 }, seed: 99 });
    a.set(config);
    b.set(config);
    const kinds = (f: FaultInjector) => Array.from({ length: 50 }, () => f.decide("/v1/me").kind ?? "none");
    const fromA = kinds(a);
    expect(kinds(b)).toEqual(fromA);
    expect(new Set(fromA)).toEqual(new Set(["none", "drop", "invalid_json"]));
  });
});
