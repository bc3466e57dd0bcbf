import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { errorBody, type Answer } from "./answer.js";
import { authenticate, authorize, type Authentication } from "./auth.js";
import type { EmulatorCore } from "./core.js";
import { ApiError, conflict, validationError } from "./errors.js";
import type { FaultDecision, FaultKind } from "./faults.js";
import { writeAnswer, writeHugeBody, type RequestBody } from "./http-io.js";
import { fingerprintBody } from "./idempotency.js";
import type { RateLimitState } from "./rate-limit.js";
import { matchRoute, type Route } from "./routes.js";
import type { KeyRecord } from "./store.js";
import { parseIdempotencyKey } from "./validation.js";

export const HUGE_BODY_BYTES = 8 * 1024 * 1024;

interface Incoming {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  method: string;
  pathname: string;
  query: URLSearchParams;
  body: RequestBody;
}

/**
 * One /v1 request: faults before, rate limit, route, auth, validation, idempotency, handler, usage
 * accounting, faults after, contract check, request log.
 */
export async function handleApiRequest(core: EmulatorCore, incoming: Incoming): Promise<void> {
  const { req, method, pathname } = incoming;
  const address = req.socket.remoteAddress ?? "unknown";
  const match = matchRoute(method, pathname);
  const route = match.kind === "found" ? match.route : undefined;
  const decision = core.faults.decide(pathname);
  const identify = (nowMs: number): Authentication =>
    authenticate(req.headers["x-api-key"], core.store, nowMs, address);
  const limiterIdentity = (auth: Authentication) =>
    route?.access.kind === "public" ? `address:${address}` : auth.identity;

  if (decision.maintenance) {
    const nowMs = core.clock.nowMs();
    const auth = identify(nowMs);
    const answer = errorAnswer(incoming, new ApiError(503, "SERVICE_UNAVAILABLE", "The service is under maintenance"));
    send(incoming, answer, core.limiter.peek(limiterIdentity(auth), nowMs), nowMs);
    finish(core, incoming, { status: 503, principal: auth.principal, faulted: "maintenance" });
    return;
  }
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);

  const nowMs = core.clock.nowMs();
  const auth = identify(nowMs);
  if (decision.kind && decision.when === "before") {
    // The request never reaches the API: nothing changes, nothing is counted.
    await injectFault(
      core,
      incoming,
      decision,
      undefined,
      core.limiter.peek(limiterIdentity(auth), nowMs),
      nowMs,
      auth.principal,
    );
    return;
  }

  const limit = core.limiter.consume(limiterIdentity(auth), nowMs);
  if (route) checkRequest(core, incoming, route, match.kind === "found" ? match.params : {});

  let answer: Answer;
  if (!limit.allowed) {
    answer = errorAnswer(
      incoming,
      new ApiError(
        429,
        "RATE_LIMIT_EXCEEDED",
        `Rate limit of ${limit.limit} requests per 60 seconds exceeded; retry after ${limit.retryAfter} s`,
      ),
    );
    answer.headers = { "Retry-After": String(limit.retryAfter) };
  } else if (match.kind === "none") {
    // The path is not echoed: it is caller input and could hold anything.
    answer = errorAnswer(incoming, new ApiError(404, "NOT_FOUND", `No ${method} route at this path`));
  } else if (match.kind === "wrong-method") {
    answer = errorAnswer(
      incoming,
      new ApiError(404, "NOT_FOUND", `No ${method} route at this path (allowed: ${match.allowed.join(", ")})`),
    );
    answer.headers = { Allow: match.allowed.join(", ") };
  } else {
    answer = runRoute(core, incoming, match.route, match.params, auth, nowMs);
  }

  // Usage accounting: every request a valid API key makes to a known route (not health).
  const usageKey: KeyRecord | undefined =
    route && route.access.kind !== "public" && auth.credential?.kind === "key" && !auth.failure
      ? auth.credential.key
      : undefined;
  if (usageKey && route) {
    const userAgent = req.headers["user-agent"];
    core.recordUsage(
      usageKey,
      method,
      route.template,
      pathname,
      answer.status,
      nowMs,
      typeof userAgent === "string" ? userAgent : null,
    );
  }

  if (decision.kind && decision.when === "after") {
    await injectFault(core, incoming, decision, answer, limit, nowMs, auth.principal);
    return;
  }
  const sent = send(incoming, answer, limit, nowMs);
  if (route && core.validator) {
    const problems = core.validator.checkResponse(route.operationId, sent);
    if (problems.length > 0) recordViolation(core, incoming, "response", route, problems, answer.status);
  }
  finish(core, incoming, { status: answer.status, principal: auth.principal });
}

