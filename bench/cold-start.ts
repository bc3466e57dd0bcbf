// 4. Cold start: wall time of fresh node processes, medians of interleaved runs: `node -e 0`,
// `timely-keys --version`, `timely-keys validate -f examples/timely-keys.yaml`, and the GitHub
// Action's bundle (packages/github-action/dist/index.js) as the runner starts it.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
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
      const commands: Command[] = [
        { name: "node -e 0", args: ["-e", "0"], env, check: (code) => code === 0, times: [] },
        { name: "timely-keys --version", args: [cli, "--version"], env, check: (code, out) => code === 0 && out.startsWith("timely-keys "), times: [] },
        {
          name: "timely-keys validate -f examples/timely-keys.yaml",
          args: [cli, "validate", "-f", join(ctx.root, "examples", "timely-keys.yaml")],
          env,
          check: (code, out) => code === 0 && out.includes("valid"),
          times: [],
        },
      ];
      if (hasAction) {
        world = await startBenchEmulator(0, 1_000_000);
        dir.file("timely-keys.yaml", manifestYaml([{ id: "new-integration", name: "New Integration" }]));
        commands.push({
          name: "action start (stops at a bad input)",
          args: [action],
          env: actionEnv(dir, { command: "none" }),
          check: (code, out) => code === 1 && out.includes("::error::"),
          times: [],
        });
        commands.push({
          name: "action plan, 1 entry, empty workspace",
          args: [action],
          env: actionEnv(dir, { command: "plan", manifest: "timely-keys.yaml" }, { [TOKEN_ENV]: world.token, TIMELY_API_URL: world.emulator.url }),
          check: (code) => code === 0,
          times: [],
        });
      }
      for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        for (let i = 0; i < commands.length; i++) {
          const command = commands[(round + i) % commands.length] as Command;
          const run = await timedRun(process.execPath, command.args, { env: command.env, cwd: dir.path });
          if (!command.check(run.code, run.stdout)) {
            throw new Error(`${command.name} did not run as expected (exit ${run.code}): ${(run.stderr || run.stdout).trim().split("\n").slice(-3).join(" ")}`);
          }
          if (round >= WARMUP_ROUNDS) command.times.push(run.ms);
        }
      }
      const [node, version, validate, actionStart, actionPlan] = commands.map((c) => median(c.times)) as [number, number, number, number?, number?];
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
      if (actionStart !== undefined && actionPlan !== undefined) {
        lines.push({
          label: "Action dist/index.js start / node -e 0",
          figure: `${ratio(actionStart / node)} (${ms(actionStart)} vs ${ms(node)})`,
          target: `<= ${ACTION_TARGET}x`,
          verdict: verdict(actionStart / node <= ACTION_TARGET),
        });
        lines.push({
          label: "Action plan (1 entry, empty workspace) / node -e 0",
          figure: `${ratio(actionPlan / node)} (${ms(actionPlan)} vs ${ms(node)})`,
          target: "(reported)",
          verdict: "INFO",
        });
      } else {
        lines.push({ label: "Action dist/index.js start / node -e 0", figure: "not measured: dist missing", target: `<= ${ACTION_TARGET}x`, verdict: "NOT MEASURED" });
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
            "`GITHUB_STEP_SUMMARY` files). **start**: with `command: none` it loads and evaluates the whole bundle, then stops " +
            "at input parsing with `::error::` and exit 1: the start-up cost alone. **plan** (reported): a whole `command: plan` " +
            "run on a one-entry manifest against an in-process emulator with an empty workspace (validate, one list call, plan, " +
            "outputs, job summary).",
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
      if (actionStart !== undefined && actionStart / node > ACTION_TARGET) {
        const start = commands[3] as Command;
        const summary = await profileProcess(start.args, { env: start.env, cwd: dir.path });
        const compileMs = summary.inclusiveMs("compileSourceTextModule");
        const text = readFileSync(action, "utf8");
        const inlined = [
          ...(text.includes("SecretsManagerClient") ? ["the AWS SDK"] : []),
          ...(text.includes("libsodium") ? ["libsodium"] : []),
        ];
        notes.push(
          `**Missed: Action start ${ratio(actionStart / node)} > ${ACTION_TARGET}x.** A CPU profile of the start (\`node --cpu-prof\`, ` +
            `${summary.totalMs.toFixed(0)} ms sampled) spends ${compileMs.toFixed(0)} ms in \`compileSourceTextModule\`: V8 parsing and ` +
            `compiling the ${mib(statSync(action).size)} bundle before \`run()\` starts` +
            (inlined.length > 0 ? `; it inlines ${inlined.join(" and ")} of the delivery sinks, which a \`plan\` or \`check\` job never uses` : "") +
            `. Hottest functions by self time:\n\n${hotList(summary, 6)}\n\n` +
            (inlined.length > 0
              ? "Proposed fix (packages/github-action/scripts/build.mjs): bundle with code splitting (`splitting: true`, `outdir: dist`) " +
                "so the sinks' SDKs, which the provisioner already imports lazily with `import()`, land in chunks that node compiles only " +
                "when a job delivers to them."
              : "What is left is the action's own code and its direct dependencies."),
        );
      }
      return { lines, notes };
    } finally {
      dir.remove();
      await world?.emulator.close();
    }
  },
};
