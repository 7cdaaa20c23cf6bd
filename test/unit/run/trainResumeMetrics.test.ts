/**
 * A resumed training run logs the same metrics as one that never stopped, `num_tokens` included:
 * it goes on from the checkpoint's count (or, for a checkpoint written before the count was
 * saved, from the data order replayed up to its step) instead of restarting at 0.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../../src/model/loadModel.js";
import { readCheckpointFile, readLatest, writeCheckpointFile } from "../../../src/train/checkpoint.js";
import { resolveTrainConfig } from "../../../src/train/config.js";
import { encodeExamples, parseTrainRow } from "../../../src/train/data/index.js";
import { type TrainCheckpointMeta, type TrainLogEntry, train } from "../../../src/train/loop.js";
import { tinyModelOnce } from "../../helpers/tinyModel.js";
import { fakeTokenizer } from "../train/fakeTokenizer.js";

let modelPath: string;
let runRoot: string;
beforeAll(async () => {
  modelPath = (await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64, vocabSize: 300 }))
    .path;
  runRoot = await mkdtemp(join(tmpdir(), "genrm-train-metrics-"));
});
afterAll(async () => {
  await rm(runRoot, { recursive: true, force: true });
});

// Rows of different lengths, so each step's token count differs and a restart at 0 shows.
const rows = Array.from({ length: 10 }, (_, i) =>
  parseTrainRow(
    { prompt: [{ role: "user", content: `q${"?".repeat(i)}` }], completion: "ok".repeat(1 + (i % 3)) },
    { file: "toy.jsonl", line: i + 1 },
  ),
);
const dataset = () => encodeExamples(rows, "sft", fakeTokenizer(), {});
// 3 steps per epoch: the stop at step 4 falls inside the second epoch.
const config = resolveTrainConfig({ method: "sft", lr: 1e-2, batchSize: 4, maxSteps: 7, warmupRatio: 0 });

/** Everything but the wall-clock throughput. */
const comparable = (entries: TrainLogEntry[]) => entries.map(({ tokens_per_second: _, ...rest }) => rest);

describe("num_tokens across a resume", () => {
  it("continues from the checkpoint: stopped at step 4 and resumed equals 7 uninterrupted steps", async () => {
    const whole = await train(await loadModel(modelPath), dataset(), config);
    const counts = whole.history.map((e) => e.num_tokens!);
    expect(new Set(counts.slice(1).map((n, i) => n - counts[i]!)).size).toBeGreaterThan(1);

    const runDir = join(runRoot, "resume");
    const part1 = await train(await loadModel(modelPath), dataset(), config, { runDir, stopAtStep: 4 });
    const part2 = await train(await loadModel(modelPath), dataset(), config, { runDir, resume: true });
    expect(part2.resumedFrom).toBe(4);
    expect(comparable([...part1.history, ...part2.history])).toEqual(comparable(whole.history));
  });

  it("replays the count for a checkpoint that does not record it", async () => {
    const whole = await train(await loadModel(modelPath), dataset(), config);
    const runDir = join(runRoot, "legacy");
    await train(await loadModel(modelPath), dataset(), config, { runDir, stopAtStep: 4 });
    const latest = (await readLatest(runDir))!;
    const file = join(runDir, "checkpoints", latest.file);
    const ckpt = await readCheckpointFile<TrainCheckpointMeta>(file);
    expect(ckpt.meta.numTokens).toBe(whole.history[3]!.num_tokens);
    const { numTokens: _, ...older } = ckpt.meta;
    await writeCheckpointFile(file, older, [...ckpt.tensors.values()]);

    const part2 = await train(await loadModel(modelPath), dataset(), config, { runDir, resume: true });
    expect(part2.history.map((e) => e.num_tokens)).toEqual(whole.history.slice(4).map((e) => e.num_tokens));
  });
});
