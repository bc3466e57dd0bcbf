import { ok } from "../answer.js";
import { API_VERSION, type Health } from "../contract-types.js";
import type { Handler } from "./context.js";

export const getHealth: Handler = ({ nowMs }) => {
  const health: Health = { status: "ok", version: API_VERSION, timestamp: new Date(nowMs).toISOString() };
  return ok(health);
};
