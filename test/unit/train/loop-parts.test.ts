/** Schedule, config resolution, optimizer groups, clipping and the checkpoint file format. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors.js";
import { parameter, randn, tensor } from "../../../src/tensor/index.js";
import { AdamW, clipGradNorm, globalGradNorm } from "../../../src/train/adamw.js";
import { collate, completionLength } from "../../../src/train/batch.js";
import { readCheckpointFile, writeCheckpointFile } from "../../../src/train/checkpoint.js";
import { resolveTrainConfig } from "../../../src/train/config.js";
import { epochOrder } from "../../../src/train/loop.js";
import { learningRate } from "../../../src/train/schedule.js";

describe("learningRate", () => {
  const cfg = { lr: 1, warmupRatio: 0.2, minLrRatio: 0.1 };
  it("warms up linearly, then follows a cosine towards the floor", () => {
    // 10 steps: warmup ⌈2⌉ = 2 → 0.5, 1; then 0.1 + 0.45·(1 + cos(π·k/8)), k = 0..7.
    const lrs = Array.from({ length: 10 }, (_, s) => learningRate(s, 10, cfg));
    expect(lrs[0]).toBeCloseTo(0.5, 12);
    expect(lrs[1]).toBeCloseTo(1, 12);
    expect(lrs[2]).toBeCloseTo(1, 12);
    expect(lrs[6]).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos(Math.PI / 2)), 12);
    expect(lrs[9]).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos((7 * Math.PI) / 8)), 12);
    expect(lrs[9]).toBeGreaterThan(0.1);
  });
  it("is constant without warmup and with a single step", () => {
    expect(learningRate(0, 1, { lr: 3, warmupRatio: 0, minLrRatio: 0 })).toBe(3);
  });
});

describe("resolveTrainConfig", () => {
  it("fills the paper's defaults and LoRA's", () => {
    const c = resolveTrainConfig({ method: "dpo" });
    expect(c).toMatchObject({
      beta1: 0.9,
      beta2: 0.95,
      weightDecay: 0.1,
      warmupRatio: 0.1,
      beta: 1,
      lr: 1e-4,
    });
    expect(c.lora).toMatchObject({ rank: 8, alpha: 16 });
    expect(c.lora!.targets).toHaveLength(7);
    expect(resolveTrainConfig({ method: "sft", lora: false }).lr).toBe(1e-6);
  });
  it("reports every issue with its path", () => {
    try {
      resolveTrainConfig({ method: "sft", lr: -1, lora: { rank: 0 }, bogus: 1 } as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const issues = (e as ConfigError).issues.join("\n");
      expect(issues).toMatch(/^lr: /m);
      expect(issues).toMatch(/lora\.rank: /);
      expect(issues).toMatch(/bogus/);
    }
  });
});

describe("AdamW and clipping", () => {
  it("decays matrices only and counts the groups", () => {
    const w = parameter(randn([3, 4]));
    const b = parameter(tensor([1, 1, 1]));
    const opt = new AdamW(
      [
        { name: "w", tensor: w },
        { name: "b", tensor: b },
      ],
      { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.5 },
    );
    expect(opt.groups()).toEqual({ decay: 12, noDecay: 3 });
    w.grad = tensor(new Float32Array(12), [3, 4]);
    b.grad = tensor(new Float32Array(3));
    const w0 = w.data[0]!;
    opt.update(0.1);
    // Zero gradient: only decoupled decay moves w (×(1 − lr·wd)); b stays.
    expect(w.data[0]).toBeCloseTo(w0 * (1 - 0.05), 6);
    expect([...b.data]).toEqual([1, 1, 1]);
  });
  it("clips the global norm and returns the norm before clipping", () => {
    const a = parameter(tensor([0, 0]));
    const b = parameter(tensor([0]));
    a.grad = tensor([3, 0]);
    b.grad = tensor([4]);
    const params = [
      { name: "a", tensor: a },
      { name: "b", tensor: b },
    ];
    expect(clipGradNorm(params, 1)).toBeCloseTo(5, 6);
    expect(globalGradNorm(params)).toBeCloseTo(1, 5);
    expect(a.grad.data[0]).toBeCloseTo(0.6, 5);
  });
});

describe("collate", () => {
  it("right-pads and targets exactly the completion tokens", () => {
    const b = collate([
      { tokens: Int32Array.of(5, 6, 7, 8), completionStart: 2 },
      { tokens: Int32Array.of(9, 10), completionStart: 1 },
    ]);
    expect(b.seqLen).toBe(4);
    expect([...b.lengths]).toEqual([4, 2]);
    expect([...b.tokens]).toEqual([5, 6, 7, 8, 9, 10, 0, 0]);
    // Row 0 predicts 7 (from position 1) and 8; row 1 predicts 10.
    expect([...b.targets]).toEqual([-100, 7, 8, -100, 10, -100, -100, -100]);
    expect(completionLength({ tokens: Int32Array.of(1, 2, 3), completionStart: 0 })).toBe(2);
  });
});

describe("epochOrder", () => {
  it("is a permutation that depends only on (seed, epoch)", () => {
    const a = epochOrder(50, 7);
    const b = epochOrder(50, 7);
    expect([...a(3)]).toEqual([...b(3)]);
    expect([...a(0)].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a(0)]).not.toEqual([...a(1)]);
  });
});

describe("checkpoint files", () => {
  it("round-trips tensors and meta, and refuses other files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "genrm-ckpt-"));
    const file = join(dir, "x.ckpt");
    const t = { name: "param/w", shape: [2, 3], data: Float32Array.of(1, -2, 3.5, Math.PI, 0, -0) };
    await writeCheckpointFile(file, { step: 3, note: "é" }, [
      t,
      { name: "e", shape: [0], data: new Float32Array(0) },
    ]);
    const back = await readCheckpointFile<{ step: number; note: string }>(file);
    expect(back.meta).toEqual({ step: 3, note: "é" });
    expect(back.tensors.get("param/w")).toEqual(t);
    expect(back.tensors.get("e")!.data.length).toBe(0);
    const bytes = await readFile(file);
    expect(bytes.toString("latin1", 0, 8)).toBe("GENRMCKP");
    await writeFile(join(dir, "bad.ckpt"), "not a checkpoint at all");
    await expect(readCheckpointFile(join(dir, "bad.ckpt"))).rejects.toThrow(/not a genrm checkpoint/);
    await writeFile(join(dir, "short.ckpt"), bytes.subarray(0, bytes.length - 4));
    await expect(readCheckpointFile(join(dir, "short.ckpt"))).rejects.toThrow(/truncated/);
  });
});
