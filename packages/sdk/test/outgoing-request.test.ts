import { describe, expect, it } from "vitest";
import { OutgoingRequest } from "../src/outgoing-request.js";

describe("OutgoingRequest", () => {
  it("keeps the parts openapi-fetch gives it, uppercasing the method and defaulting redirect", () => {
    const headers = new Headers({ "content-type": "application/json" });
    const signal = new AbortController().signal;
    const request = new OutgoingRequest("https://api.test/v1/x", { method: "post", headers, body: '{"a":1}', signal });
    expect(request.url).toBe("https://api.test/v1/x");
    expect(request.method).toBe("POST");
    expect(request.headers).toBe(headers);
    expect(request.signal).toBe(signal);
    expect(request.redirect).toBe("follow");
    expect(OutgoingRequest.bodyOf(request)).toBe('{"a":1}');
    expect(new OutgoingRequest(new URL("https://api.test/"), { headers: { a: "b" } }).headers.get("a")).toBe("b");
  });

  it("reads its body once, like a Request; a clone reads it again", async () => {
    const request = new OutgoingRequest("https://api.test/", { method: "POST", body: '{"a":1}' });
    const copy = request.clone();
    expect(await request.json()).toEqual({ a: 1 });
    expect(request.bodyUsed).toBe(true);
    await expect(request.text()).rejects.toThrow(TypeError);
    expect(await copy.text()).toBe('{"a":1}');
    expect(copy.headers).not.toBe(request.headers);
    expect((await new OutgoingRequest("https://api.test/").arrayBuffer()).byteLength).toBe(0);
    expect(await new OutgoingRequest("https://api.test/", { method: "POST", body: new Uint8Array([104, 105]) }).text()).toBe("hi");
  });

  it("counts real Requests as instances (middleware may return one), and nothing else", () => {
    expect(new OutgoingRequest("https://api.test/") instanceof OutgoingRequest).toBe(true);
    expect(new Request("https://api.test/") instanceof OutgoingRequest).toBe(true);
    expect({ url: "https://api.test/" } instanceof OutgoingRequest).toBe(false);
    expect((null as unknown) instanceof OutgoingRequest).toBe(false);
  });
});
