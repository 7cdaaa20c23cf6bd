import { describe, expect, it } from "vitest";
import { createRng, fnv1a, mulberry32 } from "../../../src/random/index.js";

// Committed results, the mini world and assets/world/base.gguf's recipe depend on these exact
// streams: the pinned numbers below must never change.
describe("mulberry32", () => {
  it("keeps its stream", () => {
    const a = mulberry32(42);
    expect(Array.from({ length: 4 }, () => a.next())).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693,
    ]);
    // Seeds are taken modulo 2^32.
    const b = mulberry32(-1);
    expect([b.uint32(), b.uint32()]).toEqual([3850105811, 813802916]);
  });

  it("fills an array with the same draws as one call per value", () => {
    const a = mulberry32(9);
    const b = mulberry32(9);
    const out = new Float32Array(1000);
    a.fill(out, -0.5, 0.5);
    expect(out).toEqual(Float32Array.from({ length: 1000 }, () => b.uint32() * (1 / 4294967296) - 0.5));
    // The stream goes on where the fill stopped.
    expect(a.uint32()).toBe(b.uint32());
  });

  it("is uniform on [0, 1)", () => {
    const a = mulberry32(42);
    const draws = Array.from({ length: 20_000 }, () => a.next());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    // Mean of 20,000 uniforms has standard deviation 0.002.
    expect(Math.abs(draws.reduce((s, x) => s + x, 0) / draws.length - 0.5)).toBeLessThan(0.01);
  });
});

describe("createRng", () => {
  it("keeps its stream", () => {
    const r = createRng(7);
    expect([r.next(), r.normal(), r.int(1000)]).toEqual([0.23382771760225296, -1.1370633851937206, 172]);
  });
});

describe("fnv1a", () => {
  it("matches the reference FNV-1a 32-bit vectors", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });
});
