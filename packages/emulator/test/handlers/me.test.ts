import { describe, expect, it } from "vitest";
import { tokens, useEmulator } from "../helpers.js";

const env = useEmulator();

describe("GET /v1/me", () => {
  it("introspects an API key: workspace, scopes, permissions; the call counts in its usage", async () => {
    const key = await env.createKey({ name: "Data pipeline", scopes: ["read", "analytics"] });
    const reply = await env.call("GET", "/v1/me", { token: key.secret });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({
      principal: "api_key",
      company_id: env.em.state().company_id,
      workspace_id: key.workspace_id,
      key_id: key.id,
      key_name: "Data pipeline",
      scopes: ["read", "analytics"],
      permissions: ["agents:read", "analytics:export", "analytics:read", "contacts:read", "conversations:read"],
      role: null,
    });
    const usage = await env.call("GET", `/v1/api-keys/${key.id}/usage`, { token: tokens.owner });
    expect(usage.body.data.total_requests).toBe(1);
  });

  it.each([
    ["owner", tokens.owner, "Olga Owner", ["api_keys:read", "api_keys:write"]],
    ["manager", tokens.manager, "Max Manager", ["api_keys:read", "api_keys:write"]],
    ["member", tokens.member, "Mia Member", ["api_keys:read"]],
    ["viewer", tokens.viewer, "Vic Viewer", ["api_keys:read"]],
  ])("introspects a management token of a %s", async (role, token, name, permissions) => {
    const reply = await env.call("GET", "/v1/me", { token });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({
      principal: "member",
      key_id: null,
      key_name: name,
      scopes: [],
      role,
      permissions,
    });
    expect(reply.text).not.toContain(token);
  });
});
