// `timely-keys workspaces`: the manifest's workspaces as text or GitHub Actions matrices.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { manifestYaml, workspace } from "../support/manifest.js";

function manifestWith(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "timely-keys-workspaces-"));
  const teams = Array.from({ length: count }, (_, i) =>
    workspace({ name: `team-${i}`, tokenEnv: `TEAM_${i}_TOKEN`, keys: [] }),
  );
  writeFileSync(join(dir, "timely-keys.yaml"), manifestYaml({ workspaces: teams }));
  return dir;
}

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    env: {},
    cwd,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe("timely-keys workspaces", () => {
  it("--json: one matrix of every workspace with its token env var, without any token set", async () => {
    const run = await cli(["workspaces", "--json"], manifestWith(3));
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(run.stdout)).toEqual({
      include: [0, 1, 2].map((i) => ({ workspace: `team-${i}`, tokenEnv: `TEAM_${i}_TOKEN` })),
    });
  });

  it("--shards N: N matrices, each workspace in exactly one, none over 256 jobs", async () => {
    const run = await cli(["workspaces", "--json", "--shards", "3"], manifestWith(600));
    expect(run.code).toBe(0);
    const shards = JSON.parse(run.stdout) as Array<{ include: Array<{ workspace: string }> }>;
    expect(shards.map((s) => s.include.length)).toEqual([200, 200, 200]);
    const names = shards.flatMap((s) => s.include.map((j) => j.workspace));
    expect(new Set(names).size).toBe(600);
  });

  it("refuses more than 256 workspaces in one matrix, and too few shards, saying how many are needed", async () => {
    const dir = manifestWith(300);
    const one = await cli(["workspaces", "--json"], dir);
    expect(one.code).toBe(1);
    expect(one.stderr).toBe(
      "error: 300 workspaces do not fit in one matrix (GitHub runs at most 256 jobs per matrix): use --shards 2 or " +
        "more\n",
    );
    const few = await cli(["workspaces", "--json", "--shards", "1"], dir);
    expect(few.stderr).toContain("--shards 1 is too few for 300 workspaces");
    expect((await cli(["workspaces", "--shards", "0"], dir)).stderr).toContain("--shards must be a whole number");
  });

  it("without --json: one line per workspace, by shard", async () => {
    const run = await cli(["workspaces", "--shards", "2"], manifestWith(3));
    expect(run.stdout).toBe(
      "Shard 0 (2 workspaces)\nteam-0     TEAM_0_TOKEN\nteam-1     TEAM_1_TOKEN\n\nShard 1 (1 workspaces)\nteam-2    " +
        " TEAM_2_TOKEN\n",
    );
  });
});
