/**
 * The training loop on tiny random-weight GGUF models (hidden 32, 2 layers): each method learns a
 * toy task, every trainable tensor moves, gradient accumulation equals a bigger batch, and a run
 * stopped and resumed from its checkpoint in a fresh model instance equals one that never stopped.
 * Examples come from the character-level fake tokenizer so no llama.cpp load is needed here.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JudgeTemplate } from "../../src/judge/types.js";
import type { CausalLM } from "../../src/model/llama/CausalLM.js";
import { loadModel } from "../../src/model/loadModel.js";
import { backward } from "../../src/tensor/index.js";
import { resolveTrainConfig, type TrainOptions } from "../../src/train/config.js";
import {
  encodeExamples,
  parseTrainRow,
  type TrainMethod,
  type TrainRow,
} from "../../src/train/data/index.js";
import { train } from "../../src/train/loop.js";
import { exampleUnits, microBatchLoss } from "../../src/train/objectives.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";
import { fakeTokenizer } from "../unit/train/fakeTokenizer.js";

let modelPath: string;
let runRoot: string;
beforeAll(async () => {
  modelPath = (await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64, vocabSize: 300 }))
    .path;
  runRoot = await mkdtemp(join(tmpdir(), "genrm-train-loop-"));
});
afterAll(async () => {
  await rm(runRoot, { recursive: true, force: true });
});

const tok = fakeTokenizer();
const ref = (line: number) => ({ file: "toy.jsonl", line });
const words = ["cat", "dog", "sun", "map", "pen", "cup", "box", "hat"];

function sftRows(n: number): TrainRow[] {
  // Whatever the question, answer "ok": a task a tiny model learns in a few dozen steps.
  return Array.from({ length: n }, (_, i) =>
    parseTrainRow(
      { prompt: [{ role: "user", content: `${words[i % 8]} ${words[(i * 3) % 8]}?` }], completion: "ok" },
      ref(i + 1),
    ),
  );
}

function preferenceRows(n: number): TrainRow[] {
  return Array.from({ length: n }, (_, i) =>
    parseTrainRow(
      { prompt: [{ role: "user", content: `${words[i % 8]}?` }], chosen: "yes yes", rejected: "no no" },
      ref(i + 1),
    ),
  );
}

async function fresh(): Promise<CausalLM> {
  return loadModel(modelPath);
}

/** A short judge template: the built-in one is ~1,000 characters, i.e. tokens for the fake tokenizer. */
const toyTemplate: JudgeTemplate = {
  id: "toy@1",
  protocol: "direct",
  system: "",
  user: "{question}|{answer_a}|{answer_b}",
  assistantPrefix: "[[",
};

function dataset(method: TrainMethod, rows: TrainRow[]) {
  return encodeExamples(rows, method, tok, { orders: "both", template: toyTemplate });
}

function snapshot(model: CausalLM, extra: { name: string; tensor: { data: Float32Array } }[] = []) {
  return new Map(
    [...model.trainableParameters(), ...extra].map((p) => [p.name, Float32Array.from(p.tensor.data)]),
  );
}

