// This tree's plan() against an earlier commit's, in one process on the same synthetic state: the
// two alternate (ABAB..., the first of each pair swapped every round), with `gc()` before each call
// and each call's own collections in its time. Prints one JSON line per round ({"head", "base"} ms).
// Usage: node --expose-gc --conditions=@timely-keys/source --import tsx bench/plan-function-ab-worker.ts \
//   <commit> <shape> <keys> <warmups> <rounds>
import { setTimeout as sleep } from "node:timers/promises";
import { plan } from "@timely-keys/provisioner";
import { exportBaseline, loadPlan, type PlanFunction } from "./plan-function-baseline.js";
import { NOW, shapes, syntheticState, type Shape } from "./lib/synthetic.js";

const [sha = "", shapeArg, keysArg, warmupsArg, roundsArg] = process.argv.slice(2);
const shape = shapeArg as Shape;
if (!shapes.includes(shape)) throw new Error(`unknown shape ${shapeArg}`);
const keys = Number(keysArg);
const warmups = Number(warmupsArg ?? 5);
const rounds = Number(roundsArg ?? 10);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc: each call starts from a collected heap");

const root = new URL("..", import.meta.url).pathname;
const base = await loadPlan(await exportBaseline(root, sha));
const { desired, live } = syntheticState(shape, keys);

async function timed(fn: PlanFunction): Promise<number> {
  gc?.();
  await sleep(1);
  const started = performance.now();
  fn(desired, live, NOW);
  return performance.now() - started;
}

for (let i = 0; i < warmups; i++) {
  await timed(plan);
  await timed(base);
}
for (let round = 0; round < rounds; round++) {
  let head: number;
  let baseMs: number;
  if (round % 2 === 0) {
    head = await timed(plan);
    baseMs = await timed(base);
  } else {
    baseMs = await timed(base);
    head = await timed(plan);
  }
  process.stdout.write(`${JSON.stringify({ head, base: baseMs })}\n`);
}
