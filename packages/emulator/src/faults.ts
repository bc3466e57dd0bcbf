export const faultKinds = ["500", "503", "429", "drop", "invalid_json", "wrong_envelope", "huge_body"] as const;
export type FaultKind = (typeof faultKinds)[number];
const errorStatuses = ["500", "503", "429"] as const;
const malformedKinds = ["invalid_json", "wrong_envelope", "huge_body"] as const;
export type FaultTiming = "before" | "after";

/** Fault injection settings, as posted to `POST /_emulator/faults`. */
export interface FaultConfig {
  /** Probability per request of answering with this status instead. */
  error_rates?: Partial<Record<(typeof errorStatuses)[number], number>>;
  /** Added delay: fixed, or uniform in [min, max]. */
  latency_ms?: number | { min: number; max: number };
  /** Probability of destroying the socket without an answer. */
  drop_rate?: number;
  /** Fault exactly the n-th matching request (1-based, counted from when faults were set). */
  fail_nth?: { n: number; kind: FaultKind };
  /** Probability of a 200 whose body is broken in this way. */
  malformed_rate?: Partial<Record<(typeof malformedKinds)[number], number>>;
  /** Every /v1 route answers 503 (health too, as the contract says). */
  maintenance?: boolean;
  /** PRNG seed: the same seed and request sequence fault the same requests. */
  seed?: number;
  /** Regex over the /v1 path; only matching requests are faulted (maintenance ignores it). */
  paths?: string;
  /**
   * A fault lands before the request is handled (nothing changed) or after (the change happened
   * but the answer is lost or broken). Default: random, per request.
   */
  when?: FaultTiming | "random";
}

export interface FaultDecision {
  latencyMs: number;
  maintenance: boolean;
  kind?: FaultKind;
  when: FaultTiming;
}

export class FaultConfigError extends Error {
  override name = "FaultConfigError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const NO_FAULT: FaultDecision = { latencyMs: 0, maintenance: false, when: "before" };

export class FaultInjector {
  private config: FaultConfig = {};
  private pathFilter: RegExp | undefined;
  private random: () => number = Math.random;
  private counter = 0;

