/**
 * The committed mini-world base model (assets/world/base.gguf): the file is the one its sidecar
 * describes, llama.cpp loads it, and through the real judging path it writes rationales whose
 * verdicts parse and whose CoT accuracy on a fixed world split is clearly above chance. The margin
 * is taken from the sidecar's own measurement (test split), halved, so the check follows the model
 * rather than a number typed in here.
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
  it("matches its sidecar, parses verdicts and judges clearly above chance", async () => {
    const sidecar = JSON.parse(await readFile(`${modelPath}.json`, "utf8")) as WorldBaseSidecar;
    const bytes = await readFile(modelPath);
    expect(bytes.length).toBe(sidecar.bytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sidecar.sha256);
    const recorded = sidecar.measured?.splits.find((s) => s.split === "test")?.cot;
    expect(recorded).toBeDefined();
    // The recorded model is above chance, or it is not the base model the demo needs.
    expect(recorded!.maj1).toBeGreaterThan(0.55);

    const m = await measureWorldModel({
      modelPath,
      splits: ["test"],
      pairs: 60,
      k: 2,
      worldSeed: 5,
      seed: 1,
    });
    const test = m.splits[0]!;
    expect(test.pairs).toBe(60);
    expect(test.cot!.parseRate).toBeGreaterThanOrEqual(0.9);
    expect(test.cot!.maj1).toBeGreaterThan(0.5 + (recorded!.maj1 - 0.5) / 2);
    // The rationales do the arithmetic: most of their steps are right.
    expect(test.cot!.stepAccuracy).toBeGreaterThan(0.5);
    // The direct read-out works (a probability for every pair) but has no reasoning to lean on.
    expect(test.direct).toBeGreaterThan(0);
    expect(test.direct).toBeLessThan(1);
  });
});
