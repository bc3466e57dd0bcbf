// 4. Cold start: wall time of fresh node processes, medians of interleaved runs: `node -e 0`,
// `timely-keys --version`, `timely-keys validate -f examples/timely-keys.yaml`, and the GitHub
// Action's bundle (packages/github-action/dist/index.js) as the runner starts it, under Node 24
// (the runner's runtime for `using: node24`) and under this Node, each against its own `node -e 0`;
// and how long a `timely-keys plan` process lives after its last output (its exit wait), with the
// CLI's HTTP client (node:http) and with the platform's fetch.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ensureNode24 } from "../packages/github-action/test/support/run-action.js";
import { actionBundlePath, cliPath, ensureBuilt } from "./lib/cli.js";
import { manifestYaml, startBenchEmulator, tempDir, TOKEN_ENV, type TempDir } from "./lib/fixtures.js";
import { childEnv } from "./lib/spawn.js";
import { hotList, profileProcess } from "./lib/profile.js";
import { median, mib, ms, ratio } from "./lib/stats.js";
import { verdict, type BenchLine, type BenchOutcome, type Benchmark } from "./lib/types.js";

const WARMUP_ROUNDS = 3;
const ROUNDS = 25;
const VERSION_TARGET = 1.5;
/** Issue 17: the Action starts within 1.5x `node -e 0` on Node 24, the runner's runtime. */
const ACTION_TARGET = 1.5;

interface Command {
  name: string;
  /** The node binary. */
  node: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Checks the run did what it should (a benchmark of a failing command measures nothing). */
  check(code: number | null, stdout: string): boolean;
  times: number[];
  /** Per run, ms from the last byte of output to the process's exit (measured for the plan runs). */
  exitWaits?: number[];
  /** Runs before each of its runs. */
  prepare?: () => void;
}

interface ExitTimedRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the last chunk of stdout or stderr read to the child's exit. */
  exitWaitMs: number;
}

/** Like timedRun, and also when the last output arrived: what the process did after it is its exit. */
function exitTimedRun(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<ExitTimedRun>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let lastOutput = started;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      lastOutput = performance.now();
      out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      lastOutput = performance.now();
      err.push(chunk);
    });
    child.on("error", reject);
    // "exit" is the process's end; "close" comes once its pipes are read to the end too.
    let exited = started;
    child.on("exit", () => {
      exited = performance.now();
    });
    child.on("close", (code) =>
      resolve({
        ms: performance.now() - started,
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitWaitMs: Math.max(0, exited - lastOutput),
      }),
    );
  });
}

/** The runner's side of an action run: inputs as INPUT_* variables, files for outputs and the summary. */
function actionEnv(dir: TempDir, inputs: Record<string, string>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    GITHUB_WORKSPACE: dir.path,
    GITHUB_OUTPUT: dir.file(`output-${Object.values(inputs).join("-")}.txt`, ""),
    GITHUB_STEP_SUMMARY: dir.file(`summary-${Object.values(inputs).join("-")}.md`, ""),
    ...extra,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return childEnv(env);
}

