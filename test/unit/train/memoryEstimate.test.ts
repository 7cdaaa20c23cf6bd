/**
 * Activation recomputation decided by the step's estimated peak memory (`recompute: "auto"`, the
 * default): the estimate against the measurement it was calibrated on, the decision, and a run that
 * the limit pushes into recomputation training to the same bytes as one that keeps activations.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTrainConfig } from "../../../src/train/config.js";
import { encodeExamples, parseTrainRow } from "../../../src/train/data/index.js";
import type { TrainExample } from "../../../src/train/data/types.js";
import { decideRecompute, estimateStepMemory, GiB } from "../../../src/train/memoryEstimate.js";
import { runTraining } from "../../../src/train/runTraining.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";
import { fakeTokenizer } from "./fakeTokenizer.js";

// Qwen2.5-0.5B: 24 layers, C 896, 14 query / 2 KV heads of 64, FFN 4864, vocabulary 151,936.
const qwen05 = { vocabSize: 151936, hidden: 896, layers: 24, ffn: 4864, heads: 14, kvHeads: 2, headDim: 64 };
const oneSequence = (tokens: number): TrainExample[] => [
  {
    kind: "sequence",
    seq: { tokens: new Int32Array(tokens), completionStart: 1 },
    ref: { file: "x", line: 1 },
  } as never,
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-memory-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("step memory estimate", () => {
  it("is within 10% of bench:train's peak RSS on a Qwen2.5-0.5B-shaped LoRA step (8.04 GiB kept, 2.55 recomputed)", () => {
    const e = estimateStepMemory(qwen05, { sequences: 1, tokens: 1024, full: false });
    expect(e.kept / GiB / 8.04).toBeGreaterThan(0.9);
    expect(e.kept / GiB / 8.04).toBeLessThan(1.1);
    expect(e.recomputed / GiB / 2.55).toBeGreaterThan(0.9);
    expect(e.recomputed / GiB / 2.55).toBeLessThan(1.1);
  });

  it("switches recomputation on past the limit, by default, and leaves a flag as given", () => {
    const lora = resolveTrainConfig({ method: "sft", batchSize: 1 });
    expect(lora.recompute).toBe("auto");
    expect(decideRecompute(qwen05, oneSequence(1024), lora)).toMatchObject({
      recompute: true,
      reason: "estimate",
      limitGiB: 6,
    });
    expect(decideRecompute(qwen05, oneSequence(128), lora).recompute).toBe(false);
    expect(decideRecompute(qwen05, oneSequence(1024), { ...lora, memoryLimitGiB: 12 }).recompute).toBe(false);
    expect(decideRecompute(qwen05, oneSequence(1024), { ...lora, recompute: false })).toMatchObject({
      recompute: false,
      reason: "flag",
    });
    // Full fine-tuning holds gradients and AdamW state for every weight: 4× the weights.
    const full = estimateStepMemory(qwen05, { sequences: 1, tokens: 128, full: true });
    const loraOnly = estimateStepMemory(qwen05, { sequences: 1, tokens: 128, full: false });
    expect(full.kept - loraOnly.kept).toBeCloseTo(3 * 4 * 494.00512e6, -6);
  });

  it("a run the limit pushes into recomputation trains the same bytes as one that keeps activations", async () => {
    const modelPath = (
      await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64, vocabSize: 300 })
    ).path;
    const rows = Array.from({ length: 6 }, (_, i) =>
      parseTrainRow(
        { prompt: [{ role: "user", content: `q${"?".repeat(i)}` }], completion: "ok".repeat(1 + (i % 3)) },
        { file: "toy.jsonl", line: i + 1 },
      ),
    );
    const data = encodeExamples(rows, "sft", fakeTokenizer(), {});
    const base = { method: "sft", lora: false, lr: 1e-2, batchSize: 3, maxSteps: 4, warmupRatio: 0 } as const;
    const kept = await runTraining({
      modelPath,
      config: resolveTrainConfig(base),
      runDir: join(dir, "kept"),
      data,
    });
    const tight = await runTraining({
      modelPath,
      config: resolveTrainConfig({ ...base, memoryLimitGiB: 1e-6 }),
      runDir: join(dir, "tight"),
      data,
    });
    expect(kept.result?.memory).toMatchObject({ recompute: false, reason: "estimate" });
    expect(tight.result?.memory).toMatchObject({ recompute: true, reason: "estimate" });
    expect(JSON.parse(readFileSync(join(dir, "tight", "summary.json"), "utf8")).memory.recompute).toBe(true);
    expect(readFileSync(tight.artifacts.model!)).toEqual(readFileSync(kept.artifacts.model!));
  });
});