function runRoute(
  core: EmulatorCore,
  incoming: Incoming,
  route: Route,
  params: Record<string, string>,
  auth: Authentication,
  nowMs: number,
): Answer {
  try {
    if (route.access.kind !== "public") {
      if (auth.failure || !auth.credential)
        throw auth.failure ?? new ApiError(401, "UNAUTHORIZED", "Missing x-api-key header");
      authorize(auth.credential, route.access);
    }
    let body: unknown;
    if (route.body) {
      if (incoming.body.tooLarge) throw validationError("body", "body must be at most 1 MiB");
      if (incoming.body.text.trim() !== "") {
        try {
          body = JSON.parse(incoming.body.text);
        } catch {
          throw validationError("body", "body is not valid JSON");
        }
      }
    }
    const ctx = { core, credential: auth.credential, params, query: incoming.query, body, nowMs };
    if (!route.idempotent) return route.handler(ctx);

    // Only create documents a 400; on activate/deactivate an over-long key is simply used as is.
    const idempotencyKey = parseIdempotencyKey(
      incoming.req.headers["idempotency-key"],
      route.operationId === "createApiKey",
    );
    const replayed = (answer: Answer): Answer =>
      answer.status < 300 ? { ...answer, headers: { ...answer.headers, "Idempotent-Replayed": "false" } } : answer;
    if (idempotencyKey === undefined || !auth.credential) return replayed(route.handler(ctx));

    const caller =
      auth.credential.kind === "member" ? `member:${auth.credential.member.id}` : `key:${auth.credential.key.id}`;
    const scope = [auth.credential.workspace.id, caller, `${route.method} ${incoming.pathname}`, idempotencyKey].join(
      "\u0000",
    );
    const fingerprint = route.body ? fingerprintBody(body) : "";
    const found = core.idempotency.lookup(scope, fingerprint, nowMs);
    if (found.kind === "replay") {
      return { status: found.answer.status, body: found.answer.body, headers: { "Idempotent-Replayed": "true" } };
    }
    if (found.kind === "conflict") throw conflict("Idempotency-Key was already used with a different request body");
    const answer = replayed(route.handler(ctx));
    if (answer.status < 300)
      core.idempotency.store(scope, fingerprint, { status: answer.status, body: answer.body }, nowMs);
    return answer;
  } catch (error) {
    if (error instanceof ApiError) return errorAnswer(incoming, error);
    // Never echo internals (they could hold request data); the request id ties it to the log.
    return errorAnswer(incoming, new ApiError(500, "INTERNAL_ERROR", "Internal error"));
  }
}

function errorAnswer(incoming: Incoming, error: ApiError): Answer {
  return {
    status: error.status,
    body: errorBody(error.status, error.code, error.message, incoming.requestId, error.field),
  };
}

function baseHeaders(incoming: Incoming, limit: RateLimitState, nowMs: number): Record<string, string> {
  return {
    Date: new Date(nowMs).toUTCString(),
    "X-Request-Id": incoming.requestId,
    "X-RateLimit-Limit": String(limit.limit),
    "X-RateLimit-Remaining": String(limit.remaining),
    "X-RateLimit-Reset": String(limit.reset),
  };
}

