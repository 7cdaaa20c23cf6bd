/**
 * Packed micro-batches: several rows in one sequence, each attending only within itself (a
 * block-diagonal causal mask) with RoPE positions restarting at 0, must give the loss, the
 * gradients and the per-row log-probs of the same rows padded. Checked on both kernel backends,
 * with rows longer than the native attention's 64-row query block so blocks straddle row
 * boundaries.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type CausalLM, createPairwiseHead, createScalarHead } from "../../../src/model/llama/index.js";
import { loadModel } from "../../../src/model/loadModel.js";
import {
  type Backend,
  backward,
  causalAttention,
  createRng,
  loadNativeBackend,
  mul,
  noGrad,
  referenceBackend,
  sum,
  type Tensor,
  tensor,
  withBackend,
} from "../../../src/tensor/index.js";
import { batchCompletionRows, collate, packSequences } from "../../../src/train/batch.js";
import { resolveTrainConfig } from "../../../src/train/config.js";
import type {
  PairwiseExample,
  PreferenceExample,
  SequenceExample,
  TokenSequence,
  TrainExample,
} from "../../../src/train/data/types.js";
import {
  exampleUnits,
  microBatchLoss,
  type ObjectiveContext,
  referenceLogProbs,
} from "../../../src/train/objectives.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";

const native = loadNativeBackend();
const backends: [string, Backend | null, string][] = [
  ["reference", referenceBackend, ""],
  ["native", native.backend, native.error],
];

/** Largest |a − b| over the largest |b|: the error relative to the tensor's scale. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

const ref = (line: number) => ({ file: "packing.jsonl", line });

function sequence(
  rng: ReturnType<typeof createRng>,
  V: number,
  length: number,
  prompt: number,
): TokenSequence {
  return { tokens: Int32Array.from({ length }, () => rng.int(V)), completionStart: prompt };
}

describe("packSequences", () => {
  it("lays rows end to end with their own positions, segment starts and targets", () => {
    const packed = packSequences([
      { tokens: Int32Array.of(5, 6, 7), completionStart: 1 },
      { tokens: Int32Array.of(8, 9, 10), completionStart: 2 },
    ]);
    expect(packed.batch).toBe(1);
    expect(packed.seqLen).toBe(6);
    expect(packed.realTokens).toBe(6);
    expect([...packed.tokens]).toEqual([5, 6, 7, 8, 9, 10]);
    expect([...packed.packing!.positions]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...packed.packing!.segmentStarts]).toEqual([0, 0, 0, 3, 3, 3]);
    // Row 0 predicts 6 and 7; its last token does not predict row 1's first (8).
    expect([...packed.targets]).toEqual([6, 7, -100, -100, 10, -100]);
    const comp = batchCompletionRows(packed);
    expect([...comp.rows]).toEqual([0, 1, 4]);
    expect([...comp.targets]).toEqual([6, 7, 10]);
    expect([...comp.sequence]).toEqual([0, 0, 1]);
    expect(comp.batch).toBe(2);
  });

  it("selects the same completion targets as the padded batch, row by row", () => {
    const rng = createRng(3);
    const seqs = [70, 9, 130, 40].map((n, i) => sequence(rng, 50, n, 1 + i * 3));
    const padded = batchCompletionRows(collate(seqs));
    const packed = batchCompletionRows(packSequences(seqs));
    expect([...packed.targets]).toEqual([...padded.targets]);
    expect([...packed.sequence]).toEqual([...padded.sequence]);
  });
});

describe.each(backends)("packed = padded (%s backend)", (_name, backend, why) => {
  if (backend === null) {
    it.skip(`native addon not loaded: ${why}`, () => {});
    return;
  }
  const run = <T>(fn: () => T): T => withBackend(backend, fn);

  it("attention with segment starts equals attention on each row alone, forward and backward", () =>
    run(() => {
      const rng = createRng(7);
      const H = 4;
      const Hkv = 2;
      const D = 8;
      const lengths = [70, 9, 130, 40];
      const T = lengths.reduce((a, b) => a + b, 0);
      const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
      const q = rand(T * H * D);
      const k = rand(T * Hkv * D);
      const v = rand(T * Hkv * D);
      const w = rand(T * H * D);
      const starts = new Int32Array(T);
      let at = 0;
      for (const n of lengths) {
        starts.fill(at, at, at + n);
        at += n;
      }
      // Packed: one (1, T) sequence; loss = Σ out ⊙ w so every output row carries a gradient.
      const [pq, pk, pv] = [tensor(q, [1, T, H * D]), tensor(k, [1, T, Hkv * D]), tensor(v, [1, T, Hkv * D])];
      for (const t of [pq, pk, pv]) t.requiresGrad = true;
      const out = causalAttention(pq, pk, pv, { heads: H, kvHeads: Hkv, segmentStarts: starts });
      backward(sum(mulConst(out, w)));
      at = 0;
      for (const n of lengths) {
        const slice = (x: Float32Array, width: number) => x.slice(at * width, (at + n) * width);
        const [sq, sk, sv] = [
          tensor(slice(q, H * D), [1, n, H * D]),
          tensor(slice(k, Hkv * D), [1, n, Hkv * D]),
          tensor(slice(v, Hkv * D), [1, n, Hkv * D]),
        ];
        for (const t of [sq, sk, sv]) t.requiresGrad = true;
        const alone = causalAttention(sq, sk, sv, { heads: H, kvHeads: Hkv });
        backward(sum(mulConst(alone, slice(w, H * D))));
        expect(relativeError(out.data.slice(at * H * D, (at + n) * H * D), alone.data)).toBeLessThan(1e-5);
        expect(relativeError(pq.grad!.data.slice(at * H * D, (at + n) * H * D), sq.grad!.data)).toBeLessThan(
          1e-5,
        );
        expect(
          relativeError(pk.grad!.data.slice(at * Hkv * D, (at + n) * Hkv * D), sk.grad!.data),
        ).toBeLessThan(1e-5);
        expect(
          relativeError(pv.grad!.data.slice(at * Hkv * D, (at + n) * Hkv * D), sv.grad!.data),
        ).toBeLessThan(1e-5);
        at += n;
      }
    }));

  it("refuses segment starts that are not contiguous rows", () =>
    run(() => {
      const x = tensor(new Float32Array(4 * 2), [1, 4, 2]);
      const bad = (starts: number[]) => () =>
        causalAttention(x, x, x, { heads: 1, segmentStarts: Int32Array.from(starts) });
      expect(bad([0, 0, 3, 3])).toThrow(/segmentStarts\[2\] is 3/);
      expect(bad([0, 0, 2, 1])).toThrow(/segmentStarts\[3\] is 1/);
      expect(bad([0, 0])).toThrow(/segmentStarts has 2 entries/);
    }));

  let model: CausalLM;
  beforeAll(async () => {
    const { path } = await tinyModelOnce({
      arch: "qwen2",
      hidden: 32,
      layers: 2,
      heads: 4,
      kvHeads: 2,
      ffn: 64,
      vocabSize: 300,
      seed: 11,
    });
    model = await loadModel(path);
  });

  /** Loss and every trainable gradient of one micro-batch, packed or padded. */
  function step(
    method: "sft" | "dpo" | "genrm" | "bt" | "pairrm",
    examples: TrainExample[],
    packing: boolean,
    extra: Partial<ObjectiveContext> & { refs?: (readonly [number, number])[] } = {},
  ) {
    for (const p of [...model.parameters(), ...(extra.head?.parameters() ?? [])]) p.tensor.zeroGrad();
    const ctx: ObjectiveContext = {
      model,
      config: resolveTrainConfig({ method, lora: false, packing }),
      head: null,
      verdictTokens: null,
      ...extra,
    };
    let normalizer = 0;
    for (const ex of examples) normalizer += exampleUnits(method, ex);
    const r = run(() => microBatchLoss(ctx, examples, extra.refs ?? null, normalizer));
    run(() => backward(r.loss));
    const params = [...model.trainableParameters(), ...(ctx.head?.parameters() ?? [])];
    const grads = new Map(params.map((p) => [p.name, Float32Array.from(p.tensor.grad!.data)]));
    return { loss: r.loss.item(), tokens: r.tokens, metrics: r.metrics, grads };
  }

  function expectSame(a: ReturnType<typeof step>, b: ReturnType<typeof step>) {
    expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.loss));
    expect(a.tokens).toBe(b.tokens);
    for (const [k, v] of Object.entries(b.metrics)) expect(a.metrics[k], k).toBeCloseTo(v, 4);
    expect(a.grads.size).toBe(b.grads.size);
    let worst = 0;
    for (const [name, g] of b.grads) {
      const e = relativeError(a.grads.get(name)!, g);
      worst = Math.max(worst, e);
      expect(e, name).toBeLessThan(1e-5);
    }
    return worst;
  }

  const sftExamples = (): SequenceExample[] => {
    const rng = createRng(21);
    return [
      [70, 12],
      [9, 3],
      [130, 60],
      [40, 1],
      [5, 4],
    ].map(([n, c], i) => ({
      kind: "sequence",
      seq: sequence(rng, 300, n!, c!),
      ref: ref(i + 1),
    }));
  };

  it("SFT: the loss and every gradient of a packed micro-batch equal the padded one's", () => {
    const examples = sftExamples();
    const padded = step("sft", examples, false);
    const packed = step("sft", examples, true);
    expect(packed.tokens).toBe(70 + 9 + 130 + 40 + 5);
    const worst = expectSame(packed, padded);
    console.log(
      `SFT packed vs padded: loss ${packed.loss} / ${padded.loss}, worst gradient error ${worst.toExponential(2)}`,
    );
    // The chunked vocabulary projection (logits recomputed in backward) packs the same way.
    expectSame(step("sft", examples, true, { logitChunkFloats: 300 * 16 }), padded);
  });

  it("GenRM verdict: packed equals padded", () => {
    const rng = createRng(5);
    const examples: SequenceExample[] = [66, 20, 90].map((n, i) => ({
      kind: "sequence",
      seq: sequence(rng, 300, n, n - 1),
      ref: ref(i + 1),
    }));
    expectSame(
      step("genrm", examples, true, { verdictTokens: [40, 41] }),
      step("genrm", examples, false, { verdictTokens: [40, 41] }),
    );
  });

  const dpoExamples = (): PreferenceExample[] => {
    const rng = createRng(33);
    return [
      [80, 35, 20],
      [12, 30, 6],
      [100, 70, 50],
    ].map(([c, r, p], i) => {
      const prompt = Array.from({ length: p! }, () => rng.int(300));
      const withPrompt = (n: number): TokenSequence => ({
        tokens: Int32Array.from({ length: n }, (_, t) => (t < p! ? prompt[t]! : rng.int(300))),
        completionStart: p!,
      });
      return { kind: "preference", chosen: withPrompt(c!), rejected: withPrompt(r!), ref: ref(i + 1) };
    });
  };

  it("DPO: per-row log-probs of chosen and rejected, the loss and every gradient equal the padded ones", () => {
    const examples = dpoExamples();
    const padRefs = run(() => referenceLogProbs(model, examples, 2, { packing: false }));
    const packRefs = run(() => referenceLogProbs(model, examples, 2, { packing: true }));
    expect(relativeError(packRefs, padRefs)).toBeLessThan(1e-5);
    for (let i = 0; i < padRefs.length; i++) {
      expect(Math.abs(packRefs[i]! - padRefs[i]!), `log-prob ${i}`).toBeLessThanOrEqual(
        1e-5 * Math.abs(padRefs[i]!),
      );
    }
    // References away from the policy, so the sigmoid is not at its midpoint and β matters.
    const refs = examples.map((_, i) => [padRefs[2 * i]! - 0.5 * i, padRefs[2 * i + 1]! + 0.3] as const);
    const padded = step("dpo", examples, false, { refs });
    const packed = step("dpo", examples, true, { refs });
    const worst = expectSame(packed, padded);
    console.log(
      `DPO packed vs padded: loss ${packed.loss} / ${padded.loss}, worst gradient error ${worst.toExponential(2)}`,
    );
  });

  it("BT and PairRM: heads read each packed sequence's last token, as they read each padded row's", () => {
    const bt = createScalarHead(model, { seed: 1 });
    const examples = dpoExamples();
    expectSame(step("bt", examples, true, { head: bt }), step("bt", examples, false, { head: bt }));
    const rng = createRng(8);
    const pairs: PairwiseExample[] = [90, 14, 70].map((n, i) => ({
      kind: "pairwise",
      seq: sequence(rng, 300, n, n),
      label: i === 1 ? 0.5 : i % 2,
      ref: ref(i + 1),
    }));
    const pairrm = createPairwiseHead(model, { seed: 2 });
    expectSame(step("pairrm", pairs, true, { head: pairrm }), step("pairrm", pairs, false, { head: pairrm }));
  });

  it("the packed forward matches the padded one under noGrad for every real token", () =>
    run(() => {
      const examples = sftExamples();
      const seqs = examples.map((e) => e.seq);
      const pad = collate(seqs);
      const pack = packSequences(seqs);
      const C = model.config.hidden;
      const [hp, hk] = noGrad(() => [
        model.forwardHidden(pad.tokens, { batch: pad.batch, seqLen: pad.seqLen, lengths: pad.lengths }),
        model.forwardHidden(pack.tokens, {
          batch: 1,
          seqLen: pack.seqLen,
          positions: pack.packing!.positions,
          segmentStarts: pack.packing!.segmentStarts,
        }),
      ]);
      let at = 0;
      seqs.forEach((s, b) => {
        const n = s.tokens.length;
        const a = hk!.data.slice(at * C, (at + n) * C);
        const e = hp!.data.slice(b * pad.seqLen * C, (b * pad.seqLen + n) * C);
        expect(relativeError(a, e), `row ${b}`).toBeLessThan(1e-5);
        at += n;
      });
    }));
});

function mulConst(x: Tensor, w: Float32Array): Tensor {
  return mul(x, tensor(w, x.shape));
}