  set(value: unknown): FaultConfig {
    const config = validateFaultConfig(value);
    this.config = config;
    this.pathFilter = config.paths === undefined ? undefined : new RegExp(config.paths);
    this.random = mulberry32(config.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.counter = 0;
    return config;
  }

  clear(): void {
    this.set({});
  }

  current(): FaultConfig {
    return structuredClone(this.config);
  }

  /** Decides the fate of one /v1 request. Draws happen in a fixed order so a seed reproduces. */
  decide(pathname: string): FaultDecision {
    const c = this.config;
    if (c.maintenance) return { ...NO_FAULT, maintenance: true };
    if (this.pathFilter && !this.pathFilter.test(pathname)) return NO_FAULT;
    this.counter++;
    let kind: FaultKind | undefined;
    if (c.fail_nth && this.counter === c.fail_nth.n) kind = c.fail_nth.kind;
    else kind = this.drawKind();
    const latencyMs = this.drawLatency();
    const when: FaultTiming =
      c.when === "before" || c.when === "after" ? c.when : this.random() < 0.5 ? "before" : "after";
    return { latencyMs, maintenance: false, when, ...(kind ? { kind } : {}) };
  }

  private drawKind(): FaultKind | undefined {
    const c = this.config;
    const buckets: Array<[FaultKind, number]> = [
      ["drop", c.drop_rate ?? 0],
      ...errorStatuses.map((s): [FaultKind, number] => [s, c.error_rates?.[s] ?? 0]),
      ...malformedKinds.map((m): [FaultKind, number] => [m, c.malformed_rate?.[m] ?? 0]),
    ];
    if (buckets.every(([, p]) => p === 0)) return undefined;
    let u = this.random();
    for (const [kind, p] of buckets) {
      if (u < p) return kind;
      u -= p;
    }
    return undefined;
  }

  private drawLatency(): number {
    const latency = this.config.latency_ms;
    if (latency === undefined) return 0;
    if (typeof latency === "number") return latency;
    return latency.min + Math.floor(this.random() * (latency.max - latency.min + 1));
  }
}

/** Validates a fault configuration; errors name the field. `{}` (or null) clears every fault. */
export function validateFaultConfig(value: unknown): FaultConfig {
  if (value === null || value === undefined) return {};
  const obj = asObject(value, "faults");
  const allowed = [
    "error_rates",
    "latency_ms",
    "drop_rate",
    "fail_nth",
    "malformed_rate",
    "maintenance",
    "seed",
    "paths",
    "when",
  ];
  rejectUnknown(obj, allowed, "");
  const config: FaultConfig = {};
  if (obj.error_rates !== undefined) config.error_rates = rates(obj.error_rates, "error_rates", errorStatuses);
  if (obj.malformed_rate !== undefined)
    config.malformed_rate = rates(obj.malformed_rate, "malformed_rate", malformedKinds);
  if (obj.drop_rate !== undefined) config.drop_rate = probability(obj.drop_rate, "drop_rate");
  if (obj.latency_ms !== undefined) config.latency_ms = latency(obj.latency_ms);
  if (obj.fail_nth !== undefined) {
    const nth = asObject(obj.fail_nth, "fail_nth");
    rejectUnknown(nth, ["n", "kind"], "fail_nth.");
    if (typeof nth.n !== "number" || !Number.isInteger(nth.n) || nth.n < 1) {
      throw new FaultConfigError("fail_nth.n", "must be an integer >= 1");
    }
    if (!faultKinds.includes(nth.kind as FaultKind)) {
      throw new FaultConfigError("fail_nth.kind", `must be one of ${faultKinds.join(", ")}`);
    }
    config.fail_nth = { n: nth.n, kind: nth.kind as FaultKind };
  }
  if (obj.maintenance !== undefined) {
    if (typeof obj.maintenance !== "boolean") throw new FaultConfigError("maintenance", "must be true or false");
    config.maintenance = obj.maintenance;
  }
  if (obj.seed !== undefined) {
    if (typeof obj.seed !== "number" || !Number.isInteger(obj.seed))
      throw new FaultConfigError("seed", "must be an integer");
    config.seed = obj.seed;
  }
  if (obj.paths !== undefined) {
    if (typeof obj.paths !== "string") throw new FaultConfigError("paths", "must be a regular expression string");
    try {
      new RegExp(obj.paths);
    } catch {
      throw new FaultConfigError("paths", "is not a valid regular expression");
    }
    config.paths = obj.paths;
  }
  if (obj.when !== undefined) {
    if (obj.when !== "before" && obj.when !== "after" && obj.when !== "random") {
      throw new FaultConfigError("when", "must be one of before, after, random");
    }
    config.when = obj.when;
  }
  const total =
    (config.drop_rate ?? 0) +
    Object.values(config.error_rates ?? {}).reduce((a, b) => a + b, 0) +
    Object.values(config.malformed_rate ?? {}).reduce((a, b) => a + b, 0);
  if (total > 1 + 1e-9) {
    throw new FaultConfigError("error_rates", "drop_rate, error_rates and malformed_rate add up to more than 1");
  }
  return config;
}

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new FaultConfigError(field, "must be an object");
  return value as Record<string, unknown>;
}

function rejectUnknown(obj: Record<string, unknown>, allowed: string[], prefix: string): void {
  for (const field of Object.keys(obj)) {
    if (!allowed.includes(field))
      throw new FaultConfigError(`${prefix}${field}`, `unknown field (allowed: ${allowed.join(", ")})`);
  }
}

function probability(value: unknown, field: string): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    throw new FaultConfigError(field, "must be a number between 0 and 1");
  return value;
}

function rates<K extends string>(value: unknown, field: string, keys: readonly K[]): Partial<Record<K, number>> {
  const obj = asObject(value, field);
  rejectUnknown(obj, [...keys], `${field}.`);
  const out: Partial<Record<K, number>> = {};
  for (const [key, rate] of Object.entries(obj)) out[key as K] = probability(rate, `${field}.${key}`);
  return out;
}

function latency(value: unknown): FaultConfig["latency_ms"] {
  const isMs = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0 && n <= 600_000;
  if (isMs(value)) return value;
  const obj = asObject(value, "latency_ms");
  rejectUnknown(obj, ["min", "max"], "latency_ms.");
  if (!isMs(obj.min)) throw new FaultConfigError("latency_ms.min", "must be a number of milliseconds >= 0");
  if (!isMs(obj.max) || obj.max < obj.min)
    throw new FaultConfigError("latency_ms.max", "must be a number of milliseconds >= min");
  return { min: obj.min, max: obj.max };
}

/** Small, fast, seedable PRNG (public domain). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
