// Test-only fault injection for crash-safety tests: TIMELY_KEYS_TEST_CRASH_AFTER=<step>[:<n>] kills
// the process (SIGKILL, no cleanup, like a runner losing power) right after the n-th completion
// (default 1st) of that apply step: create, deliver, verify, promote, update, activate, deactivate, revoke.
import type { PlanAction } from "../model.js";
import type { ApplyStep } from "../apply.js";

export function crashHook(
  env: NodeJS.ProcessEnv,
): ((action: PlanAction, step: ApplyStep, keyId: string) => void) | undefined {
  const spec = env.TIMELY_KEYS_TEST_CRASH_AFTER;
  if (!spec) return undefined;
  const [step, nth = "1"] = spec.split(":");
  let seen = 0;
  return (_action, done) => {
    if (done !== step) return;
    seen += 1;
    if (seen === Number(nth)) process.kill(process.pid, "SIGKILL");
  };
}
