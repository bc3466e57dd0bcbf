// The Action tells people where they look: one GitHub issue per failing entry or drifted workspace
// (opened, updated, closed on recovery, found again by its hidden marker) and one plan comment per
// manifest on a pull request (updated in place; the job summary when the plan is over 65,536
// characters). The Action's bundle runs as on the runner, against the emulator and a loopback
// GitHub that validates every request against @octokit/openapi. Also: `check` writes the HTML report.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@timely-keys/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ensureNode24,
  runAction,
  visibleLog,
  type ActionRun,
} from "../../packages/github-action/test/support/run-action.js";
import { OWNER_TOKEN, secretsOf } from "../support/emulator.js";
import { expectNoLeaks } from "../support/leaks.js";
import { entry, manifestYaml } from "../support/manifest.js";
import { makeWorkdir, type Workdir } from "../support/workdir.js";
import { EXPECTED, startWorld, worldManifest } from "./check-world.js";
import { FakeGitHub } from "./github-server.js";

const GITHUB_TOKEN = "ghs_FakeJobTokenForTheIssuesTest000000000001";

let emulator: Emulator;
let github: FakeGitHub;
let work: Workdir;
const runs: ActionRun[] = [];
let runId = 100;

async function action(inputs: Record<string, string>, extraEnv: NodeJS.ProcessEnv = {}): Promise<ActionRun> {
  runId += 1;
  const run = await runAction(
    { "github-token": GITHUB_TOKEN, ...inputs },
    {
      workspace: work.dir,
      env: {
        TIMELY_API_URL: emulator.url,
        PROD_TOKEN: OWNER_TOKEN,
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "acme/app",
        GITHUB_RUN_ID: String(runId),
        ...extraEnv,
      },
    },
  );
  runs.push(run);
  return run;
}

const open = () => github.issues.filter((i) => i.state === "open" && !i.pull);
const markerIds = (issues: typeof github.issues) =>
  issues
    .map((i) => /id=(\S+) -->/.exec(i.body)?.[1])
    .map((id) => decodeURIComponent(id ?? ""))
    .sort();

beforeAll(async () => {
  ensureNode24();
  emulator = await startWorld();
  github = new FakeGitHub(GITHUB_TOKEN);
  await github.start();
  work = makeWorkdir(worldManifest());
  // Issues timely-keys must leave alone: a person's, and one of another manifest with our label.
  github.addIssue({
    title: "Rotate keys docs",
    body: "Please document rotation",
    state: "open",
    labels: ["timely-keys"],
  });
  github.addIssue({
    title: "timely-keys: other",
    body: "<!-- timely-keys-issue manifest=infra%2Fother.yaml id=entry%3Aacme-prod%2Fold-key -->\nelsewhere",
    state: "open",
    labels: ["timely-keys"],
  });
}, 120_000);

afterAll(async () => {
  const texts = Object.fromEntries(
    runs.flatMap((r, i) => [
      [`run ${i} log`, visibleLog(r.stdout)],
      [`run ${i} summary`, r.summary],
    ]),
  );
  for (const [i, r] of (github?.requests ?? []).entries()) texts[`github request ${i}`] = r.raw;
  expectNoLeaks(texts, [...secretsOf(emulator), GITHUB_TOKEN]);
  await emulator?.close();
  await github?.close();
  work?.cleanup();
});

