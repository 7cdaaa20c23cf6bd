/**
 * BT and PairRM heads as judges, on a tiny GGUF model trained here for real (LoRA + head): the
 * judge loads base + exported adapter + head file and must give the numbers the in-memory trained
 * model gives, encode pairs as the trainer did, learn a learnable signal (the longer answer wins),
 * and refuse bad files by name.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import { DisposedError, InputError, NotFoundError } from "../../../src/errors.js";
import { type HeadJudge, type HeadJudgment, openHeadJudge } from "../../../src/heads/openHeadJudge.js";
import { judgeAll } from "../../../src/judge/judgeAll.js";
import { orderFor } from "../../../src/judge/orderFor.js";
import { directPairV2 } from "../../../src/judge/templates/builtinTemplates.js";
import { renderJudgePrompt } from "../../../src/judge/templates/renderJudgePrompt.js";
import { templateHash } from "../../../src/judge/templates/templateHash.js";
import type { JudgeTemplate, Order } from "../../../src/judge/types.js";
import { exportLoraAdapterGguf, exportMergedGguf } from "../../../src/model/export/index.js";
import { type CausalLM, lastTokenRows, loadModel, type ScalarHead } from "../../../src/model/index.js";
import { noGrad } from "../../../src/tensor/index.js";
import { readCheckpointFile, writeCheckpointFile } from "../../../src/train/checkpoint.js";
import { resolveTrainConfig } from "../../../src/train/config.js";
import {
  encodeExamples,
  encodeSequence,
  openTrainTokenizer,
  pairToTrainRow,
  type TrainRow,
  type TrainTokenizer,
} from "../../../src/train/data/index.js";
import { train } from "../../../src/train/loop.js";
import { writeHeadFile } from "../../../src/train/restore.js";
import { lengthPairs } from "../../helpers/lengthPairs.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";

const shape = { hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 } as const;
/** As `loadTrainRows` turns pairs into rows. */
const rowsOf = (pairs: PreferencePair[]): TrainRow[] =>
  pairs.map((p, i) => pairToTrainRow(p, { file: "pairs.jsonl", line: i + 1 }));

/** Short judge template: the built-in one is ~1,000 characters. */
const toyTemplate: JudgeTemplate = {
  id: "toy-pair@1",
  protocol: "direct",
  system: "",
  user: "Q: {question}\nFirst: {answer_a}\nSecond: {answer_b}\nWhich is better?",
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The head at the last token of one sequence, run alone on the in-memory trained model. */
function direct(model: CausalLM, head: ScalarHead, tokens: ArrayLike<number>): number {
  return noGrad(() => {
    const seq = Int32Array.from(tokens);
    const lengths = Int32Array.from([seq.length]);
    const hidden = model.forwardHidden(seq, { batch: 1, seqLen: seq.length, lengths });
    return head.forward(hidden, lastTokenRows(lengths, seq.length)).data[0]!;
  });
}

let dir: string;
let basePath: string;
let tok: TrainTokenizer;
const trainPairs = lengthPairs(24);
const bt = {} as { model: CausalLM; head: ScalarHead; headFile: string; adapter: string; merged: string };
const prm = {} as { model: CausalLM; head: ScalarHead; headFile: string; adapter: string };
const open: HeadJudge[] = [];

async function judgeWith(options: Parameters<typeof openHeadJudge>[0]): Promise<HeadJudge> {
  const judge = await openHeadJudge(options);
  open.push(judge);
  return judge;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-head-judge-"));
  basePath = (await tinyModelOnce(shape)).path;
  tok = await openTrainTokenizer(basePath);

  // BT: LoRA + score head, the adapter exported as `genrm train` does.
  bt.model = await loadModel(basePath);
  const btData = encodeExamples(rowsOf(trainPairs), "bt", tok);
  const btResult = await train(
    bt.model,
    btData,
    resolveTrainConfig({ method: "bt", lr: 2e-2, batchSize: 8, maxSteps: 40, warmupRatio: 0, seed: 1 }),
  );
  bt.head = btResult.head!;
  bt.adapter = join(dir, "bt-adapter.gguf");
  bt.merged = join(dir, "bt-model.gguf");
  bt.headFile = join(dir, "bt-head.ckpt");
  await exportLoraAdapterGguf(bt.model, bt.adapter);
  await exportMergedGguf(bt.model, bt.merged);
  await writeHeadFile(bt.headFile, bt.head, {
    hidden: shape.hidden,
    baseModel: basePath,
    model: bt.adapter,
    method: "bt",
  });

  // PairRM on the short template, both orders, as `genrm train --method pairrm --orders both` would.
  prm.model = await loadModel(basePath);
  const prmData = encodeExamples(rowsOf(trainPairs), "pairrm", tok, {
    template: toyTemplate,
    orders: "both",
  });
  const prmResult = await train(
    prm.model,
    prmData,
    resolveTrainConfig({ method: "pairrm", lr: 2e-2, batchSize: 8, maxSteps: 40, warmupRatio: 0, seed: 2 }),
  );
  prm.head = prmResult.head!;
  prm.adapter = join(dir, "prm-adapter.gguf");
  prm.headFile = join(dir, "prm-head.ckpt");
  await exportLoraAdapterGguf(prm.model, prm.adapter);
  await writeHeadFile(prm.headFile, prm.head, {
    hidden: shape.hidden,
    baseModel: basePath,
    model: prm.adapter,
    method: "pairrm",
    template: { id: toyTemplate.id, hash: templateHash(toyTemplate) },
  });
});

