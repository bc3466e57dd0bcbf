import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  InvalidResponseError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimelyError,
  TimeoutError,
  ValidationError,
} from "../src/index.js";
import { errorClassFor } from "../src/errors.js";
import { BASE, errorBody, makeClient, useMswServer } from "./helpers.js";

const server = useMswServer();

describe("error classes", () => {
  it("all extend TimelyError and Error, and carry their own name", () => {
    const classes = [
      AuthenticationError,
      PermissionError,
      NotFoundError,
      ConflictError,
      ValidationError,
      RateLimitError,
      ServerError,
      ConnectionError,
      TimeoutError,
      InvalidResponseError,
    ];
    for (const ErrorClass of classes) {
      const error = new ErrorClass({ message: "m", status: 418, code: "C", requestId: "r", retryAfter: 1, field: "f" });
      expect(error).toBeInstanceOf(TimelyError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(ErrorClass.name);
      expect(error.toJSON()).toEqual({
        name: ErrorClass.name,
        message: "m",
        status: 418,
        code: "C",
        requestId: "r",
        retryAfter: 1,
        field: "f",
      });
    }
  });

  it("maps statuses first, then codes for unusual statuses", () => {
    expect(errorClassFor(422, undefined)).toBe(ValidationError);
    expect(errorClassFor(418, "CONFLICT")).toBe(ConflictError);
    expect(errorClassFor(418, undefined)).toBe(TimelyError);
    expect(errorClassFor(504, "NOT_FOUND")).toBe(ServerError);
  });
});

describe("mapping answers to errors", () => {
  const cases = [
    [400, "VALIDATION_ERROR", ValidationError],
    [401, "UNAUTHORIZED", AuthenticationError],
    [403, "FORBIDDEN", PermissionError],
    [404, "NOT_FOUND", NotFoundError],
    [409, "CONFLICT", ConflictError],
    [429, "RATE_LIMIT_EXCEEDED", RateLimitError],
    [500, "INTERNAL_ERROR", ServerError],
    [503, "SERVICE_UNAVAILABLE", ServerError],
  ] as const;

  for (const [status, code, ErrorClass] of cases) {
    it(`${status} ${code} -> ${ErrorClass.name}`, async () => {
      server.use(
        http.get(`${BASE}/v1/me`, () =>
          HttpResponse.json(errorBody(status, code, `message for ${status}`), {
            status,
            headers: { "X-Request-Id": `req-${status}` },
          }),
        ),
      );
      const { client } = makeClient({ pacing: false, maxRetries: 0 });
      const error = await client.me().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ status, code, message: `message for ${status}`, requestId: `req-${status}` });
    });
  }

  it("carries the field of a validation error and the body's request_id", async () => {
    server.use(
      http.patch(`${BASE}/v1/api-keys/abc`, () =>
        HttpResponse.json(
          errorBody(400, "VALIDATION_ERROR", "name: too long", { field: "name", request_id: "req-body" }),
          {
            status: 400,
          },
        ),
      ),
    );
    const { client } = makeClient({ pacing: false });
    await expect(client.apiKeys.update("abc", { name: "x".repeat(200) })).rejects.toMatchObject({
      name: "ValidationError",
      field: "name",
      requestId: "req-body",
    });
  });

  it("carries retryAfter on a 429 that is not retried", async () => {
    server.use(
      http.get(`${BASE}/v1/me`, () =>
        HttpResponse.json(errorBody(429, "RATE_LIMIT_EXCEEDED", "slow"), {
          status: 429,
          headers: { "Retry-After": "17" },
        }),
      ),
    );
    const { client } = makeClient({ pacing: false, maxRetries: 0 });
    await expect(client.me()).rejects.toMatchObject({ name: "RateLimitError", retryAfter: 17 });
  });

  it("maps an error answer that is not JSON by its status", async () => {
    server.use(
      http.get(
        `${BASE}/v1/me`,
        () => new HttpResponse("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" }),
      ),
    );
    const { client } = makeClient({ pacing: false, maxRetries: 0 });
    const error = await client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, code: undefined, message: "HTTP 502 Bad Gateway" });
  });
});
