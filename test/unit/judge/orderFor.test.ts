import { describe, expect, it } from "vitest";
import { orderFor, ordersFor, sampleSeed } from "../../../src/judge/index.js";
import type { PairId } from "../../../src/types.js";

const id = (s: string) => s as PairId;

describe("order policy", () => {
  it("draws one seeded order per pair from sha256(seed, pair id)", () => {
    // Bit 0 of the first 4 bytes of sha256("genrm/order\x1f0\x1fpair-i"), computed with Python hashlib.
    const expected = ["AB", "AB", "BA", "AB", "AB", "BA"];
    expect([0, 1, 2, 3, 4, 5].map((i) => orderFor(id(`pair-${i}`), 0))).toEqual(expected);
    // Independent of which other pairs are judged, or in what order.
    expect(orderFor(id("pair-5"), 0)).toBe("BA");
  });

  it("is balanced over many pairs and changes with the seed", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => id(`q${i}`));
    const ab = ids.filter((p) => orderFor(p, 1) === "AB").length;
    expect(ab).toBeGreaterThan(900);
    expect(ab).toBeLessThan(1100);
    expect(ids.filter((p) => orderFor(p, 1) !== orderFor(p, 2)).length).toBeGreaterThan(900);
  });

  it("modes", () => {
    expect(ordersFor(id("pair-2"), { mode: "random" })).toEqual(["BA"]);
    expect(ordersFor(id("pair-2"))).toEqual(["AB", "BA"]);
    expect(ordersFor(id("pair-2"), { mode: "fixed" })).toEqual(["AB"]);
    expect(ordersFor(id("pair-2"), { mode: "fixed", fixedOrder: "BA" })).toEqual(["BA"]);
  });

  it("sample seeds are deterministic unsigned 32-bit hashes", () => {
    // First 4 bytes (big-endian) of sha256("genrm/sample\x1f0\x1fp1\x1fAB\x1f0"), computed with Python hashlib.
    expect(sampleSeed(0, id("p1"), "AB", 0)).toBe(591050820);
    expect(sampleSeed(7, id("p1"), "BA", 3)).toBe(3619918721);
    const seeds = new Set(Array.from({ length: 64 }, (_, i) => sampleSeed(0, id("p1"), "AB", i)));
    expect(seeds.size).toBe(64);
  });
});