afterAll(async () => {
  for (const j of open) await j.dispose();
  await tok?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("openHeadJudge: BT", () => {
  it("loads base + adapter + head and gives the in-memory trained model's rewards", async () => {
    const judge = await judgeWith({ headFile: bt.headFile });
    expect(judge.kind).toBe("score");
    expect(judge.files).toEqual({ head: bt.headFile, model: basePath, adapter: bt.adapter });
    expect(judge.info).toMatchObject({ name: "bt head", protocol: "direct", templateId: "head:bt@1" });
    expect(judge.info.modelId).toMatch(/^gguf:.*\+lora:gguf:.*\+head:score@sha256:[0-9a-f]{16}$/);

    for (const pair of trainPairs.slice(0, 6)) {
      const rA = direct(bt.model, bt.head, encodeSequence(tok, pair.prompt, pair.responseA).tokens);
      const rB = direct(bt.model, bt.head, encodeSequence(tok, pair.prompt, pair.responseB).tokens);
      const j = await judge.judge(pair);
      expect(j.head.kind).toBe("score");
      if (j.head.kind !== "score") continue;
      expect(j.head.rewardA).toBeCloseTo(rA, 4);
      expect(j.head.rewardB).toBeCloseTo(rB, 4);
      expect(Math.abs(j.pA! - sigmoid(rA - rB))).toBeLessThan(1e-5);
      expect(j.verdict).toBe(rA > rB ? "A" : "B");
      expect(j.probabilities).toHaveLength(1);
      expect(j.probabilities![0]!.pA).toBe(j.pA);
      expect(Math.exp(j.probabilities![0]!.logprobA) + Math.exp(j.probabilities![0]!.logprobB)).toBeCloseTo(
        1,
        10,
      );
      expect(j.samples).toEqual([]);
      expect(j.provenance).toMatchObject({ k: 0, sampling: { temperature: 0 }, modelId: judge.info.modelId });
      expect(j.usage.promptTokens).toBeGreaterThan(0);
    }
  });

  it("swapping the responses gives 1 − pA and the other verdict", async () => {
    const judge = await judgeWith({ headFile: bt.headFile });
    for (const pair of trainPairs.slice(0, 4)) {
      const j = await judge.judge(pair);
      const swapped = await judge.judge({
        ...pair,
        responseA: pair.responseB,
        responseB: pair.responseA,
        label: pair.label === "A" ? "B" : "A",
      });
      expect(swapped.pA!).toBeCloseTo(1 - j.pA!, 6);
      expect(swapped.verdict).toBe(j.verdict === "A" ? "B" : "A");
    }
  });

  it("learns the longer-answer signal: clearly above chance on training and held-out pairs", async () => {
    const judge = await judgeWith({ headFile: bt.headFile });
    const accuracy = async (pairs: PreferencePair[]) => {
      let hits = 0;
      for await (const j of judgeAll(judge, pairs, { concurrency: 8 })) {
        if (j.verdict === pairs.find((p) => p.id === j.pairId)!.label) hits++;
      }
      return hits / pairs.length;
    };
    expect(await accuracy(trainPairs)).toBeGreaterThanOrEqual(0.9);
    expect(await accuracy(lengthPairs(12, 100))).toBeGreaterThanOrEqual(0.75);
  });

  it("the merged export judges like base + adapter; concurrent calls batch without changing results", async () => {
    const mergedHead = join(dir, "bt-merged-head.ckpt");
    await writeHeadFile(mergedHead, bt.head, {
      hidden: shape.hidden,
      baseModel: basePath,
      model: bt.merged,
      method: "bt",
    });
    const merged = await judgeWith({ headFile: mergedHead });
    expect(merged.files).toEqual({ head: mergedHead, model: bt.merged, adapter: null });
    const viaAdapter = await judgeWith({ headFile: bt.headFile, batchSize: 3 });
    const pairs = trainPairs.slice(0, 8);
    const one: HeadJudgment[] = [];
    for (const p of pairs) one.push(await viaAdapter.judge(p));
    const together = await Promise.all(pairs.map((p) => viaAdapter.judge(p)));
    const fromMerged = await Promise.all(pairs.map((p) => merged.judge(p)));
    pairs.forEach((_, i) => {
      expect(Math.abs(together[i]!.pA! - one[i]!.pA!)).toBeLessThan(1e-5);
      expect(Math.abs(fromMerged[i]!.pA! - one[i]!.pA!)).toBeLessThan(1e-5);
    });
    // Another model identity, so stored results of the two never mix.
    expect(merged.info.modelId).not.toBe(viaAdapter.info.modelId);
  });

  it("finds the adapter next to the head file when the run directory moved", async () => {
    const moved = await mkdtemp(join(dir, "moved-"));
    await copyFile(bt.adapter, join(moved, "bt-adapter.gguf"));
    const headFile = join(moved, "head.ckpt");
    await writeHeadFile(headFile, bt.head, {
      hidden: shape.hidden,
      baseModel: basePath,
      model: "/gone/run/bt-adapter.gguf",
      method: "bt",
    });
    const judge = await judgeWith({ headFile });
    expect(judge.files.adapter).toBe(join(moved, "bt-adapter.gguf"));
    const original = await judgeWith({ headFile: bt.headFile });
    const pair = trainPairs[0]!;
    expect((await judge.judge(pair)).pA).toBe((await original.judge(pair)).pA);
  });

  it("records the adapter relative to the head: the same run in two directories, the same file and judge identity", async () => {
    const written: { bytes: Buffer; modelId: string }[] = [];
    for (const name of ["run-a", "run-b"]) {
      const { runDir, headFile } = await btRunDir(name, basePath);
      const judge = await judgeWith({ headFile });
      expect(judge.files.adapter).toBe(join(runDir, "model.gguf"));
      written.push({ bytes: await readFile(headFile), modelId: judge.info.modelId });
    }
    expect(written[1]!.bytes.equals(written[0]!.bytes)).toBe(true);
    expect(written[1]!.modelId).toBe(written[0]!.modelId);
  });

  it("names the judge by content, not by where the base model was installed: a copy of the base, the same identity", async () => {
    const elsewhere = await mkdtemp(join(dir, "install-"));
    const copiedBase = join(elsewhere, "base.gguf");
    await copyFile(basePath, copiedBase);
    const here = await btRunDir("here", basePath);
    const there = await btRunDir("there", copiedBase);
    const id = (await judgeWith({ headFile: here.headFile })).info.modelId;
    expect((await judgeWith({ headFile: there.headFile })).info.modelId).toBe(id);
    // Other head weights are another judge.
    const { meta, tensors } = await readCheckpointFile<unknown>(there.headFile);
    const weights = [...tensors.values()].map((t) => ({ ...t, data: Float32Array.from(t.data) }));
    weights[0]!.data[0]! += 0.5;
    await writeCheckpointFile(there.headFile, meta, weights);
    expect((await judgeWith({ headFile: there.headFile })).info.modelId).not.toBe(id);
  });
});

/** A BT run directory as the trainer leaves it: the adapter as model.gguf and the head file. */
async function btRunDir(name: string, baseModel: string): Promise<{ runDir: string; headFile: string }> {
  const runDir = await mkdtemp(join(dir, `${name}-`));
  await copyFile(bt.adapter, join(runDir, "model.gguf"));
  const headFile = join(runDir, "head.ckpt");
  await writeHeadFile(headFile, bt.head, {
    hidden: shape.hidden,
    baseModel,
    model: join(runDir, "model.gguf"),
    method: "bt",
  });
  return { runDir, headFile };
}

describe("openHeadJudge: PairRM", () => {
  function directPA(pair: PreferencePair, order: Order, template: JudgeTemplate = toyTemplate): number {
    const z = direct(prm.model, prm.head, tok.encodePrompt(renderJudgePrompt(template, pair, order)));
    return order === "AB" ? sigmoid(z) : 1 - sigmoid(z);
  }

  it("order 'both' averages P(A) over AB and BA; single orders read one", async () => {
    // The head records a custom template, which only the caller can supply.
    const both = await judgeWith({ headFile: prm.headFile, template: toyTemplate });
    expect(both.info).toMatchObject({
      name: "pairrm head",
      templateId: toyTemplate.id,
      templateHash: templateHash(toyTemplate),
    });
    const fixed = await judgeWith({ headFile: prm.headFile, template: toyTemplate, orderMode: "fixed" });
    const random = await judgeWith({
      headFile: prm.headFile,
      template: toyTemplate,
      orderMode: "random",
      seed: 5,
    });
    for (const pair of trainPairs.slice(0, 6)) {
      const ab = directPA(pair, "AB");
      const ba = directPA(pair, "BA");
      const j = await both.judge(pair);
      expect(j.orders).toEqual(["AB", "BA"]);
      expect(j.probabilities!.map((p) => p.order)).toEqual(["AB", "BA"]);
      expect(Math.abs(j.probabilities![0]!.pA - ab)).toBeLessThan(1e-5);
      expect(Math.abs(j.probabilities![1]!.pA - ba)).toBeLessThan(1e-5);
      expect(Math.abs(j.pA! - (ab + ba) / 2)).toBeLessThan(1e-5);
      expect(j.verdict).toBe(j.pA! > 0.5 ? "A" : "B");
      if (j.head.kind === "pairwise") expect(j.head.logits.map((l) => l.order)).toEqual(["AB", "BA"]);

      const f = await fixed.judge(pair);
      expect(f.orders).toEqual(["AB"]);
      expect(Math.abs(f.pA! - ab)).toBeLessThan(1e-5);

      const r = await random.judge(pair);
      const order = orderFor(pair.id, 5);
      expect(r.orders).toEqual([order]);
      expect(Math.abs(r.pA! - (order === "AB" ? ab : ba))).toBeLessThan(1e-5);
      expect(r.provenance.orderMode).toBe("random");
    }
  });

  it("learns the longer-answer signal in both slots", async () => {
    const judge = await judgeWith({ headFile: prm.headFile, template: toyTemplate });
    let hits = 0;
    for await (const j of judgeAll(judge, trainPairs)) {
      if (j.verdict === trainPairs.find((p) => p.id === j.pairId)!.label) hits++;
    }
    expect(hits / trainPairs.length).toBeGreaterThanOrEqual(0.9);
  });

  it("defaults to the trainer's template when the head file records none, and refuses a mismatched one", async () => {
    const legacy = join(dir, "prm-legacy-head.ckpt");
    await writeHeadFile(legacy, prm.head, {
      hidden: shape.hidden,
      baseModel: basePath,
      model: prm.adapter,
      method: "pairrm",
    });
    const judge = await judgeWith({ headFile: legacy, orderMode: "fixed" });
    expect(judge.info.templateId).toBe(directPairV2.id);
    expect(judge.info.templateHash).toBe(templateHash(directPairV2));
    const pair = trainPairs[1]!;
    expect(Math.abs((await judge.judge(pair)).pA! - directPA(pair, "AB", directPairV2))).toBeLessThan(1e-5);
    // The trainer's default is what encodeExamples renders without a template.
    const [example] = encodeExamples(rowsOf([pair]), "pairrm", tok, { orders: "both" }).examples;
    expect(example!.kind === "pairwise" && [...example!.seq.tokens]).toEqual(
      tok.encodePrompt(renderJudgePrompt(directPairV2, pair, "AB")),
    );

    const wrong = await openHeadJudge({ headFile: prm.headFile, template: directPairV2 }).catch((e) => e);
    expect(wrong).toBeInstanceOf(InputError);
    expect(wrong.message).toContain(prm.headFile);
    expect(wrong.message).toContain('field "meta.template.hash"');
    // A custom template cannot be found by id: without the caller's copy the judge refuses.
    await expect(openHeadJudge({ headFile: prm.headFile })).rejects.toThrow(
      /prm-head\.ckpt, field "meta\.template"/,
    );
    const custom = join(dir, "prm-custom-head.ckpt");
    await writeHeadFile(custom, prm.head, {
      hidden: shape.hidden,
      baseModel: basePath,
      model: prm.adapter,
      method: "pairrm",
      template: { id: "my-own@1", hash: templateHash({ ...toyTemplate, user: `${toyTemplate.user}!` }) },
    });
    await expect(openHeadJudge({ headFile: custom })).rejects.toThrow(
      /custom-head\.ckpt, field "meta\.template"/,
    );
  });
});

describe("openHeadJudge: bad input", () => {
  it("names the file and field", async () => {
    const missing = await openHeadJudge({ headFile: join(dir, "nope.ckpt") }).catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toContain("nope.ckpt");

    // A GGUF is not a head file; neither is a training checkpoint.
    await expect(openHeadJudge({ headFile: basePath })).rejects.toThrow(InputError);
    const trainCkpt = join(dir, "step.ckpt");
    await writeCheckpointFile(trainCkpt, { format: "genrm-train" }, []);
    const notHead = await openHeadJudge({ headFile: trainCkpt }).catch((e) => e);
    expect(notHead).toBeInstanceOf(InputError);
    expect(notHead.message).toMatch(/step\.ckpt, field "meta\.format"/);

    // A head for hidden 32 on a hidden-64 model.
    const wide = (await tinyModelOnce({ ...shape, hidden: 64 })).path;
    const width = await openHeadJudge({ headFile: bt.headFile, modelPath: wide, adapterPath: null }).catch(
      (e) => e,
    );
    expect(width).toBeInstanceOf(InputError);
    expect(width.message).toMatch(/bt-head\.ckpt, field "meta\.hidden".*expected 64, got 32/);

    // The base model it names is gone.
    const orphan = join(dir, "orphan-head.ckpt");
    await writeHeadFile(orphan, bt.head, {
      hidden: shape.hidden,
      baseModel: join(dir, "deleted-base.gguf"),
      model: null,
      method: "bt",
    });
    const gone = await openHeadJudge({ headFile: orphan }).catch((e) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone.message).toMatch(/orphan-head\.ckpt: field "meta\.baseModel".*deleted-base\.gguf/);
    await expect(openHeadJudge({ headFile: bt.headFile, modelPath: join(dir, "none.gguf") })).rejects.toThrow(
      NotFoundError,
    );

    // An adapter given as the model.
    await expect(openHeadJudge({ headFile: bt.headFile, modelPath: bt.adapter })).rejects.toThrow(
      /LoRA adapter, not a model/,
    );

    // The adapter the head names is gone and nothing says what to use instead.
    const lost = join(await mkdtemp(join(dir, "lost-")), "head.ckpt");
    await writeHeadFile(lost, bt.head, {
      hidden: shape.hidden,
      baseModel: basePath,
      model: join(dir, "deleted-adapter.gguf"),
      method: "bt",
    });
    await expect(openHeadJudge({ headFile: lost })).rejects.toThrow(/field "meta\.model"/);

    await writeFile(join(dir, "junk.ckpt"), "not a checkpoint at all");
    await expect(openHeadJudge({ headFile: join(dir, "junk.ckpt") })).rejects.toThrow(/junk\.ckpt/);
  });

  it("a disposed judge refuses to judge", async () => {
    const judge = await openHeadJudge({ headFile: bt.headFile });
    await judge.dispose();
    await expect(judge.judge(trainPairs[0]!)).rejects.toThrow(DisposedError);
  });
});
