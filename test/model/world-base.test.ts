/**
 * The committed mini-world base model (assets/world/base.gguf): the file is the one its sidecar
 * describes, llama.cpp loads it, and through the real judging path it writes rationales whose
 * verdicts parse, whose steps are mostly right arithmetic, and whose majority verdict is above
 * chance in distribution but far from perfect (the property the demo's STaR runs start from).
 * Thresholds for the live measurement come from the sidecar's own measurement where they can.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { WorldBaseSidecar } from "../../src/cli/commands/world.js";
import { measureWorldModel } from "../../src/world/pretrain/measureWorldModel.js";

const assetDir = join(import.meta.dirname, "../../assets/world");
const modelPath = join(assetDir, "base.gguf");

describe("committed mini-world base model", () => {
  it("matches its sidecar, parses verdicts and does the arithmetic", async () => {
    const sidecar = JSON.parse(await readFile(`${modelPath}.json`, "utf8")) as WorldBaseSidecar;
    const bytes = await readFile(modelPath);
    expect(bytes.length).toBe(sidecar.bytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sidecar.sha256);
    const recorded = sidecar.measured?.splits.find((s) => s.split === "test")?.cot;
    expect(recorded).toBeDefined();
    // As recorded on 120 test pairs: clearly above chance, far from perfect.
    expect(recorded!.maj1).toBeGreaterThan(0.55);
    expect(recorded!.majK).toBeGreaterThan(0.55);
    expect(recorded!.majK).toBeLessThan(0.85);

    const m = await measureWorldModel({
      modelPath,
      splits: ["test"],
      pairs: 80,
      k: 4,
      worldSeed: 5,
      seed: 1,
    });
    const test = m.splits[0]!;
    expect(test.pairs).toBe(80);
    // Other pairs, other seeds: the majority of 4 rationales still beats a coin.
    expect(test.cot!.majK).toBeGreaterThan(0.55);
    expect(test.cot!.parseRate).toBeGreaterThanOrEqual(0.9);
    // The rationales do the arithmetic: many of their steps are right (a random result would almost
    // never be).
    expect(test.cot!.stepAccuracy).toBeGreaterThan(recorded!.stepAccuracy! / 2);
    // The direct read-out works (a probability for every pair) but has no reasoning to lean on.
    expect(test.direct).toBeGreaterThan(0);
    expect(test.direct).toBeLessThan(1);
  });
});
