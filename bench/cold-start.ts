// 4. Cold start: wall time of fresh node processes, medians of interleaved runs: `node -e 0`,
// `timely-keys --version`, `timely-keys validate -f examples/timely-keys.yaml`, and the GitHub
// Action's bundle (packages/github-action/dist/index.js) as the runner starts it, under Node 24
// (the runner's runtime for `using: node24`) and under this Node, each against its own `node -e 0`.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ensureNode24 } from "../packages/github-action/test/support/run-action.js";
import { actionBundlePath, cliPath, ensureBuilt } from "./lib/cli.js";
import { manifestYaml, startBenchEmulator, tempDir, TOKEN_ENV, type BenchWorld, type TempDir } from "./lib/fixtures.js";
import { childEnv, timedRun } from "./lib/spawn.js";
import { hotList, profileProcess } from "./lib/profile.js";
import { median, mib, ms, ratio } from "./lib/stats.js";
import { verdict, type BenchLine, type BenchOutcome, type Benchmark } from "./lib/types.js";

const WARMUP_ROUNDS = 3;
const ROUNDS = 25;
const VERSION_TARGET = 1.5;
const ACTION_TARGET = 2;

interface Command {
  name: string;
  /** The node binary. */
  node: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Checks the run did what it should (a benchmark of a failing command measures nothing). */
  check(code: number | null, stdout: string): boolean;
  times: number[];
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

/** What the runner loads at start and what it leaves to deliveries, from the committed dist/. */
function actionLayout(action: string): string {
  const chunksDir = join(dirname(action), "chunks");
  const chunks = existsSync(chunksDir)
    ? readdirSync(chunksDir).map((name) => statSync(join(chunksDir, name)).size)
    : [];
  const index = readFileSync(action, "utf8");
  const staticChunks = new Set([...index.matchAll(/from"(\.\/chunks\/[^"]+)"/g)].map((m) => m[1])).size;
  return (
    `\`dist/index.js\` is ${mib(statSync(action).size)} and statically imports ${staticChunks} chunk(s) of the bundler's shared ` +
    `helpers; the delivery sinks' SDKs (AWS SDK, libsodium) are in ${chunks.length} chunks (${mib(chunks.reduce((a, b) => a + b, 0))} ` +
    "in all) under `dist/chunks/`, which node reads only when a job delivers to those sinks (packages/github-action/scripts/build.mjs)."
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
    let world: BenchWorld | undefined;
    try {
      const env = childEnv();
      const here = process.execPath;
      const node24 = hasAction ? ensureNode24() : undefined;
      const thisNode = `Node ${process.versions.node.split(".")[0]}`;
      const commands: Command[] = [
        { name: "node -e 0", node: here, args: ["-e", "0"], env, check: (code) => code === 0, times: [] },
        {
          name: "timely-keys --version",
          node: here,
          args: [cli, "--version"],
          env,
          check: (code, out) => code === 0 && out.startsWith("timely-keys "),
          times: [],
        },
        {
          name: "timely-keys validate -f examples/timely-keys.yaml",
          node: here,
          args: [cli, "validate", "-f", join(ctx.root, "examples", "timely-keys.yaml")],
          env,
          check: (code, out) => code === 0 && out.includes("valid"),
          times: [],
        },
      ];
      if (hasAction && node24 !== undefined) {
        world = await startBenchEmulator(0, 1_000_000);
        dir.file("timely-keys.yaml", manifestYaml([{ id: "new-integration", name: "New Integration" }]));
        const startEnv = actionEnv(dir, { command: "none" });
        const planEnv = actionEnv(
          dir,
          { command: "plan", manifest: "timely-keys.yaml" },
          { [TOKEN_ENV]: world.token, TIMELY_API_URL: world.emulator.url },
        );
        const stopsAtInput = (code: number | null, out: string) => code === 1 && out.includes("::error::");
        commands.push(
          {
            name: `action start (stops at a bad input), ${thisNode}`,
            node: here,
            args: [action],
            env: startEnv,
            check: stopsAtInput,
            times: [],
          },
          { name: "node -e 0, Node 24", node: node24, args: ["-e", "0"], env, check: (code) => code === 0, times: [] },
          {
            name: "action start (stops at a bad input), Node 24",
            node: node24,
            args: [action],
            env: startEnv,
            check: stopsAtInput,
            times: [],
          },
          {
            name: "action plan, 1 entry, empty workspace, Node 24",
            node: node24,
            args: [action],
            env: planEnv,
            check: (code) => code === 0,
            times: [],
          },
        );
      }
      for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        for (let i = 0; i < commands.length; i++) {
          const command = commands[(round + i) % commands.length] as Command;
          const run = await timedRun(command.node, command.args, { env: command.env, cwd: dir.path });
          if (!command.check(run.code, run.stdout)) {
            throw new Error(
              `${command.name} did not run as expected (exit ${run.code}): ${(run.stderr || run.stdout).trim().split("\n").slice(-3).join(" ")}`,
            );
          }
          if (round >= WARMUP_ROUNDS) command.times.push(run.ms);
        }
      }
      const [node, version, validate, actionStartHere, node24Baseline, actionStart, actionPlan] = commands.map((c) =>
        median(c.times),
      ) as [number, number, number, number?, number?, number?, number?];
      ctx.progress(`cold-start: ${commands.map((c) => `${c.name} ${ms(median(c.times))}`).join(", ")}`);
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
      ];
      if (
        actionStart !== undefined &&
        actionPlan !== undefined &&
        actionStartHere !== undefined &&
        node24Baseline !== undefined
      ) {
        lines.push(
          {
            label: "Action dist/index.js start / node -e 0, Node 24 (the runner's)",
            figure: `${ratio(actionStart / node24Baseline)} (${ms(actionStart)} vs ${ms(node24Baseline)})`,
            target: `<= ${ACTION_TARGET}x`,
            verdict: verdict(actionStart / node24Baseline <= ACTION_TARGET),
          },
          {
            label: `Action dist/index.js start / node -e 0, ${thisNode}`,
            figure: `${ratio(actionStartHere / node)} (${ms(actionStartHere)} vs ${ms(node)})`,
            target: `<= ${ACTION_TARGET}x`,
            verdict: verdict(actionStartHere / node <= ACTION_TARGET),
          },
          {
            label: "Action plan (1 entry, empty workspace) / node -e 0, Node 24",
            figure: `${ratio(actionPlan / node24Baseline)} (${ms(actionPlan)} vs ${ms(node24Baseline)})`,
            target: "(reported)",
            verdict: "INFO",
          },
        );
      } else {
        lines.push({
          label: "Action dist/index.js start / node -e 0",
          figure: "not measured: dist missing",
          target: `<= ${ACTION_TARGET}x`,
          verdict: "NOT MEASURED",
        });
      }
      lines.forEach(ctx.print);

      const notes = [
        `Each command is a fresh \`node\` process spawned by the bench (no loader, \`NODE_OPTIONS\` cleared); the figure is the ` +
          `wall time from spawn to exit with its output read, median of ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds; ` +
          `in every round the commands run one after another in a rotating order.`,
        `| command | median |\n| --- | --- |\n${commands.map((c) => `| \`${c.name}\` | ${ms(median(c.times))} |`).join("\n")}`,
      ];
      if (hasAction) {
        notes.push(
          "The Action is started as the runner starts it (`node dist/index.js`, inputs as `INPUT_*` variables, `GITHUB_OUTPUT` and " +
            "`GITHUB_STEP_SUMMARY` files), by the Node 24 binary of the npm `node@24` package (GitHub runs `using: node24` actions " +
            "on Node 24) and by this Node, each compared with `node -e 0` of the same binary. **start**: with `command: none` it " +
            "loads and evaluates `dist/index.js` (everything a plan, apply or check runs), then stops at input parsing with " +
            "`::error::` and exit 1: the start-up cost alone. **plan** (reported): a whole `command: plan` run on a one-entry " +
            "manifest against an in-process emulator with an empty workspace (validate, one list call, plan, outputs, job summary).",
          actionLayout(action),
        );
      }
      if (version / node > VERSION_TARGET) {
        const summary = await profileProcess([cli, "--version"], { env, cwd: dir.path });
        notes.push(
          `**Missed: --version ${ratio(version / node)} > ${VERSION_TARGET}x.** \`bin/timely-keys.js\` imports \`dist/cli.js\`, which ` +
            "answers `--version` before importing the command modules. A CPU profile of it (`node --cpu-prof`, " +
            `${summary.totalMs.toFixed(0)} ms sampled, ${summary.inclusiveMs("compileSourceTextModule").toFixed(0)} ms compiling ES modules), ` +
            `hottest functions by self time:\n\n${hotList(summary, 6)}`,
        );
      }
      const missedAction = [
        { label: "Node 24", start: actionStart, base: node24Baseline, index: 5 },
        { label: thisNode, start: actionStartHere, base: node, index: 3 },
      ].filter((m) => m.start !== undefined && m.base !== undefined && m.start / m.base > ACTION_TARGET);
      for (const missed of missedAction) {
        const start = commands[missed.index] as Command;
        const summary = await profileProcess(start.args, { env: start.env, cwd: dir.path }, 12, undefined, start.node);
        notes.push(
          `**Missed: Action start under ${missed.label} ${ratio((missed.start as number) / (missed.base as number))} > ${ACTION_TARGET}x.** ` +
            `A CPU profile of the start (\`node --cpu-prof\`, ${summary.totalMs.toFixed(0)} ms sampled) spends ` +
            `${summary.inclusiveMs("compileSourceTextModule").toFixed(0)} ms in \`compileSourceTextModule\` (V8 parsing and compiling ` +
            `the ${mib(statSync(action).size)} of \`dist/index.js\`) and ${summary.inclusiveMs("compileForPublicLoader").toFixed(0)} ms ` +
            `loading Node's own modules (\`node:crypto\`, \`node:fs/promises\`, ...). Hottest functions by self time:\n\n${hotList(summary, 6)}`,
        );
      }
      return { lines, notes };
    } finally {
      dir.remove();
      await world?.emulator.close();
    }
  },
};
