/**
 * `runTraining`, the one training run behind genrm train, STaR, the demo and world pretraining: a
 * run stopped partway and resumed ends with the metrics log and model of one that never stopped,
 * and the demo's PairRM head, now written by it, names the world template it was trained on, so a
 * head judge opened without a template renders pairs the way the head learned them.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainVerdictJudge } from "../../../src/demo/trainVerdictJudge.js";
import { openHeadJudge } from "../../../src/heads/openHeadJudge.js";
import { templateHash } from "../../../src/judge/templates/templateHash.js";
import { worldTemplates } from "../../../src/judge/templates/worldTemplates.js";
import { readMetrics } from "../../../src/run/metricsLog.js";
import { readCheckpointFile } from "../../../src/train/checkpoint.js";
import { resolveTrainConfig } from "../../../src/train/config.js";
import { encodeExamples, parseTrainRow } from "../../../src/train/data/index.js";
import type { TrainLogEntry } from "../../../src/train/loop.js";
import type { HeadFileMeta } from "../../../src/train/restore.js";
import { runTraining } from "../../../src/train/runTraining.js";
import { generatePretrainCorpus } from "../../../src/world/generatePretrainCorpus.js";
import { generateWorld } from "../../../src/world/generateWorld.js";
import { writeInitModel } from "../../../src/world/pretrain/writeInitModel.js";
import { buildWorldVocab } from "../../../src/world/tokenizer/buildWorldVocab.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";
import { fakeTokenizer } from "./fakeTokenizer.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-run-training-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Everything but the wall-clock throughput. */
const comparable = (entries: TrainLogEntry[]) => entries.map(({ tokens_per_second: _, ...rest }) => rest);

describe("runTraining", () => {
  it("stopped at step 3 and resumed: the same metrics.jsonl, steps once each, and the same model bytes", async () => {
    const modelPath = (
      await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64, vocabSize: 300 })
    ).path;
    const rows = Array.from({ length: 10 }, (_, i) =>
      parseTrainRow(
        { prompt: [{ role: "user", content: `q${"?".repeat(i)}` }], completion: "ok".repeat(1 + (i % 3)) },
        { file: "toy.jsonl", line: i + 1 },
      ),
    );
    const data = encodeExamples(rows, "sft", fakeTokenizer(), {});
    const config = resolveTrainConfig({
      method: "sft",
      lora: false,
      lr: 1e-2,
      batchSize: 4,
      maxSteps: 7,
      warmupRatio: 0,
      saveEvery: 1,
    });
    const whole = await runTraining({ modelPath, config, runDir: join(dir, "whole"), data });
    expect(whole.result?.stopReason).toBe("completed");

    const runDir = join(dir, "resumed");
    const stop = new AbortController();
    const first = await runTraining({
      modelPath,
      config,
      runDir,
      data,
      signal: stop.signal,
      onStep: (e) => {
        if (e.step === 3) stop.abort();
      },
    });
    expect(first.result?.stopReason).toBe("aborted");
    expect(first.artifacts).toEqual({});
    const second = await runTraining({ modelPath, config, runDir, data, resume: true });
    expect(second.result?.resumedFrom).toBe(3);

    const steps = readMetrics(second.metricsFile);
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(comparable(steps)).toEqual(comparable(readMetrics(whole.metricsFile)));
    expect(readFileSync(second.artifacts.model!)).toEqual(readFileSync(whole.artifacts.model!));
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(summary).toMatchObject({ step: 7, stopReason: "completed", resumedFrom: 3 });
  });

  it("the demo's PairRM head records the world template, and a head judge given none renders with it", async () => {
    const { rows } = generatePretrainCorpus({ seed: 1, size: 64 });
    const base = join(dir, "world-init.gguf");
    await writeInitModel(
      base,
      {
        hidden: 32,
        layers: 1,
        heads: 2,
        kvHeads: 1,
        ffn: 64,
        contextLength: 384,
        ropeTheta: 10000,
        rmsEps: 1e-5,
        initStd: 0.02,
      },
      buildWorldVocab(rows, { vocabSize: 512 }),
      0,
    );
    const world = generateWorld({
      seed: 1,
      sizes: { train: 16, test: 0, "ood-length": 0, "ood-mixed": 0, "ood-long": 0 },
    });
    const outDir = join(dir, "pairrm");
    const trained = await trainVerdictJudge({
      method: "pairrm",
      baseModel: base,
      pairs: world.splits.train,
      template: worldTemplates.direct,
      outDir,
      seed: 1,
      epochs: 1,
      lr: 3e-4,
      batchSize: 8,
    });
    expect(trained.stopReason).toBe("completed");
    const head = await readCheckpointFile<HeadFileMeta>(trained.head!);
    expect(head.meta.template).toEqual({
      id: worldTemplates.direct.id,
      hash: templateHash(worldTemplates.direct),
    });
    expect(readMetrics(join(outDir, "metrics.jsonl")).map((e) => e.step)).toEqual([1, 2]);

    const judge = await openHeadJudge({ headFile: trained.head!, modelPath: trained.model });
    try {
      expect(judge.info.templateId).toBe(worldTemplates.direct.id);
      expect(judge.info.templateHash).toBe(templateHash(worldTemplates.direct));
    } finally {
      await judge.dispose();
    }
  });
});