function config(o: Partial<TrainOptions> & Pick<TrainOptions, "method">) {
  return resolveTrainConfig({ lr: 1e-2, batchSize: 4, warmupRatio: 0, gradClip: 1, ...o });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("train", () => {
  it("SFT with LoRA: the loss falls on a fixed answer and every trainable tensor moves", async () => {
    const model = await fresh();
    const data = dataset("sft", sftRows(16));
    const cfg = config({ method: "sft", epochs: 10, weightDecay: 0 });
    const result = await train(model, data, cfg);
    const losses = result.history.map((e) => e.loss!);
    expect(result.step).toBe(40);
    expect(mean(losses.slice(-4))).toBeLessThan(0.25 * mean(losses.slice(0, 4)));
    expect(result.history.at(-1)!.mean_token_accuracy).toBeGreaterThan(0.9);
    // Only LoRA factors are trainable, and all of them moved from their init.
    const trainable = model.trainableParameters();
    expect(trainable.length).toBe(2 * 7 * 2);
    for (const p of trainable) {
      if (p.name.endsWith("lora_b"))
        expect(
          p.tensor.data.some((x) => x !== 0),
          p.name,
        ).toBe(true);
    }
  });

  it("full fine-tuning moves every parameter in one step", async () => {
    const model = await fresh();
    const before = snapshot(model);
    await train(model, dataset("sft", sftRows(4)), config({ method: "sft", lora: false, maxSteps: 1 }));
    for (const p of model.trainableParameters()) {
      const b = before.get(p.name)!;
      expect(
        p.tensor.data.some((x, i) => x !== b[i]),
        p.name,
      ).toBe(true);
    }
    expect(before.size).toBe(model.parameters().length);
  });

  it("LoRA: every factor moves within two steps (B first, then A), the base weights never", async () => {
    const model = await fresh();
    const base = new Map(model.parameters().map((p) => [p.name, Float32Array.from(p.tensor.data)]));
    const result = await train(
      model,
      dataset("bt", preferenceRows(8)),
      config({ method: "bt", maxSteps: 2, weightDecay: 0 }),
    );
    const loraBefore = new Map<string, Float32Array>();
    const m2 = await fresh();
    // Same seed, same init: rebuild the starting LoRA factors to compare against.
    await train(m2, dataset("bt", preferenceRows(8)), config({ method: "bt", maxSteps: 2, weightDecay: 0 }), {
      stopAtStep: 0,
    });
    for (const p of m2.trainableParameters()) loraBefore.set(p.name, Float32Array.from(p.tensor.data));
    for (const p of model.parameters()) {
      const b = loraBefore.get(p.name) ?? base.get(p.name)!;
      const moved = p.tensor.data.some((x, i) => x !== b[i]);
      expect(moved, p.name).toBe(p.name.includes(".lora_"));
    }
    expect(result.head!.weight.data.some((x, i) => x !== 0 && Number.isFinite(x) && i >= 0)).toBe(true);
  });

  it("DPO: the policy comes to prefer the chosen completions", async () => {
    const model = await fresh();
    const result = await train(
      model,
      dataset("dpo", preferenceRows(8)),
      config({ method: "dpo", epochs: 6, beta: 0.5 }),
    );
    const first = result.history[0]!;
    const last = result.history.at(-1)!;
    // Step 1 runs the starting model, which is the reference: every implicit reward is 0.
    expect(Math.abs(first["rewards/margins"]!)).toBeLessThan(1e-5);
    expect(first.loss).toBeCloseTo(Math.LN2, 5);
    expect(last.loss!).toBeLessThan(0.3);
    expect(last["rewards/accuracies"]).toBe(1);
    expect(last["rewards/margins"]!).toBeGreaterThan(1);
  });

  it("BT: the scalar head separates chosen from rejected", async () => {
    const model = await fresh();
    const result = await train(model, dataset("bt", preferenceRows(8)), config({ method: "bt", epochs: 6 }));
    const last = result.history.at(-1)!;
    expect(last.accuracy).toBe(1);
    expect(last.margin!).toBeGreaterThan(1);
    expect(last.loss!).toBeLessThan(result.history[0]!.loss! / 3);
  });

  it("PairRM and GenRM verdict: losses fall on a position-balanced toy preference", async () => {
    for (const method of ["pairrm", "genrm"] as const) {
      const model = await fresh();
      const result = await train(model, dataset(method, preferenceRows(8)), config({ method, epochs: 8 }));
      const losses = result.history.map((e) => e.loss!);
      expect(mean(losses.slice(-3)), method).toBeLessThan(0.5 * mean(losses.slice(0, 3)));
      const acc = result.history.at(-1)![method === "genrm" ? "verdict/accuracy" : "accuracy"];
      expect(acc, method).toBe(1);
    }
  });

  // Adam divides by √v, so float32 rounding differences in the summed gradient of near-zero
  // entries show up as differences of a small fraction of lr; 1e-3·lr bounds them.
  it("two micro-batches of 2 give the same step as one batch of 4", async () => {
    const rows = sftRows(8);
    const a = await fresh();
    const b = await fresh();
    await train(a, dataset("sft", rows), config({ method: "sft", lora: false, maxSteps: 1, batchSize: 4 }));
    await train(
      b,
      dataset("sft", rows),
      config({ method: "sft", lora: false, maxSteps: 1, batchSize: 2, gradAccum: 2 }),
    );
    let maxDiff = 0;
    const pb = new Map(b.parameters().map((p) => [p.name, p.tensor.data]));
    for (const p of a.parameters()) {
      const other = pb.get(p.name)!;
      for (let i = 0; i < other.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(p.tensor.data[i]! - other[i]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it("resume: 2 steps, checkpoint, a fresh instance runs 2 more = 4 uninterrupted steps, bit for bit", async () => {
    for (const method of ["dpo", "pairrm"] as const) {
      const rows = preferenceRows(12);
      const cfg = config({ method, maxSteps: 4, batchSize: 2, gradAccum: 2, warmupRatio: 0.5, lr: 5e-3 });
      const straight = await fresh();
      const whole = await train(straight, dataset(method, rows), cfg);

      const runDir = join(runRoot, `resume-${method}`);
      const first = await fresh();
      const part1 = await train(first, dataset(method, rows), cfg, { runDir, stopAtStep: 2 });
      expect(part1.stopReason).toBe("stopped");
      const second = await fresh();
      const part2 = await train(second, dataset(method, rows), cfg, { runDir, resume: true });
      expect(part2.resumedFrom).toBe(2);
      expect(part2.step).toBe(4);

      expect([...part1.history, ...part2.history].map((e) => e.loss)).toEqual(
        whole.history.map((e) => e.loss),
      );
      const resumed = new Map(second.trainableParameters().map((p) => [p.name, p.tensor.data]));
      for (const p of straight.trainableParameters())
        expect(resumed.get(p.name), p.name).toEqual(p.tensor.data);
      expect(part2.head?.weight.data ?? null).toEqual(whole.head?.weight.data ?? null);

      // Resumed once more at its end (a kill after the last checkpoint): no step is taken, and the
      // last step's loss still comes back, from the checkpoint.
      const third = await train(await fresh(), dataset(method, rows), cfg, { runDir, resume: true });
      expect(third.history).toEqual([]);
      expect(third.lastEntry?.loss).toBe(whole.history.at(-1)!.loss);
    }
  });

  it("packed runs resume exactly: SFT and DPO stopped at step 2 and resumed = 4 packed steps, bit for bit", async () => {
    for (const method of ["sft", "dpo"] as const) {
      const rows = method === "sft" ? sftRows(12) : preferenceRows(12);
      const cfg = config({ method, maxSteps: 4, batchSize: 3, warmupRatio: 0.5, lr: 5e-3, packing: true });
      const straight = await fresh();
      const whole = await train(straight, dataset(method, rows), cfg);
      const runDir = join(runRoot, `resume-packed-${method}`);
      const part1 = await train(await fresh(), dataset(method, rows), cfg, { runDir, stopAtStep: 2 });
      const second = await fresh();
      const part2 = await train(second, dataset(method, rows), cfg, { runDir, resume: true });
      expect(part2.resumedFrom).toBe(2);
      expect([...part1.history, ...part2.history].map((e) => e.loss)).toEqual(
        whole.history.map((e) => e.loss),
      );
      const resumed = new Map(second.trainableParameters().map((p) => [p.name, p.tensor.data]));
      for (const p of straight.trainableParameters())
        expect(resumed.get(p.name), p.name).toEqual(p.tensor.data);
      // Padding the rest of the run would change the float rounding: refused, not silently mixed.
      await expect(
        train(
          await fresh(),
          dataset(method, rows),
          { ...cfg, packing: false, maxSteps: 6 },
          { runDir, resume: true },
        ),
      ).rejects.toThrow(/packing: the checkpoint has true, this run asks for false/);
    }
  });

  it("refuses to resume with settings that change the data order", async () => {
    const runDir = join(runRoot, "refuse");
    const rows = sftRows(8);
    await train(await fresh(), dataset("sft", rows), config({ method: "sft", maxSteps: 2 }), {
      runDir,
      stopAtStep: 1,
    });
    await expect(
      train(await fresh(), dataset("sft", rows), config({ method: "sft", maxSteps: 2, seed: 9 }), {
        runDir,
        resume: true,
      }),
    ).rejects.toThrow(/seed: the checkpoint has 0, this run asks for 9/);
  });

  it("refuses DPO eval data added on resume: the moved policy is no reference", async () => {
    const runDir = join(runRoot, "dpo-eval-later");
    const data = () => dataset("dpo", preferenceRows(8));
    const cfg = config({ method: "dpo", maxSteps: 4 });
    await train(await fresh(), data(), cfg, { runDir, stopAtStep: 2 });
    await expect(
      train(await fresh(), data(), cfg, { runDir, resume: true, evalDataset: data() }),
    ).rejects.toThrow(/no DPO reference log-probs/);
  });

  it("evaluates held-out data under eval/* keys", async () => {
    const model = await fresh();
    const evalDataset = dataset("sft", sftRows(4));
    const result = await train(
      model,
      dataset("sft", sftRows(8)),
      config({ method: "sft", maxSteps: 4, evalEvery: 2 }),
      {
        evalDataset,
      },
    );
    expect(result.evalHistory.map((e) => e.step)).toEqual([2, 4]);
    expect(result.evalHistory[1]!["eval/loss"]).toBeLessThan(result.evalHistory[0]!["eval/loss"]!);
    expect(result.evalHistory[0]).toHaveProperty("eval/mean_token_accuracy");
  });
});

describe("gradient accumulation", () => {
  it("sums micro-batch gradients to the full batch's gradient", async () => {
    const data = dataset("sft", sftRows(6));
    const cfg = config({ method: "sft", lora: false });
    const grads = async (split: number[][]) => {
      const model = await fresh();
      const ctx = { model, config: cfg, head: null, verdictTokens: null };
      let normalizer = 0;
      for (const ex of data.examples) normalizer += exampleUnits("sft", ex);
      for (const part of split)
        backward(
          microBatchLoss(
            ctx,
            part.map((i) => data.examples[i]!),
            null,
            normalizer,
          ).loss,
        );
      return model.parameters().map((p) => p.tensor.grad!.data);
    };
    const whole = await grads([[0, 1, 2, 3, 4, 5]]);
    const parts = await grads([[0, 1], [2, 3, 4], [5]]);
    let maxDiff = 0;
    let maxAbs = 0;
    whole.forEach((g, i) => {
      for (let j = 0; j < g.length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(g[j]! - parts[i]![j]!));
        maxAbs = Math.max(maxAbs, Math.abs(g[j]!));
      }
    });
    expect(maxDiff / maxAbs).toBeLessThan(1e-5);
  });
});

describe("chunked vocabulary projection", () => {
  it("gives the same loss, metrics and gradients as one block of logits", async () => {
    for (const method of ["sft", "dpo"] as const) {
      const data = dataset(method, method === "sft" ? sftRows(4) : preferenceRows(3));
      const cfg = config({ method, lora: false });
      const run = async (logitChunkFloats?: number) => {
        const model = await fresh();
        const ctx = { model, config: cfg, head: null, verdictTokens: null, logitChunkFloats };
        const refs = method === "dpo" ? data.examples.map(() => [-20, -21] as const) : null;
        const r = microBatchLoss(ctx, data.examples, refs, 7);
        backward(r.loss);
        return {
          loss: r.loss.item(),
          metrics: r.metrics,
          grads: model.parameters().map((p) => p.tensor.grad!.data),
        };
      };
      const whole = await run();
      // 3 rows per chunk: every batch here has more completion rows than that.
      const chunked = await run(300 * 3);
      expect(chunked.loss, method).toBeCloseTo(whole.loss, 6);
      expect(chunked.metrics, method).toEqual(whole.metrics);
      let maxDiff = 0;
      let maxAbs = 0;
      whole.grads.forEach((g, i) => {
        for (let j = 0; j < g.length; j++) {
          maxDiff = Math.max(maxDiff, Math.abs(g[j]! - chunked.grads[i]![j]!));
          maxAbs = Math.max(maxAbs, Math.abs(g[j]!));
        }
      });
      expect(maxDiff / maxAbs, method).toBeLessThan(1e-5);
    }
  });
});
