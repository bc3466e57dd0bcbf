// The entry point the runner starts (dist/index.js is this file, bundled). It loads only what a
// step needs before it reads its inputs; main.ts imports the manifest's pipeline after that.
import { run } from "./main.js";

// V8's compiled code for the pipeline main.ts imports, cached on disk so a second step of the same
// job (plan then apply, a step per manifest) skips compiling it. The cache goes in RUNNER_TEMP: the
// runner makes it for the job, owned by the runner's user and emptied when the job ends, so a cache
// is never shared with another user of a self-hosted machine nor outlives the job's Node version.
// Off a runner, and on a Node without the API (it came in 22.1), nothing is cached here; Node's own
// NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE apply as they do to any program.
// (@types/node 20 does not declare the API.)
// (node:module is loaded only then: a step's start needs nothing else of it.)
const runnerTemp = process.env.RUNNER_TEMP;
if (runnerTemp) {
  const { enableCompileCache } = process.getBuiltinModule("node:module") as {
    enableCompileCache?: (directory: string) => unknown;
  };
  enableCompileCache?.(`${runnerTemp}/timely-keys-compile-cache`);
}

await run();