function send(incoming: Incoming, answer: Answer, limit: RateLimitState, nowMs: number) {
  const bodyText = answer.body === undefined ? "" : JSON.stringify(answer.body);
  const headers = writeAnswer(
    incoming.res,
    answer.status,
    { ...baseHeaders(incoming, limit, nowMs), ...answer.headers },
    bodyText,
  );
  return { status: answer.status, headers, bodyText };
}

async function injectFault(
  core: EmulatorCore,
  incoming: Incoming,
  decision: FaultDecision,
  realAnswer: Answer | undefined,
  limit: RateLimitState,
  nowMs: number,
  principal: string,
): Promise<void> {
  const kind = decision.kind as FaultKind;
  const faulted = `${kind}:${decision.when}`;
  const headers = baseHeaders(incoming, limit, nowMs);
  // Broken bodies keep the real status (the change did happen), but never a body-less 204.
  const status = realAnswer && realAnswer.status !== 204 ? realAnswer.status : 200;
  switch (kind) {
    case "drop":
      incoming.res.socket?.destroy();
      incoming.res.destroy();
      finish(core, incoming, { status: 0, principal, faulted });
      return;
    case "500":
    case "503":
    case "429": {
      const error =
        kind === "500"
          ? new ApiError(500, "INTERNAL_ERROR", "Internal error (injected)")
          : kind === "503"
            ? new ApiError(503, "SERVICE_UNAVAILABLE", "Service unavailable (injected)")
            : new ApiError(429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded (injected)");
      const extra: Record<string, string> =
        kind === "429"
          ? {
              "Retry-After": "1",
              "X-RateLimit-Remaining": "0",
              "X-RateLimit-Reset": String(Math.ceil(nowMs / 1000) + 1),
            }
          : {};
      writeAnswer(
        incoming.res,
        error.status,
        { ...headers, ...extra },
        JSON.stringify(errorAnswer(incoming, error).body),
      );
      finish(core, incoming, { status: error.status, principal, faulted });
      return;
    }
    case "invalid_json":
      writeAnswer(incoming.res, status, headers, '{"data":{"id":"');
      finish(core, incoming, { status, principal, faulted });
      return;
    case "wrong_envelope":
      writeAnswer(incoming.res, status, headers, JSON.stringify({ result: "ok", items: [] }));
      finish(core, incoming, { status, principal, faulted });
      return;
    case "huge_body":
      finish(core, incoming, { status, principal, faulted });
      await writeHugeBody(incoming.res, status, headers, HUGE_BODY_BYTES);
      return;
  }
}

function checkRequest(core: EmulatorCore, incoming: Incoming, route: Route, params: Record<string, string>): void {
  if (!core.validator) return;
  const problems = core.validator.checkRequest(route.operationId, {
    params,
    query: incoming.query,
    headers: incoming.req.headers,
    bodyText: incoming.body.text,
  });
  if (problems.length > 0) recordViolation(core, incoming, "request", route, problems);
}

function recordViolation(
  core: EmulatorCore,
  incoming: Incoming,
  kind: "request" | "response",
  route: Route,
  problems: string[],
  status?: number,
): void {
  core.violations.push({
    kind,
    at: core.clock.now().toISOString(),
    request_id: incoming.requestId,
    operation_id: route.operationId,
    method: incoming.method,
    path: incoming.pathname,
    ...(status === undefined ? {} : { status }),
    problems,
  });
}

function finish(
  core: EmulatorCore,
  incoming: Incoming,
  outcome: { status: number; principal: string; faulted?: string },
): void {
  core.logRequest({
    at: core.clock.now().toISOString(),
    request_id: incoming.requestId,
    method: incoming.method,
    path: incoming.pathname,
    status: outcome.status,
    principal: outcome.principal,
    mutating: incoming.method !== "GET" && incoming.method !== "HEAD",
    ...(outcome.faulted ? { faulted: outcome.faulted } : {}),
  });
}
