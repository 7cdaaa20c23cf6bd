/**
 * Deterministic splits. Each pair gets a rank, sha256(purpose, seed, id), so where a pair lands
 * depends only on its id and the seed, never on input order; pairs are then cut in rank order into
 * parts of exact sizes (largest-remainder rounding). Each part comes back in rank order, which is a
 * seeded shuffle. `splitPairs` and `slicePairs` hash with different purposes so that slicing a
 * train split does not line up with the split boundary.
 */
import { createHash } from "node:crypto";
import { ConfigError, InputError } from "../errors.js";
import type { PreferencePair } from "./types.js";

export interface SplitPairsOptions<K extends string> {
  /** Defaults to 0. */
  seed?: number | string;
  /** Share of pairs per split; must sum to 1. Defaults to {train: 0.8, test: 0.2}. */
  fractions?: Record<K, number>;
}

export const defaultSplitFractions = { train: 0.8, test: 0.2 } satisfies Record<string, number>;

export function splitPairs<K extends string = "train" | "test">(
  pairs: readonly PreferencePair[],
  options: SplitPairsOptions<K> = {},
): Record<K, PreferencePair[]> {
  const { seed = 0, fractions = defaultSplitFractions as Record<K, number> } = options;
  const names = Object.keys(fractions) as K[];
  const issues: string[] = [];
  if (names.length === 0) issues.push("fractions: name at least one split");
  for (const name of names) {
    const f = fractions[name];
    if (!(typeof f === "number" && f >= 0 && f <= 1))
      issues.push(`fractions.${name}: must be a number in [0, 1], got ${f}`);
  }
  const total = names.reduce((s, n) => s + fractions[n], 0);
  if (issues.length === 0 && Math.abs(total - 1) > 1e-9)
    issues.push(`fractions: must sum to 1, got ${total}`);
  if (issues.length > 0) throw new ConfigError(issues);

  const ranked = rankPairs(pairs, "split", seed);
  const sizes = apportion(
    ranked.length,
    names.map((n) => fractions[n]),
  );
  const result = {} as Record<K, PreferencePair[]>;
  let start = 0;
  names.forEach((name, i) => {
    result[name] = ranked.slice(start, start + sizes[i]!);
    start += sizes[i]!;
  });
  return result;
}

/**
 * `n` disjoint slices covering every pair, sizes differing by at most one (the first
 * `pairs.length % n` slices get the extra pair). STaR trains iteration i on slice i.
 */
export function slicePairs(
  pairs: readonly PreferencePair[],
  n: number,
  seed: number | string = 0,
): PreferencePair[][] {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError([`slices: must be an integer ≥ 1, got ${n}`]);
  const ranked = rankPairs(pairs, "slice", seed);
  const base = Math.floor(ranked.length / n);
  const extra = ranked.length % n;
  const slices: PreferencePair[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = base + (i < extra ? 1 : 0);
    slices.push(ranked.slice(start, start + size));
    start += size;
  }
  return slices;
}

function rankPairs(
  pairs: readonly PreferencePair[],
  purpose: string,
  seed: number | string,
): PreferencePair[] {
  const seen = new Set<string>();
  const keyed = pairs.map((pair) => {
    if (seen.has(pair.id)) {
      throw new InputError("duplicate pair id; splits need unique ids", {
        field: "id",
        expected: "unique ids (loadPairs makes them unique)",
        got: pair.id,
      });
    }
    seen.add(pair.id);
    return { pair, key: createHash("sha256").update(`${purpose}\0${seed}\0${pair.id}`).digest("hex") };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.pair);
}

/** Integer sizes proportional to `fractions` that sum to `total` (largest remainder, ties to the first). */
function apportion(total: number, fractions: number[]): number[] {
  const exact = fractions.map((f) => f * total);
  const sizes = exact.map(Math.floor);
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    sizes[i]!++;
    left--;
  }
  return sizes;
}
