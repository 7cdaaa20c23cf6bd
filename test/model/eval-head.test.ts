/**
 * `genrm train --method bt|pairrm` then `genrm eval --head <run>/head.ckpt`, through the real CLI on
 * a tiny GGUF model: the summary's accuracy and n match the judgments written, the judgments carry
 * the head's read-outs, a rerun resumes, and flags that mean nothing for a head are refused.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePairsJsonl } from "../../src/data/writePairsJsonl.js";
import { directPairV2 } from "../../src/judge/templates/builtinTemplates.js";
import { templateHash } from "../../src/judge/templates/templateHash.js";
import { readCheckpointFile } from "../../src/train/checkpoint.js";
import type { HeadFileMeta } from "../../src/train/restore.js";
import { runCli } from "../helpers/cli.js";
import { lengthPairs } from "../helpers/lengthPairs.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let dir: string;
let modelPath: string;
let data: string;
const pairs = lengthPairs(24);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-eval-head-"));
  modelPath = (await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 })).path;
  data = join(dir, "pairs.jsonl");
  await writePairsJsonl(pairs, data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function trainRun(method: "bt" | "pairrm", extra: string[] = []): Promise<string> {
  const out = join(dir, method);
  const r = await runCli([
    "train",
    ...["--method", method, "--model", modelPath, "--data", data, "--out", out],
    ...[
      "--lr",
      "2e-2",
      "--max-steps",
      "40",
      "--batch-size",
      "8",
      "--warmup",
      "0",
      "--progress",
      "silent",
      "--json",
    ],
    ...extra,
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).artifacts.head).toBe(join(out, "head.ckpt"));
  return out;
}

async function readJudgments(out: string) {
  const text = await readFile(join(out, "judgments.jsonl"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

describe("genrm eval --head", () => {
  it("BT: judges with base + adapter + head; summary and judgments agree", async () => {
    const run = await trainRun("bt");
    const out = join(dir, "eval-bt");
    const args = ["eval", "--head", join(run, "head.ckpt"), "--data", data, "--out", out, "--json"];
    const r = await runCli([...args, "--progress", "silent"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    expect(JSON.parse(r.stdout).accuracy).toEqual(summary.accuracy);
    expect(summary.accuracy.n).toBe(pairs.length);

    const judgments = await readJudgments(out);
    expect(judgments).toHaveLength(pairs.length);
    const labels = new Map(pairs.map((p) => [p.id, p.label]));
    const hits = judgments.filter((j) => j.verdict === labels.get(j.pairId)).length;
    expect(summary.accuracy.accuracy).toBeCloseTo(hits / pairs.length, 10);
    // Trained on a learnable signal: far above chance.
    expect(summary.accuracy.accuracy).toBeGreaterThanOrEqual(0.9);
    for (const j of judgments) {
      expect(j.head.kind).toBe("score");
      expect(j.pA).toBeCloseTo(1 / (1 + Math.exp(-(j.head.rewardA - j.head.rewardB))), 10);
      expect(j.provenance).toMatchObject({ templateId: "head:bt@1", k: 0, protocol: "direct" });
      expect(j.provenance.modelId).toMatch(/\+lora:gguf:.*\+head:score@sha256:/);
    }
    expect(summary.provenance).toHaveLength(1);

    const again = await runCli([...args, "--progress", "silent"]);
    expect(again.code, again.stderr).toBe(0);
    const resumed = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    expect(resumed.run).toMatchObject({ judged: 0, resumed: pairs.length });
  });

  it("PairRM: the head records the training template and the judge renders with it", async () => {
    const run = await trainRun("pairrm", ["--orders", "both"]);
    const head = await readCheckpointFile<HeadFileMeta>(join(run, "head.ckpt"));
    expect(head.meta.template).toEqual({ id: directPairV2.id, hash: templateHash(directPairV2) });

    const out = join(dir, "eval-pairrm");
    const r = await runCli([
      "eval",
      "--head",
      join(run, "head.ckpt"),
      "--data",
      data,
      "--out",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.accuracy.n).toBe(pairs.length);
    expect(summary.positionConsistency.bothOrderJudgments).toBe(pairs.length);
    const judgments = await readJudgments(out);
    expect(judgments).toHaveLength(pairs.length);
    for (const j of judgments) {
      expect(j.orders).toEqual(["AB", "BA"]);
      expect(j.provenance.templateHash).toBe(templateHash(directPairV2));
      expect(j.head.logits).toHaveLength(2);
    }

    // The wrong template is refused by name rather than judged with.
    const wrong = await runCli([
      ...["eval", "--head", join(run, "head.ckpt"), "--data", data, "--out", join(dir, "eval-wrong")],
      ...["--template", "cot-pair-v2@1"],
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/head\.ckpt, field "meta\.template\.hash"/);
  });

  it("refuses flags that mean nothing for a head", async () => {
    const r = await runCli([
      ...["eval", "--head", join(dir, "bt", "head.ckpt"), "--data", data, "--out", join(dir, "eval-bad")],
      ...["--baseline", "length", "-k", "4"],
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--head and --baseline exclude each other/);
    expect(r.stderr).toMatch(/-k does not apply/);
  });
});
