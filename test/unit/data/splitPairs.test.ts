import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPairs, type PreferencePair, slicePairs, splitPairs } from "../../../src/data/index.js";
import { ConfigError, InputError } from "../../../src/errors.js";
import { dataRoot } from "./paths.js";

let pairs: PreferencePair[];
beforeAll(async () => {
  pairs = (await loadPairs(path.join(dataRoot, "llmbar"), { skipInvalid: true })).pairs;
});

const ids = (list: readonly PreferencePair[]) => list.map((p) => p.id);
/** A different order of the same pairs: by response length, then id descending. */
const reordered = (list: readonly PreferencePair[]): PreferencePair[] =>
  [...list].sort((a, b) => a.responseA.length - b.responseA.length || (a.id < b.id ? 1 : -1));

describe("splitPairs", () => {
  it("cuts exact sizes, covers every pair once, and defaults to 80/20", () => {
    const { train, test } = splitPairs(pairs, { seed: 1 });
    expect(train.length).toBe(Math.round(pairs.length * 0.8));
    expect(train.length + test.length).toBe(pairs.length);
    expect(new Set([...ids(train), ...ids(test)]).size).toBe(pairs.length);
  });

  it("depends on seed and ids only, not on input order", () => {
    const a = splitPairs(pairs, { seed: 7 });
    expect(ids(reordered(pairs)).slice(0, 50)).not.toEqual(ids(pairs).slice(0, 50));
    const b = splitPairs(reordered(pairs), { seed: 7 });
    const c = splitPairs([...pairs.slice(600), ...pairs.slice(0, 600)], { seed: 7 });
    expect(ids(b.train)).toEqual(ids(a.train));
    expect(ids(c.test)).toEqual(ids(a.test));
    const other = splitPairs(pairs, { seed: 8 });
    expect(new Set(ids(other.test))).not.toEqual(new Set(ids(a.test)));
  });

  it("spreads subsets across splits instead of cutting the file in order", () => {
    const { test } = splitPairs(pairs, { seed: 0 });
    const subsets = new Set(test.map((p) => p.subset));
    expect(subsets.size).toBe(13);
  });

  it("takes named splits, and lists every bad fraction", () => {
    const parts = splitPairs(pairs, { seed: "s", fractions: { train: 0.7, dev: 0.1, test: 0.2 } });
    expect(Object.keys(parts)).toEqual(["train", "dev", "test"]);
    expect(parts.dev.length).toBe(Math.round(pairs.length * 0.1));
    expect(parts.train.length + parts.dev.length + parts.test.length).toBe(pairs.length);

    let error: unknown;
    try {
      splitPairs(pairs, { fractions: { train: 0.9, test: 0.2 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual(["fractions: must sum to 1, got 1.1"]);
    expect(() => splitPairs(pairs, { fractions: { a: -0.5, b: 1.5 } })).toThrow(
      /fractions\.a.*\n.*fractions\.b/,
    );
  });

  it("refuses duplicate ids", () => {
    expect(() => splitPairs([pairs[0]!, pairs[1]!, pairs[0]!])).toThrow(InputError);
  });
});

describe("slicePairs", () => {
  it("makes n disjoint slices covering all pairs, sizes within one of each other", () => {
    const slices = slicePairs(pairs, 3, 42);
    expect(slices).toHaveLength(3);
    const sizes = slices.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(pairs.length);
    expect(new Set(slices.flatMap(ids)).size).toBe(pairs.length);
  });

  it("is deterministic per seed, independent of order, and not aligned with splitPairs", () => {
    const a = slicePairs(pairs, 3, 42);
    expect(slicePairs(reordered(pairs), 3, 42).map(ids)).toEqual(a.map(ids));
    expect(slicePairs(pairs, 3, 43).map(ids)).not.toEqual(a.map(ids));
    const { train } = splitPairs(pairs, { seed: 42 });
    const first = new Set(ids(slicePairs(train, 3, 42)[0]!));
    const head = ids(train).slice(0, first.size);
    expect(head.filter((id) => first.has(id)).length).toBeLessThan(first.size);
  });

  it("rejects a slice count that is not a positive integer", () => {
    expect(() => slicePairs(pairs, 0, 1)).toThrow(ConfigError);
    expect(() => slicePairs(pairs, 1.5, 1)).toThrow(ConfigError);
  });
});
