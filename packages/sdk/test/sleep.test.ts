import { afterEach, describe, expect, it, vi } from "vitest";
import { sleep } from "../src/sleep.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("sleep", () => {
  it("resolves once the time has passed, not before", async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = sleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it("rejects with the signal's reason on abort, and clears its timer", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    await expect(sleep(60_000, AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});
