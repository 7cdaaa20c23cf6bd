/**
 * `genrm train --method genrm` (LoRA, the default) then `genrm eval --protocol direct` on the base
 * model with the trained adapter (`--lora`), through the real CLI and llama.cpp: the adapter
 * judges like the merged model the same run exports (`--merge`), and unlike the base model.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreferencePair } from "../../src/data/types.js";
import { writePairsJsonl } from "../../src/data/writePairsJsonl.js";
import type { Judgment } from "../../src/judge/types.js";
import type { PairId } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

const topics = ["cat", "dog", "sun", "map", "pen", "cup", "box", "hat"];

/** The longer answer is always the better one; which slot it is in alternates. */
const pairs: PreferencePair[] = Array.from({ length: 16 }, (_, i) => {
  const topic = topics[i % topics.length]!;
  const long = `The ${topic} is big and kind, and it likes to play in the park all day.`;
  const short = `A ${topic}.`;
  const longFirst = i % 2 === 0;
  return {
    id: `pair-${i}` as PairId,
    prompt: [{ role: "user", content: `Tell me about the ${topic}.` }],
    responseA: longFirst ? long : short,
    responseB: longFirst ? short : long,
    label: longFirst ? "A" : "B",
  };
});

let dir: string;
let base: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-eval-lora-"));
  base = (await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 })).path;
  data = join(dir, "pairs.jsonl");
  await writePairsJsonl(pairs, data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const evalDirect = async (name: string, modelArgs: string[]) => {
  const out = join(dir, name);
  const r = await runCli([
    "eval",
    ...["--data", data, ...modelArgs, "--protocol", "direct", "--order", "both", "--out", out],
    ...["--store", join(dir, "store.db"), "--threads", "1", "--progress", "silent", "--json"],
  ]);
  expect(r.code, r.stderr).toBe(0);
  const judgments = (await readFile(join(out, "judgments.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Judgment);
  return { summary: JSON.parse(r.stdout) as { accuracy: { accuracy: number } }, judgments };
};

describe("genrm eval with a LoRA adapter from genrm train", () => {
  it("judges like the merged model and learned the labels", async () => {
    const run = join(dir, "genrm");
    const trained = await runCli([
      "train",
      ...["--method", "genrm", "--model", base, "--data", data, "--out", run, "--merge"],
      ...["--lr", "5e-2", "--max-steps", "30", "--batch-size", "8", "--warmup", "0"],
      ...["--lora-rank", "8", "--progress", "silent", "--json"],
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const artifacts = JSON.parse(trained.stdout).artifacts as { adapter: string; model: string };

    const withAdapter = await evalDirect("adapter", ["--model", base, "--lora", artifacts.adapter]);
    const merged = await evalDirect("merged", ["--model", artifacts.model]);
    const untrained = await evalDirect("base", ["--model", base]);

    expect(withAdapter.summary.accuracy.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(untrained.summary.accuracy.accuracy).toBeLessThan(withAdapter.summary.accuracy.accuracy);
    const mergedById = new Map(merged.judgments.map((j) => [j.pairId, j]));
    for (const j of withAdapter.judgments) {
      expect(j.pA!).toBeCloseTo(mergedById.get(j.pairId)!.pA!, 2);
      expect(j.provenance.modelId).not.toBe(untrained.judgments[0]!.provenance.modelId);
    }
  }, 300_000);
});
