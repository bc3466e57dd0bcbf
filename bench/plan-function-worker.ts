// Runs the pure `plan` function on one synthetic state in this process and prints one JSON line
// per timed run ({"ms", "gcMs", ...}), so a parent that stops a slow run still has the finished ones.
// Usage: node --expose-gc --import tsx bench/plan-function-worker.ts <shape> <keys> <warmups> <runs>
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { plan } from "@timely-keys/provisioner";
import { shapes, syntheticState, NOW, type Shape } from "./lib/synthetic.js";

const [shapeArg, keysArg, warmupsArg, runsArg] = process.argv.slice(2);
const shape = shapeArg as Shape;
if (!shapes.includes(shape)) throw new Error(`unknown shape ${shapeArg}`);
const keys = Number(keysArg);
const warmups = Number(warmupsArg ?? 1);
const runs = Number(runsArg ?? 3);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// GC pauses, to tell how much of a run's time was collection (entries arrive after the run).
const gcEntries: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
observer.observe({ entryTypes: ["gc"] });

const { desired, live } = syntheticState(shape, keys);
for (let i = 0; i < warmups + runs; i++) {
  // Start each run without the garbage of the previous one; the plan's own GC is part of its time.
  gc();
  await sleep(1);
  gcEntries.length = 0;
  const started = performance.now();
  const result = plan(desired, live, NOW);
  const ended = performance.now();
  await sleep(1);
  const gcMs = gcEntries
    .filter((e) => e.startTime >= started && e.startTime < ended)
    .reduce((sum, e) => sum + e.duration, 0);
  if (i >= warmups) {
    const actions = result.workspaces.reduce((sum, ws) => sum + ws.actions.length, 0);
    process.stdout.write(`${JSON.stringify({ ms: ended - started, gcMs, actions, summary: result.summary })}\n`);
  }
}
observer.disconnect();