describe("check with issues: write", () => {
  it(
    "opens one issue per entry failing at fail-on and one for the drifted workspace, and writes the HTML " + "report",
    async () => {
      const run = await action({ command: "check", issues: "true" });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("issues: 5 opened, 0 updated, 0 closed.");
      const ours = open().filter((i) => i.body.includes("manifest=timely-keys.yaml"));
      expect(markerIds(ours)).toEqual([
        "drift:acme-prod",
        "entry:acme-prod/dead-key",
        "entry:acme-prod/old-key",
        "entry:acme-prod/soon-key",
        "entry:acme-prod/stuck-key",
      ]);
      const old = ours.find((i) => i.body.includes("entry%3Aacme-prod%2Fold-key"))!;
      expect(old.title).toBe("timely-keys: acme-prod/old-key: rotation overdue");
      expect(old.labels).toEqual(["timely-keys"]);
      expect(old.body).toContain("| :x: error | Key old-key #1 | rotation overdue | is 120 days old");
      expect(old.body).toContain("Last seen by [this run](https://github.com/acme/app/actions/runs/");
      expect(ours.find((i) => i.title.includes("unmanaged"))?.body).toContain("Made by hand &lt;b&gt;");
      // The HTML report of the same findings, for actions/upload-artifact.
      const html = readFileSync(run.outputs["report-path"]!, "utf8");
      for (const id of Object.keys(EXPECTED)) expect(html).toContain(`data-key="${id}"`);
      expect(github.violations).toEqual([]);
    },
  );

  it("updates the same issues on the next run, opening no duplicate", async () => {
    const before = github.issues.length;
    const run = await action({ command: "check", issues: "true" });
    expect(run.stdout).toContain("issues: 0 opened, 5 updated, 0 closed.");
    expect(github.issues.length).toBe(before);
    expect(
      github.requests
        .filter((r) => r.operationId === "issues/list-for-repo")
        .every((r) => r.path.includes("labels=timely-keys")),
    ).toBe(true);
    // The list came in pages of 2: the Link header was followed.
    expect(
      github.requests.filter((r) => r.operationId === "issues/list-for-repo" && r.path.includes("page=")).length,
    ).toBeGreaterThan(0);
  });

  it("a --target run neither opens nor closes issues outside its target", async () => {
    const run = await action({ command: "check", issues: "true", target: "soon-key" });
    expect(run.stdout).toContain("issues: 0 opened, 1 updated, 0 closed.");
    expect(markerIds(open().filter((i) => i.body.includes("manifest=timely-keys.yaml")))).toHaveLength(5);
  });

  it("closes an entry's issue with a comment once it recovers, and leaves others' issues alone", async () => {
    work.write(worldManifest({}, { "old-key": { rotation: { maxAgeDays: 365 } } }));
    const run = await action({ command: "check", issues: "true" });
    expect(run.stdout).toContain("issues: 0 opened, 4 updated, 1 closed.");
    const closed = github.issues.find((i) => i.state === "closed")!;
    expect(closed.body).toContain("id=entry%3Aacme-prod%2Fold-key");
    expect(closed.state_reason).toBe("completed");
    expect(closed.comments.at(-1)?.body).toMatch(
      new RegExp(
        String.raw`^timely-keys check passes for this key now \(\[run\]\(https:\/\/github.com\/acme\/app\/actions\/` +
          String.raw`runs\/\d+\)\): closing\.$`,
      ),
    );
    expect(github.issue(1)).toMatchObject({ state: "open", body: "Please document rotation" });
    expect(github.issue(2)?.state).toBe("open");
    expect(github.violations).toEqual([]);
    work.write(worldManifest());
  });

  it("a GitHub that refuses the token is a warning; the check's own result stands", async () => {
    const run = await action({
      command: "check",
      issues: "true",
      "github-token": "ghs_WrongTokenForTheIssuesTest00000000000002",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        String.raw`^::warning title=timely-keys issues::issues: could not sync the GitHub ` +
          String.raw`issues: GitHubApiError: GitHub GET \/repos\/acme\/app\/issues: HTTP 401 ` +
          String.raw`\(Bad credentials\)$`,
        "m",
      ),
    );
  });
});

const plansManifest = (count: number) =>
  manifestYaml({
    keys: Array.from({ length: count }, (_, i) => entry(`bulk-${i}`, { name: `Bulk integration number ${i}` })),
  });

describe("plan with pr-comment", () => {
  let eventPath: string;
  beforeAll(() => {
    eventPath = join(work.dir, "event.json");
    writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 0 } }));
  });

  it("keeps one comment per manifest on the pull request, updated in place", async () => {
    const pr = github.addIssue({ title: "Add keys", body: "", state: "open", labels: [], pull: true });
    writeFileSync(eventPath, JSON.stringify({ pull_request: { number: pr.number } }));
    pr.comments.push({ id: 1, body: "Looks good to me", issue: pr.number });
    const env = { GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: eventPath };
    work.write(plansManifest(3));
    const first = await action({ command: "plan", "pr-comment": "true" }, env);
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/^pr-comment: comment \d+ created\.$/m);
    const again = await action({ command: "plan", "pr-comment": "true" }, env);
    expect(again.stdout).toMatch(/^pr-comment: comment \d+ unchanged\.$/m);
    work.write(plansManifest(4));
    const edited = await action({ command: "plan", "pr-comment": "true" }, env);
    expect(edited.stdout).toMatch(/^pr-comment: comment \d+ updated\.$/m);
    const ours = pr.comments.filter((c) => c.body.startsWith("<!-- timely-keys-plan manifest=timely-keys.yaml -->"));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain("## timely-keys plan");
    expect(ours[0]?.body).toContain("`bulk-3`");
    expect(pr.comments.find((c) => c.id === 1)?.body).toBe("Looks good to me");
    expect(github.violations).toEqual([]);
  });

  it("falls back to the job summary and a short comment when the plan is over 65,536 characters", async () => {
    const pr = github.issues.find((i) => i.pull)!;
    const env = { GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: eventPath };
    work.write(plansManifest(1500));
    const run = await action({ command: "plan", "pr-comment": "true" }, env);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(
      /^pr-comment: comment \d+ updated \(the plan is in the job summary: too long for a comment\)\.$/m,
    );
    const ours = pr.comments.filter((c) => c.body.startsWith("<!-- timely-keys-plan manifest=timely-keys.yaml -->"));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body.length).toBeLessThan(2_000);
    expect(ours[0]!.body).toMatch(
      new RegExp(
        String.raw`The whole plan is [\d,]+ characters, more than a comment holds \(65,536\): ` +
          String.raw`it is in the job summary of \[this run\]\(https:\/\/github.com\/acme\/app\/actions\/runs\/\d+\)` +
          String.raw`\.`,
      ),
    );
    expect(ours[0]!.body).toContain("1500 to create");
    expect(run.summary).toContain("`bulk-1499`");
    expect(github.violations).toEqual([]);
  });

  it("outside a pull request it says so and comments nothing", async () => {
    const before = github.requests.length;
    const run = await action({ command: "plan", "pr-comment": "true" }, { GITHUB_EVENT_NAME: "push" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::warning title=timely-keys pr-comment::pr-comment: not a pull_request event");
    expect(github.requests.length).toBe(before);
  });
});
