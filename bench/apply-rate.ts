// 2. Throughput against the rate limit: creates through the SDK (and `timely-keys apply`) while
// the emulator's limit of 600 requests per 60 s per token binds, then `timely-keys apply` at the
// API's default limit of 100 per 60 s: new keys per minute and the token requests each one costs.
// The limit is a sliding window, so an empty window would let the first requests through at once
// and flatter any client; the window is therefore filled first, evenly (LIMIT requests spread over
// 60 s, with raw fetch and the same token), so slots free up at exactly the limit's rate from then
// on, as in a long run.
import { setTimeout as sleep } from "node:timers/promises";
import { TimelyClient } from "@timely-keys/sdk";
import { cliPath, ensureBuilt } from "./lib/cli.js";
import {
  clearRequestLog,
  manifestYaml,
  startBenchEmulator,
  tempDir,
  TOKEN_ENV,
  type BenchWorld,
} from "./lib/fixtures.js";
import { childEnv, mustRun } from "./lib/spawn.js";
import { count, ratio } from "./lib/stats.js";
import { verdict, type BenchContext, type BenchLine, type BenchOutcome, type Benchmark } from "./lib/types.js";

const LIMIT = 600; // per 60 s per token
const WINDOW_MS = 60_000;
const SDK_CREATES = 300;
const SDK_CONCURRENCY = 8;
const CLI_ENTRIES = 100;
const CLI_CONCURRENCY = 8;
const MIN_RATE_RATIO = 0.9;
/** The API's default limit, and the new entries `timely-keys apply` makes under it. */
const DEFAULT_LIMIT = 100;
const DEFAULT_LIMIT_ENTRIES = 60;
const MAX_REQUESTS_PER_KEY = 2;
const MIN_KEYS_PER_MINUTE = 45;
const MAX_429_SHARE = 0.01;

interface PhaseFigures {
  /** Token requests the server admitted (any status but 429) and refused with 429. */
  admitted: number;
  refused: number;
  refusals: string[];
  /** Over the span of the phase, requests per minute. */
  ratePerMinute: number;
  seconds: number;
}

