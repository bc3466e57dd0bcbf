import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorCore } from "./core.js";
import { FaultConfigError } from "./faults.js";
import { writeAnswer } from "./http-io.js";
import type { StateDump } from "./state-dump.js";

/** What the control endpoints may ask of the emulator beyond its core. */
export interface ControlActions {
  reset(options: { keepClock: boolean }): void;
  state(): StateDump;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * `/_emulator/*`: test and tooling endpoints outside the public contract. No auth, never faulted
 * or rate-limited, not logged.
 */
export function handleControlRequest(
  core: EmulatorCore,
  actions: ControlActions,
  request: {
    req: IncomingMessage;
    res: ServerResponse;
    requestId: string;
    method: string;
    pathname: string;
    bodyText: string;
  },
): void {
  const { method, pathname } = request;
  let status = 200;
  let body: unknown;
  try {
    body = { data: route(core, actions, method, pathname, request.bodyText) };
  } catch (error) {
    const e =
      error instanceof ControlError
        ? error
        : error instanceof FaultConfigError
          ? new ControlError(400, error.message, error.field)
          : new ControlError(400, (error as Error).message);
    status = e.status;
    const code = e.status === 404 ? "NOT_FOUND" : "VALIDATION_ERROR";
    body = {
      error: {
        code,
        message: e.message,
        status: e.status,
        ...(e.field ? { field: e.field } : {}),
        request_id: request.requestId,
      },
    };
  }
  writeAnswer(
    request.res,
    status,
    { Date: core.clock.now().toUTCString(), "X-Request-Id": request.requestId, "Cache-Control": "no-store" },
    JSON.stringify(body),
  );
}

function route(
  core: EmulatorCore,
  actions: ControlActions,
  method: string,
  pathname: string,
  bodyText: string,
): unknown {
  const key = `${method} ${pathname.replace(/\/+$/, "")}`;
  switch (key) {
    case "GET /_emulator/clock":
      return clockView(core);
    case "POST /_emulator/clock": {
      const body = parseBody(bodyText);
      const fields = Object.keys(body);
      const unknown = fields.find((f) => f !== "advance_seconds" && f !== "now");
      if (unknown) throw new ControlError(400, `${unknown}: unknown field (use advance_seconds or now)`, unknown);
      if (fields.length !== 1) throw new ControlError(400, "body: give exactly one of advance_seconds or now", "body");
      if ("advance_seconds" in body) {
        if (typeof body.advance_seconds !== "number" || !Number.isFinite(body.advance_seconds)) {
          throw new ControlError(400, "advance_seconds: must be a number of seconds", "advance_seconds");
        }
        core.clock.advance(body.advance_seconds);
      } else {
        if (typeof body.now !== "string") throw new ControlError(400, "now: must be an ISO 8601 date-time", "now");
        try {
          core.clock.set(body.now);
        } catch (error) {
          throw new ControlError(400, (error as Error).message, "now");
        }
      }
      core.changed();
      return clockView(core);
    }
    case "GET /_emulator/faults":
      return core.faults.current();
    case "POST /_emulator/faults":
      return core.faults.set(bodyText.trim() === "" ? {} : parseBody(bodyText));
    case "DELETE /_emulator/faults":
      core.faults.clear();
      return core.faults.current();
    case "POST /_emulator/reset": {
      const body = bodyText.trim() === "" ? {} : parseBody(bodyText);
      const unknown = Object.keys(body).find((f) => f !== "keep_clock");
      if (unknown) throw new ControlError(400, `${unknown}: unknown field (allowed: keep_clock)`, unknown);
      if (body.keep_clock !== undefined && typeof body.keep_clock !== "boolean") {
        throw new ControlError(400, "keep_clock: must be true or false", "keep_clock");
      }
      actions.reset({ keepClock: body.keep_clock === true });
      return actions.state();
    }
    case "GET /_emulator/state":
      return actions.state();
    case "GET /_emulator/requests":
      return core.requestLog;
    case "POST /_emulator/requests/clear":
      core.requestLog.length = 0;
      return { cleared: true };
    case "GET /_emulator/contract-violations":
      return core.violations;
    case "POST /_emulator/contract-violations/clear":
      core.violations.length = 0;
      return { cleared: true };
    case "GET /_emulator/minted-secrets":
      if (!core.recordSecrets)
        throw new ControlError(
          404,
          "minted-secrets is only served when the emulator records secrets (recordSecrets: true)",
        );
      return core.mintedSecrets();
    default:
      throw new ControlError(404, `No control endpoint ${method} at this path`);
  }
}

function clockView(core: EmulatorCore) {
  return { now: core.clock.now().toISOString(), offset_seconds: core.clock.getOffsetMs() / 1000 };
}

function parseBody(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text === "" ? "{}" : text);
  } catch {
    throw new ControlError(400, "body: not valid JSON", "body");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ControlError(400, "body: must be a JSON object", "body");
  return value as Record<string, unknown>;
}
