// The few seeded draws the chaos harness makes, on the emulator's PRNG (mulberry32): the same seed
// gives the same schedule of clock moves, kills and fault seeds.
import { mulberry32 } from "@timely-keys/emulator";

export { mulberry32 };

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: [[item, weight], ...]. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T;
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError("pick from an empty list");
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted: (choices) => {
      const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
      let u = next() * total;
      for (const [item, weight] of choices) {
        if (u < weight) return item;
        u -= weight;
      }
      return (choices.at(-1) as readonly [(typeof choices)[number][0], number])[0];
    },
  };
  return random;
}
