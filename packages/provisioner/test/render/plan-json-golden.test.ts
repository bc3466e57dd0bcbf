// The JSON plan, word for word: every example manifest through a year of runs, and every (kind,
// reason) scenario, rendered with a fixed clock and compared byte for byte with the files in
// test/fixtures/plan-json/. The files were written by the renderer as it was before the plan became
// data and its words moved to render/: any change of a word, a field or a key order fails here.
// Regenerate on purpose only: UPDATE_PLAN_GOLDEN=1 npx vitest run <this file>.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Desired } from "../../src/desired.js";
import type { Live, Plan } from "../../src/model.js";
import { plan } from "../../src/plan.js";
import { renderJson } from "../../src/render.js";
import { parseSavedPlan, serializeSavedPlan } from "../../src/saved-plan.js";
import { validateFile } from "../../src/validate.js";
import { apiKey, at, DAY, HOUR, NOW } from "../plan/fixtures.js";
import { scenarios } from "../plan/scenarios.js";
import { simulateApply } from "../plan/simulate.js";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = join(here, "../fixtures/plan-json");
const ROOT = resolve(here, "../../../..");
const UPDATE = process.env.UPDATE_PLAN_GOLDEN === "1";

/**
 * The plan's JSON against its golden file, and the same once saved with `plan --out` and read back
 * (what `apply PLAN.json` shows): the saved words come back unchanged.
 */
function golden(name: string, result: Plan): void {
  const json = renderJson(result);
  expect(renderJson(parseSavedPlan(serializeSavedPlan(result), "saved.json"))).toBe(json);
  const file = join(GOLDEN, `${name}.json`);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, `${json}\n`);
    return;
  }
  expect(existsSync(file), `${file} is missing`).toBe(true);
  expect(`${json}\n`).toBe(readFileSync(file, "utf8"));
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Days after NOW at which the lifecycle plans: first keys, drains, quarantines, rotations by age and expiry. */
const RUN_DAYS = [0, 0.5, 1.5, 3, 9, 20, 47, 62, 63, 64, 72, 80, 95, 160, 200, 365];

const MANIFESTS = [
  "examples/timely-keys.yaml",
  "packages/provisioner/test/fixtures/manifests/good/full.yaml",
  "packages/provisioner/test/fixtures/manifests/good/minimal.yaml",
];

async function desiredOf(path: string): Promise<Desired> {
  const result = await validateFile(join(ROOT, path), { env: {} });
  if (result.desired === undefined) throw new Error(`${path}: ${JSON.stringify(result.diagnostics)}`);
  // The absolute path differs per checkout: the plan names a fixed one.
  return { ...result.desired, file: `/repo/${path}` };
}

/** Every workspace of the manifest, with one unmanaged key that has an entry's name, and one other. */
function firstLive(desired: Desired): Live {
  return {
    workspaces: desired.workspaces.map((ws, i) => ({
      name: ws.name,
      serverNow: NOW.toISOString(),
      keys: [
        apiKey({ id: `0000000${i}-0000-4000-8000-00000000u001`, name: ws.keys[0]?.name ?? "stray" }),
        apiKey({ id: `0000000${i}-0000-4000-8000-00000000u002`, name: "Hand-made key", status: "inactive" }),
      ],
    })),
  };
}

describe("the JSON plan of the example manifests", () => {
  for (const path of MANIFESTS) {
    it(`${path}: a year of runs`, async () => {
      const desired = await desiredOf(path);
      let state = firstLive(desired);
      for (const days of RUN_DAYS) {
        const now = new Date(NOW.getTime() + days * DAY);
        // Keys in use until an hour ago, except on the days their drain is meant to end.
        if (days % 2 === 0) {
          for (const ws of state.workspaces) for (const key of ws.keys) key.last_used_at = at(-HOUR, now);
        }
        for (const ws of state.workspaces) ws.serverNow = now.toISOString();
        const result = plan(desired, state, now);
        golden(`${slug(path)}--day-${String(days).replace(".", "_")}`, result);
        state = simulateApply(result, state, now);
      }
    });
  }
});

describe("the JSON plan of every (kind, reason) scenario", () => {
  for (const scenario of scenarios) {
    it(scenario.name, () => {
      const result = plan(scenario.desired, scenario.live, NOW, scenario.options);
      golden(`scenario--${slug(scenario.name)}`, result);
    });
  }
});