/** One request every WINDOW/limit ms for a whole window: afterwards one slot frees up as often. */
async function fillWindowEvenly(ctx: BenchContext, world: BenchWorld, limit = LIMIT): Promise<number> {
  const interval = WINDOW_MS / limit;
  const started = performance.now();
  const answers: Array<Promise<number>> = [];
  for (let i = 0; i < limit; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    answers.push(
      fetch(`${world.emulator.url}/v1/me`, { headers: { "x-api-key": world.token } }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    );
    if (i % 100 === 99) ctx.progress(`apply-rate: filling the window, ${i + 1}/${limit}`);
  }
  const statuses = await Promise.all(answers);
  const refused = statuses.filter((s) => s !== 200).length;
  if (refused > 0) throw new Error(`filling the window: ${refused} of ${limit} requests were not answered 200`);
  // The first filler leaves the window one interval after the last one went out.
  const next = started + limit * interval - performance.now();
  if (next > 0) await sleep(next);
  return started;
}

interface TokenLog {
  admitted: number;
  refused: number;
  firstAt: number;
  lastAt: number;
  /** Where the 429 answers fell: "#n (+s s) METHOD path", counted from the phase's first request. */
  refusals: string[];
}

function tokenRequests(world: BenchWorld): TokenLog {
  const log = world.emulator.requests().filter((e) => e.principal === world.principal);
  const times = log.filter((e) => e.status !== 429).map((e) => Date.parse(e.at));
  const start = log.length > 0 ? Date.parse((log[0] as (typeof log)[number]).at) : 0;
  return {
    admitted: times.length,
    refused: log.filter((e) => e.status === 429).length,
    firstAt: Math.min(...times),
    lastAt: Math.max(...times),
    refusals: log.flatMap((e, i) =>
      e.status === 429
        ? [
            `#${i + 1} (+${((Date.parse(e.at) - start) / 1000).toFixed(1)} s) ${e.method} ` +
              `${e.path.replace(/[0-9a-f-]{36}/, ":id")}`,
          ]
        : [],
    ),
  };
}

async function sdkCreates(
  ctx: BenchContext,
  world: BenchWorld,
): Promise<PhaseFigures & { stats: TimelyClient["stats"] }> {
  await clearRequestLog(world.emulator);
  const client = new TimelyClient({ apiKey: world.token, baseUrl: world.emulator.url });
  let next = 0;
  const started = performance.now();
  let lastDone = started;
  const worker = async () => {
    while (next < SDK_CREATES) {
      const index = next++;
      const { key } = await client.apiKeys.create({ name: `bench-sdk-${index}`, scopes: ["read"] });
      if (!key.id) throw new Error("a create answered without a key id");
      lastDone = performance.now();
      if (index % 100 === 99) ctx.progress(`apply-rate: SDK creates ${index + 1}/${SDK_CREATES}`);
    }
  };
  await Promise.all(Array.from({ length: SDK_CONCURRENCY }, worker));
  const seconds = (lastDone - started) / 1000;
  const { admitted, refused, refusals } = tokenRequests(world);
  return { admitted, refused, refusals, seconds, ratePerMinute: (SDK_CREATES / seconds) * 60, stats: client.stats };
}

/** The token's admitted requests of a phase, as `METHOD /path` with ids and queries left out. */
function requestCounts(world: BenchWorld): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of world.emulator.requests()) {
    if (e.principal !== world.principal || e.status === 429) continue;
    const path = (e.path.split("?")[0] ?? "").replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, ":id");
    const line = `${e.method} ${path}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return counts;
}

/** Reads a run makes once (who the token is, the listing), not once per key. */
const PER_RUN_READS = new Set(["GET /v1/me", "GET /v1/api-keys"]);

async function cliApply(
  ctx: BenchContext,
  world: BenchWorld,
  entryCount = CLI_ENTRIES,
): Promise<PhaseFigures & { created: number; exitCode: number; counts: Map<string, number> }> {
  const dir = tempDir("apply");
  try {
    const entries = Array.from({ length: entryCount }, (_, i) => ({ id: `bench-cli-${i}`, name: `Bench CLI ${i}` }));
    const manifest = dir.file("timely-keys.yaml", manifestYaml(entries));
    const env = childEnv({ [TOKEN_ENV]: world.token, TIMELY_API_URL: world.emulator.url });
    await clearRequestLog(world.emulator);
    const run = await mustRun(
      process.execPath,
      [cliPath(ctx.root), "apply", "-f", manifest, "--auto-approve", "--concurrency", String(CLI_CONCURRENCY)],
      {
        env,
        cwd: dir.path,
      },
    );
    const { admitted, refused, refusals, firstAt, lastAt } = tokenRequests(world);
    // Server-side span of the token's requests: node start-up and the final report stay out.
    const seconds = (lastAt - firstAt) / 1000;
    const created =
      world.emulator.state().workspaces[0]?.keys.filter((k) => k.name.startsWith("Bench CLI ")).length ?? 0;
    return {
      admitted,
      refused,
      refusals,
      seconds,
      ratePerMinute: ((admitted - 1) / seconds) * 60,
      created,
      exitCode: run.code ?? -1,
      counts: requestCounts(world),
    };
  } finally {
    dir.remove();
  }
}

function lines(label: string, figures: PhaseFigures, what: string): BenchLine[] {
  const share = figures.refused / (figures.admitted + figures.refused);
  return [
    {
      label: `${label}: achieved rate at a ${LIMIT}/min limit`,
      figure:
        `${figures.ratePerMinute.toFixed(0)}/min = ${ratio(figures.ratePerMinute / LIMIT)} the limit ` +
        `(${what} in ${figures.seconds.toFixed(1)} s)`,
      target: `>= ${MIN_RATE_RATIO}x the limit`,
      verdict: verdict(figures.ratePerMinute / LIMIT >= MIN_RATE_RATIO),
    },
    {
      label: `${label}: answered 429`,
      figure:
        `${figures.refused} of ${count(figures.admitted + figures.refused)} token requests ` +
        `(${(share * 100).toFixed(1)}%)`,
      target: `<= ${MAX_429_SHARE * 100}%`,
      verdict: verdict(share <= MAX_429_SHARE),
    },
  ];
}

export const applyRate: Benchmark = {
  name: "apply-rate",
  title: "creates against a 600/min rate limit that binds, and apply at the default 100/min",
  async run(ctx): Promise<BenchOutcome> {
    await ensureBuilt(ctx.root);
    const world = await startBenchEmulator(0, LIMIT);
    try {
      await fillWindowEvenly(ctx, world);
      const sdk = await sdkCreates(ctx, world);
      const made =
        world.emulator.state().workspaces[0]?.keys.filter((k) => k.name.startsWith("bench-sdk-")).length ?? 0;
      if (made !== SDK_CREATES) throw new Error(`the SDK phase left ${made} keys, expected ${SDK_CREATES}`);
      const sdkLines = lines("SDK", sdk, `${SDK_CREATES} creates`);
      sdkLines.forEach(ctx.print);
      // The SDK phase kept the window full at the limit's pace: apply starts in the same steady state.
      const cli = await cliApply(ctx, world);
      if (cli.created !== CLI_ENTRIES)
        throw new Error(`timely-keys apply left ${cli.created} keys, expected ${CLI_ENTRIES} (exit ${cli.exitCode})`);
      const cliLines = lines(
        "timely-keys apply",
        cli,
        `${count(cli.admitted)} token requests for ${CLI_ENTRIES} new keys`,
      );
      cliLines.forEach(ctx.print);
      await world.emulator.close();

      // At the API's default limit: a fresh emulator, its window filled evenly, then one apply.
      const atDefault = await startBenchEmulator(0, DEFAULT_LIMIT);
      let defaultRun: Awaited<ReturnType<typeof cliApply>>;
      try {
        await fillWindowEvenly(ctx, atDefault, DEFAULT_LIMIT);
        ctx.progress(`apply-rate: timely-keys apply of ${DEFAULT_LIMIT_ENTRIES} new keys at ${DEFAULT_LIMIT}/min`);
        defaultRun = await cliApply(ctx, atDefault, DEFAULT_LIMIT_ENTRIES);
      } finally {
        await atDefault.emulator.close();
      }
      if (defaultRun.created !== DEFAULT_LIMIT_ENTRIES) {
        throw new Error(
          `timely-keys apply at ${DEFAULT_LIMIT}/min left ${defaultRun.created} keys, expected ` +
            `${DEFAULT_LIMIT_ENTRIES}`,
        );
      }
      const perRun = [...defaultRun.counts].filter(([line]) => PER_RUN_READS.has(line));
      const perKeyRequests = [...defaultRun.counts].filter(([line]) => !PER_RUN_READS.has(line));
      const perKey = perKeyRequests.reduce((sum, [, n]) => sum + n, 0) / DEFAULT_LIMIT_ENTRIES;
      const keysPerMinute = (defaultRun.created / defaultRun.seconds) * 60;
      const list = (items: Array<[string, number]>) => items.map(([line, n]) => `${n}x ${line}`).join(", ");
      const defaultLines: BenchLine[] = [
        {
          label: `timely-keys apply at the default ${DEFAULT_LIMIT}/min: token requests per new key`,
          figure:
            `${perKey.toFixed(2)} (${list(perKeyRequests)} for ${DEFAULT_LIMIT_ENTRIES} keys; ` +
            `once per run: ${list(perRun)})`,
          target: `<= ${MAX_REQUESTS_PER_KEY}`,
          verdict: verdict(perKey <= MAX_REQUESTS_PER_KEY),
        },
        {
          label: `timely-keys apply at the default ${DEFAULT_LIMIT}/min: new keys per minute`,
          figure:
            `${keysPerMinute.toFixed(1)} keys/min (${DEFAULT_LIMIT_ENTRIES} keys in ${defaultRun.seconds.toFixed(1)} ` +
            `s, ${count(defaultRun.admitted)} token requests admitted, ${defaultRun.refused} refused with 429)`,
          target: `>= ${MIN_KEYS_PER_MINUTE}`,
          verdict: verdict(keysPerMinute >= MIN_KEYS_PER_MINUTE),
        },
      ];
      defaultLines.forEach(ctx.print);
      cliLines.push(...defaultLines);

      const notes = [
        `In-process emulator, limit ${LIMIT} requests per 60 s per credential (a sliding window), one management ` +
          `token. **Why the window is filled first:** with an empty window the first ${LIMIT} requests pass at once, ` +
          `so any client would show a rate far above the limit over a short run. The bench first sends ${LIMIT} ` +
          `\`GET /v1/me\` with raw fetch and the same token, one every ${WINDOW_MS / LIMIT} ms for 60 s; from then ` +
          `on exactly one slot frees up every ${WINDOW_MS / LIMIT} ms, so the limit binds for the whole measurement ` +
          "and the best possible rate is the limit itself.",
        "**SDK:** a fresh `TimelyClient` (default options: pacing on, 3 retries) and a pool of " +
          `${SDK_CONCURRENCY} workers calling \`client.apiKeys.create\` for ${SDK_CREATES} keys, started as the ` +
          `first filler request left the window. Rate = ${SDK_CREATES} creates / (last create answered − start). The ` +
          `client counted ${sdk.stats.requests} attempts, ${sdk.stats.retries} retries, ${sdk.stats.rateLimited} ` +
          `answers 429, and held requests ${(sdk.stats.pacedMs / 1000).toFixed(1)} s in total (summed over the ` +
          `waiting requests) in its pacer; the emulator's request log shows ${sdk.admitted} creates admitted and ` +
          `${sdk.refused} refused with 429.`,
        "**timely-keys apply:** right after the SDK phase (the window is still full at the limit's pace), " +
          `\`timely-keys apply --auto-approve --concurrency ${CLI_CONCURRENCY}\` as a subprocess on a manifest of ` +
          `${CLI_ENTRIES} new entries (file sinks): for each it creates the key, writes the file and promotes it ` +
          "(see below for the requests of each step). Rate = token requests admitted over the span between the " +
          `token's first and last request in the emulator's log (${count(cli.admitted)} admitted, ${cli.refused} ` +
          "refused with 429). Slots that free up while node starts the CLI are all there for its first requests, so " +
          "in a run this short the figure can read slightly above the limit.",
        `**At the default ${DEFAULT_LIMIT}/min:** a fresh emulator with the API's default limit, its window filled ` +
          `the same way (${DEFAULT_LIMIT} requests, one every ${WINDOW_MS / DEFAULT_LIMIT} ms), then the same ` +
          `\`timely-keys apply\` on ${DEFAULT_LIMIT_ENTRIES} new entries. Keys per minute = keys made / the span of ` +
          "the token's requests in the emulator's log. Requests per new key count every token request but the run's " +
          "own reads (who the token is, the listing), which a run makes once whatever the number of keys.",
        "**Which request each step of a new key needs, and why.** (1) `POST /v1/api-keys` (token): the create; its " +
          "description already carries the marker `delivering 0/n`, so from its first moment the key is known to be " +
          "one a sink may hold, and a run killed at any later point leaves it on record: the next run never revokes " +
          "it unannounced, it drains it like a previous key. (2) `GET /v1/me` with the new secret, before any sink: " +
          "a key with the wrong scopes or workspace never reaches a consumer; a request of the new key, not of the " +
          "token. (3) the sinks and probes, then (4) `GET /v1/me` again (the new key's, not the token's): the key " +
          "still answers as itself once every sink has it. (5) `PATCH /v1/api-keys/{id}` (token): the promote, the " +
          "one write that makes the key current, so that the old key may start to drain. Earlier versions created " +
          "the key `pending` and spent a third token request to mark it `delivering` before the first sink, which " +
          "let the next run revoke, rather than drain, a key whose run stopped before any sink; without that request " +
          "such a key now drains (deactivated at the end of the drain window, revoked after the quarantine), which " +
          "keeps every guarantee: no key a consumer may hold is revoked unannounced, and no key is lost track of. " +
          "Failures cost more, only when they happen: a revoke when no sink got the key, a `delivering d/n failed` " +
          "edit when some did. A rotation costs the same 2 requests for the new key; the old key's retirement later " +
          "costs 2 more per step (re-read the successor, then deactivate; again, then revoke).",
      ];
      for (const [label, figures] of [
        ["SDK", sdk],
        ["timely-keys apply", cli],
      ] as const) {
        if (figures.refused > 0) {
          notes.push(
            `${label}: the ${figures.refused} answer(s) 429 fell at ${figures.refusals.join(", ")} of the phase's ` +
              "token requests.",
          );
        }
        const share = figures.refused / (figures.admitted + figures.refused);
        if (figures.ratePerMinute / LIMIT < MIN_RATE_RATIO || share > MAX_429_SHARE) {
          notes.push(
            `**Missed (${label}):** the pacer (packages/sdk/src/pacing.ts) learns the window from ` +
              "`X-RateLimit-Remaining` and `X-RateLimit-Reset`, which the emulator gives in whole seconds (the time " +
              "the oldest request leaves the window, rounded up). Waiting for the announced reset and then probing " +
              "with one request loses up to a second per reopening; sending as soon as `Remaining` allows runs into " +
              "429 when several requests are in flight as the window fills. Where the 429s fell (above) tells which: " +
              "at the start of a process (a fresh client knows nothing of the window yet) or spread over the run.",
          );
        }
      }
      return { lines: [...sdkLines, ...cliLines], notes };
    } finally {
      await world.emulator.close();
    }
  },
};
