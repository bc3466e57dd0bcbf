// timely-keys vs Terraform: a no-change plan of 1,000 `terraform_data` resources (local state, no
// provider to download) against `timely-keys plan` over 1,000 managed keys, side by side. Skipped,
// with the reason, when `terraform` is not on PATH.
import { spawnSync } from "node:child_process";
import { startEmulator } from "@timely-keys/emulator";
import { cliPath } from "./lib/cli.js";
import { mintToken, OWNER, tempDir, TOKEN_ENV, WORKSPACE } from "./lib/fixtures.js";
import { managedManifestYaml, managedSeedKeys } from "./lib/managed.js";
import { childEnv, mustRun } from "./lib/spawn.js";
import { median, ms, ratio } from "./lib/stats.js";
import { profilePlanStages, stageText } from "./lib/profile.js";
import type { Benchmark, BenchOutcome } from "./lib/types.js";

const RESOURCES = 1_000;
const ROUNDS = 3;
const TARGET = 4;

export const terraform: Benchmark = {
  name: "terraform",
  title: "no-change plan of 1,000: Terraform (terraform_data) vs timely-keys",
  async run(ctx): Promise<BenchOutcome> {
    const version = spawnSync("terraform", ["version"], { encoding: "utf8" });
    if (version.error || version.status !== 0) {
      const line = {
        label: "terraform plan / timely-keys plan, 1,000, no change",
        figure: "skipped",
        target: `>= ${TARGET}x`,
        verdict: "NOT MEASURED" as const,
      };
      ctx.print(line);
      return {
        lines: [line],
        notes: [`Skipped: \`terraform\` is not on PATH (${version.error?.message ?? version.stderr.trim()}).`],
      };
    }
    const dir = tempDir("terraform");
    const token = mintToken();
    const emulator = await startEmulator({
      seed: {
        workspaces: [
          {
            name: WORKSPACE,
            members: [{ name: OWNER, role: "owner", token }],
            keys: managedSeedKeys(WORKSPACE, RESOURCES),
          },
        ],
      },
      rateLimit: 1_000_000,
    });
    try {
      const tfEnv = childEnv({ TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_INPUT: "0" });
      dir.file(
        "main.tf",
        `resource "terraform_data" "key" {\n  count = ${RESOURCES}\n  input = "key-\${count.index}"\n}\n`,
      );
      await mustRun("terraform", ["init", "-input=false", "-no-color"], { env: tfEnv, cwd: dir.path });
      await mustRun("terraform", ["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=50"], {
        env: tfEnv,
        cwd: dir.path,
      });
      const manifest = dir.file("timely-keys.yaml", managedManifestYaml(WORKSPACE, RESOURCES));
      const tkEnv = childEnv({ [TOKEN_ENV]: token, TIMELY_API_URL: emulator.url });
      const tf: number[] = [];
      const tk: number[] = [];
      let tfSummary = "";
      const runTf = async () => {
        const run = await mustRun("terraform", ["plan", "-input=false", "-no-color", "-detailed-exitcode"], {
          env: tfEnv,
          cwd: dir.path,
        });
        tfSummary = run.stdout.trim().split("\n").filter(Boolean).at(-1) ?? "";
        return run.ms;
      };
      const runTk = async () =>
        (
          await mustRun(process.execPath, [cliPath(ctx.root), "plan", "-f", manifest, "--detailed-exitcode"], {
            env: tkEnv,
            cwd: dir.path,
          })
        ).ms;
      await runTf();
      await runTk();
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          tf.push(await runTf());
          tk.push(await runTk());
        } else {
          tk.push(await runTk());
          tf.push(await runTf());
        }
      }
      const value = median(tf) / median(tk);
      const line = {
        label: "terraform plan / timely-keys plan, 1,000, no change",
        figure: `timely-keys ${ratio(value)} faster (terraform ${ms(median(tf))}, timely-keys ${ms(median(tk))})`,
        target: `>= ${TARGET}x faster`,
        verdict: value >= TARGET ? ("PASS" as const) : ("MISS" as const),
      };
      ctx.print(line);
      const notes = [
        `\`${version.stdout.split("\n")[0]}\`, local state, ${RESOURCES} \`terraform_data\` resources applied once, ` +
          `then \`terraform plan -detailed-exitcode\` (refresh included, exit 0: \`${tfSummary}\`) against ` +
          `\`timely-keys plan --detailed-exitcode\` over ${RESOURCES} all-managed keys in an in-process emulator ` +
          `(exit 0, no changes); alternating, median of ${ROUNDS} rounds after one warm-up each.`,
      ];
      if (line.verdict === "MISS") {
        const stages = await profilePlanStages([cliPath(ctx.root), "plan", "-f", manifest], {
          env: tkEnv,
          cwd: dir.path,
        });
        notes.push(
          `**Missed:** ${TARGET}x needs timely-keys at ${ms(median(tf) / TARGET)} here, about the bare listing of ` +
            `the same keys (see plan-scale's all-managed row at 1,000). Where one timely-keys run's time went ` +
            `(\`node --cpu-prof\`): ${stageText(stages)}. Past the listing's own cost (node start-up, 10 requests, ` +
            "their answers parsed) what is left is loading the bundle's modules, parsing and validating the " +
            "1,000-entry manifest and `plan()`. As 4x asks timely-keys to cost about what the listing alone costs, " +
            "the bundle's loading and the per-entry work would both have to go (loading only what a plan runs; " +
            "see plan-scale for the per-entry cost).",
        );
      }
      return { lines: [line], notes };
    } finally {
      dir.remove();
      await emulator.close();
    }
  },
};