/** What the runner loads at start and what it leaves for later, from the committed dist/. */
function actionLayout(action: string): string {
  const chunksDir = join(dirname(action), "chunks");
  const chunkNames = existsSync(chunksDir) ? readdirSync(chunksDir) : [];
  const sizeOf = (names: string[]) => mib(names.reduce((sum, name) => sum + statSync(join(chunksDir, name)).size, 0));
  const index = readFileSync(action, "utf8");
  // `import{...}from"./chunks/x.js"` and the bare `import"./chunks/x.js"` (the bundler's helpers).
  const staticChunks = [
    ...new Set([...index.matchAll(/(?:from|import)"\.\/chunks\/([^"]+)"/g)].map((m) => m[1] as string)),
  ];
  const pipeline = chunkNames.filter((name) => name.startsWith("pipeline-"));
  const later = chunkNames.filter((name) => !staticChunks.includes(name) && !pipeline.includes(name));
  return (
    `\`dist/index.js\` is ${mib(statSync(action).size)} and statically imports ${staticChunks.length} chunk(s) ` +
    `(${sizeOf(staticChunks)}: the SDK's modules it shares with the pipeline, the bundler's helpers); the pipeline ` +
    `(YAML, validation, plan, render, apply, check) is \`dist/chunks/${pipeline.join(", ")}\` (${sizeOf(pipeline)}), ` +
    "imported once the inputs are read; the delivery sinks' SDKs (AWS SDK, libsodium) are in " +
    `${later.length} more chunks (${sizeOf(later)}), read only when a job delivers to those sinks ` +
    "(packages/github-action/scripts/build.mjs)."
  );
}

export const coldStart: Benchmark = {
  name: "cold-start",
  title: "CLI and Action start-up versus node -e 0",
  async run(ctx): Promise<BenchOutcome> {
    await ensureBuilt(ctx.root);
    const cli = cliPath(ctx.root);
    const action = actionBundlePath(ctx.root);
    const hasAction = existsSync(action);
    const dir = tempDir("cold");
    const world = await startBenchEmulator(0, 1_000_000);
    try {
      const env = childEnv();
      const here = process.execPath;
      const node24 = ensureNode24();
      const thisNode = `Node ${process.versions.node.split(".")[0]}`;
      dir.file("timely-keys.yaml", manifestYaml([{ id: "new-integration", name: "New Integration" }]));
      const cliPlanEnv = childEnv({ [TOKEN_ENV]: world.token, TIMELY_API_URL: world.emulator.url });
      const cliPlanFetchEnv = { ...cliPlanEnv, TIMELY_KEYS_HTTP_CLIENT: "fetch" };
      const exitedWell = (code: number | null) => code === 0;
      const planned = (code: number | null, out: string) => code === 0 && out.includes("new-integration");
      const commands = {
        node: { name: "node -e 0", node: here, args: ["-e", "0"], env, check: exitedWell, times: [] },
        version: {
          name: "timely-keys --version",
          node: here,
          args: [cli, "--version"],
          env,
          check: (code, out) => code === 0 && out.startsWith("timely-keys "),
          times: [],
        },
        validate: {
          name: "timely-keys validate -f examples/timely-keys.yaml",
          node: here,
          args: [cli, "validate", "-f", join(ctx.root, "examples", "timely-keys.yaml")],
          env,
          check: (code, out) => code === 0 && out.includes("valid"),
          times: [],
        },
        cliPlan: {
          name: `timely-keys plan, 1 entry, empty workspace, ${thisNode}`,
          node: here,
          args: [cli, "plan", "-f", "timely-keys.yaml"],
          env: cliPlanEnv,
          check: planned,
          times: [],
          exitWaits: [],
        },
        // The platform's fetch (undici): its WebAssembly HTTP parser is what the exit used to wait for.
        cliPlanFetch: {
          name: `timely-keys plan, 1 entry, empty workspace, ${thisNode}, TIMELY_KEYS_HTTP_CLIENT=fetch`,
          node: here,
          args: [cli, "plan", "-f", "timely-keys.yaml"],
          env: cliPlanFetchEnv,
          check: planned,
          times: [],
          exitWaits: [],
        },
        node24: {
          name: "node -e 0, Node 24",
          node: node24,
          args: ["-e", "0"],
          env,
          check: exitedWell,
          times: [],
        },
        cliPlan24: {
          name: "timely-keys plan, 1 entry, empty workspace, Node 24",
          node: node24,
          args: [cli, "plan", "-f", "timely-keys.yaml"],
          env: cliPlanEnv,
          check: planned,
          times: [],
          exitWaits: [],
        },
        cliPlan24Fetch: {
          name: "timely-keys plan, 1 entry, empty workspace, Node 24, TIMELY_KEYS_HTTP_CLIENT=fetch",
          node: node24,
          args: [cli, "plan", "-f", "timely-keys.yaml"],
          env: cliPlanFetchEnv,
          check: planned,
          times: [],
          exitWaits: [],
        },
      } satisfies Record<string, Command>;
      const actionCommands: Record<string, Command> = {};
      if (hasAction) {
        const startEnv = actionEnv(dir, { command: "none" });
        const planInputs = { command: "plan", manifest: "timely-keys.yaml" };
        const planEnv = actionEnv(dir, planInputs, { [TOKEN_ENV]: world.token, TIMELY_API_URL: world.emulator.url });
        // On a runner RUNNER_TEMP is the job's own folder, where dist/index.js keeps its compile cache: the
        // first step of a job finds it empty (and writes the cache), a later step finds what it left.
        const firstStepTemp = join(dir.path, "runner-temp-first-step");
        const laterStepTemp = join(dir.path, "runner-temp-later-step");
        mkdirSync(laterStepTemp);
        const runnerPlanEnv = (runnerTemp: string) =>
          actionEnv(dir, planInputs, {
            [TOKEN_ENV]: world.token,
            TIMELY_API_URL: world.emulator.url,
            RUNNER_TEMP: runnerTemp,
          });
        const stopsAtInput = (code: number | null, out: string) => code === 1 && out.includes("::error::");
        Object.assign(actionCommands, {
          startHere: {
            name: `action start (stops at a bad input), ${thisNode}`,
            node: here,
            args: [action],
            env: startEnv,
            check: stopsAtInput,
            times: [],
          },
          start24: {
            name: "action start (stops at a bad input), Node 24",
            node: node24,
            args: [action],
            env: startEnv,
            check: stopsAtInput,
            times: [],
          },
          plan24: {
            name: "action plan, 1 entry, empty workspace, Node 24",
            node: node24,
            args: [action],
            env: planEnv,
            check: exitedWell,
            times: [],
            exitWaits: [],
          },
          plan24FirstStep: {
            name: "action plan, 1 entry, empty workspace, Node 24, first step of a job (writes the compile cache)",
            node: node24,
            args: [action],
            env: runnerPlanEnv(firstStepTemp),
            check: exitedWell,
            times: [],
            prepare: () => {
              rmSync(firstStepTemp, { recursive: true, force: true });
              mkdirSync(firstStepTemp);
            },
          },
          plan24LaterStep: {
            name: "action plan, 1 entry, empty workspace, Node 24, later step of a job (reads the compile cache)",
            node: node24,
            args: [action],
            env: runnerPlanEnv(laterStepTemp),
            check: exitedWell,
            times: [],
          },
        });
      }
      const all: Command[] = [...Object.values(commands), ...Object.values(actionCommands)];
      for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        for (let i = 0; i < all.length; i++) {
          const command = all[(round + i) % all.length] as Command;
          command.prepare?.();
          const run = await exitTimedRun(command.node, command.args, command.env, dir.path);
          if (!command.check(run.code, run.stdout)) {
            const tail = (run.stderr || run.stdout).trim().split("\n").slice(-3).join(" ");
            throw new Error(`${command.name} did not run as expected (exit ${run.code}): ${tail}`);
          }
          if (round >= WARMUP_ROUNDS) {
            command.times.push(run.ms);
            command.exitWaits?.push(run.exitWaitMs);
          }
        }
      }
      const m = (command: Command) => median(command.times);
      const wait = (command: Command) => median(command.exitWaits ?? []);
      const [node, version, validate, node24Baseline] = [
        commands.node,
        commands.version,
        commands.validate,
        commands.node24,
      ].map(m) as [number, number, number, number];
      ctx.progress(`cold-start: ${all.map((c) => `${c.name} ${ms(median(c.times))}`).join(", ")}`);
      const lines: BenchLine[] = [
        {
          label: "timely-keys --version / node -e 0",
          figure: `${ratio(version / node)} (${ms(version)} vs ${ms(node)})`,
          target: `<= ${VERSION_TARGET}x`,
          verdict: verdict(version / node <= VERSION_TARGET),
        },
        {
          label: "timely-keys validate (example manifest) / node -e 0",
          figure: `${ratio(validate / node)} (${ms(validate)} vs ${ms(node)})`,
          target: "(reported)",
          verdict: "INFO",
        },
        {
          label:
            `timely-keys plan: exit wait after its last output, ${thisNode} (Node 24; ` +
            `with TIMELY_KEYS_HTTP_CLIENT=fetch: ${thisNode}, Node 24)`,
          figure:
            `${ms(wait(commands.cliPlan))} of ${ms(m(commands.cliPlan))} ` +
            `(${ms(wait(commands.cliPlan24))} of ${ms(m(commands.cliPlan24))}; ` +
            `${ms(wait(commands.cliPlanFetch))} of ${ms(m(commands.cliPlanFetch))}, ` +
            `${ms(wait(commands.cliPlan24Fetch))} of ${ms(m(commands.cliPlan24Fetch))})`,
          target: "(reported)",
          verdict: "INFO",
        },
      ];
      const { startHere, start24, plan24, plan24FirstStep, plan24LaterStep } = actionCommands;
      if (startHere && start24 && plan24 && plan24FirstStep && plan24LaterStep) {
        const versus24 = (command: Command) =>
          `${ratio(m(command) / node24Baseline)} (${ms(m(command))} vs ${ms(node24Baseline)})`;
        lines.push(
          {
            label: "Action dist/index.js start / node -e 0, Node 24 (the runner's)",
            figure: versus24(start24),
            target: `<= ${ACTION_TARGET}x`,
            verdict: verdict(m(start24) / node24Baseline <= ACTION_TARGET),
          },
          {
            label: `Action dist/index.js start / node -e 0, ${thisNode}`,
            figure: `${ratio(m(startHere) / node)} (${ms(m(startHere))} vs ${ms(node)})`,
            target: "(reported)",
            verdict: "INFO",
          },
          {
            label: "Action plan (1 entry, empty workspace) / node -e 0, Node 24",
            figure: versus24(plan24),
            target: "(reported)",
            verdict: "INFO",
          },
          {
            label: "Action plan, first step of a job (writes the compile cache) / node -e 0, Node 24",
            figure: versus24(plan24FirstStep),
            target: "(reported)",
            verdict: "INFO",
          },
          {
            label: "Action plan, later step of a job (reads the compile cache) / node -e 0, Node 24",
            figure: versus24(plan24LaterStep),
            target: "(reported)",
            verdict: "INFO",
          },
        );
      } else {
        lines.push({
          label: "Action dist/index.js start / node -e 0, Node 24 (the runner's)",
          figure: "not measured: dist missing",
          target: `<= ${ACTION_TARGET}x`,
          verdict: "NOT MEASURED",
        });
      }
      lines.forEach(ctx.print);

      const notes = [
        `Each command is a fresh \`node\` process spawned by the bench ` +
          `(no loader, \`NODE_OPTIONS\` cleared); the figure is the ` +
          `wall time from spawn to exit with its output read, median ` +
          `of ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds; ` +
          `in every round the commands run one after another in a rotating order.`,
        `| command | median | exit wait (median) |\n| --- | --- | --- |\n${all
          .map((c) => `| \`${c.name}\` | ${ms(median(c.times))} | ${c.exitWaits ? ms(median(c.exitWaits)) : ""} |`)
          .join("\n")}`,
        "**Exit wait**: the time from the last byte of a `timely-keys plan`'s output (one entry, against " +
          "an in-process emulator with an empty workspace) to its process's exit. The platform's `fetch` " +
          "(undici) parses answers with llhttp compiled to WebAssembly; parsing the plan's responses makes " +
          "V8 optimise the parser's one very large function on a background thread, and Node waits for " +
          "V8's background jobs before the process ends (an explicit `process.exit()` waits as long). The " +
          "CLI and the Action therefore send with `httpFetch` (packages/provisioner/src/http-fetch.ts), " +
          "a fetch on `node:http`, whose parser is Node's native llhttp: no such wait. " +
          "`TIMELY_KEYS_HTTP_CLIENT=fetch` (or a proxy variable) selects the platform's fetch again; those " +
          "rows show the wait it brings.",
      ];
      if (hasAction) {
        notes.push(
          "The Action is started as the runner starts it (`node dist/index.js`, inputs as `INPUT_*` " +
            "variables, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files), by the Node 24 binary of the npm " +
            "`node@24` package (GitHub runs `using: node24` actions on Node 24) and by this Node, each " +
            "compared with `node -e 0` of the same binary. **start**: with `command: none` it loads " +
            "`dist/index.js` (the inputs, the runner commands, the SDK's redaction), then stops at input " +
            "parsing with `::error::` and exit 1: the start-up cost alone. Of Node's own modules it loads, " +
            "beyond those of `node -e 0`, only `node:os`, and `node:net` with the streams to write to its " +
            "stdout pipe. `node:crypto` (@actions/core's random delimiter of a `GITHUB_OUTPUT` value), " +
            "`node:fs/promises` (the job summary, the plan and report files) and `node:module` (the " +
            "bundle's `require()`, the compile cache on a runner) load where they are first used, after " +
            "the inputs (packages/github-action/scripts/actions-core-builtins.mjs and build.mjs); @actions/core's " +
            "HTTP client and process runner, for calls the Action never makes, are not bundled. " +
            "**plan** (reported): a whole " +
            "`command: plan` run on a one-entry manifest against an in-process emulator with an empty " +
            "workspace (validate, one list call, plan, outputs, job summary): without `RUNNER_TEMP` (no " +
            "compile cache, as before it existed), with an empty `RUNNER_TEMP` (a job's first step: " +
            "`dist/index.js` enables Node's module compile cache there and writes it at exit) and with " +
            "the `RUNNER_TEMP` of the previous run (a later step of the same job reads it). A " +
            "GitHub-hosted runner is a fresh machine per job, so only later steps of a job find a cache.",
          actionLayout(action),
        );
      }
      if (version / node > VERSION_TARGET) {
        const summary = await profileProcess([cli, "--version"], { env, cwd: dir.path });
        notes.push(
          `**Missed: --version ${ratio(version / node)} > ${VERSION_TARGET}x.** ` +
            `\`bin/timely-keys.js\` imports \`dist/cli.js\`, which ` +
            "answers `--version` before importing the command modules. A CPU profile of it (`node --cpu-prof`, " +
            `${summary.totalMs.toFixed(0)} ms sampled, ` +
            `${summary.inclusiveMs("compileSourceTextModule").toFixed(0)} ms compiling ES modules), ` +
            `hottest functions by self time:\n\n${hotList(summary, 6)}`,
        );
      }
      if (start24 && m(start24) / node24Baseline > ACTION_TARGET) {
        const summary = await profileProcess(start24.args, { env: start24.env, cwd: dir.path }, 12, undefined, node24);
        notes.push(
          `**Missed: Action start under Node 24 ${ratio(m(start24) / node24Baseline)} > ${ACTION_TARGET}x.** ` +
            `A CPU profile of the start (\`node --cpu-prof\`, ${summary.totalMs.toFixed(0)} ms sampled) spends ` +
            `${summary.inclusiveMs("compileSourceTextModule").toFixed(0)} ` +
            `ms in \`compileSourceTextModule\` (V8 parsing and compiling ` +
            `\`dist/index.js\` and the chunks it imports) and ` +
            `${summary.inclusiveMs("compileForPublicLoader").toFixed(0)} ms ` +
            `loading Node's own modules (\`node:net\` and the streams for the stdout pipe, ` +
            `...). Hottest functions by self time:\n\n${hotList(summary, 6)}`,
        );
      }
      return { lines, notes };
    } finally {
      dir.remove();
      await world.emulator.close();
    }
  },
};
