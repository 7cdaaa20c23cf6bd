/**
 * `runStar` on a tiny model that knows only the verdict format (test/model/star-fixture.ts): the
 * mechanics, not learning. Counts add up, every kept training row traces back to a sample in the
 * store (model, pair, order, index, seed, text), TRL files mirror the rows, each iteration samples
 * with the previous iteration's exported model, which differs from the base and loads in
 * llama.cpp (it is evaluated through it), and rerunning a finished run redoes nothing.
 */
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { worldCotTemplate } from "../../src/judge/templates/worldTemplates.js";
import {
  type RunStarInput,
  runStar,
  type SampleLineage,
  type StarDpoRow,
  type StarSftRow,
} from "../../src/star/index.js";
import { SampleStore } from "../../src/store/index.js";
import type { ModelId, PairId, TemplateHash } from "../../src/types.js";
import { starPairs, verdictModel } from "./star-fixture.js";

let dir: string;
let model: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "genrm-star-"));
  model = await verdictModel();
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const common = (): Omit<RunStarInput, "method" | "outDir"> => ({
  baseModel: model,
  pairs: starPairs(8),
  iterations: 2,
  k: 4,
  template: worldCotTemplate,
  sampling: { temperature: 1, topP: 0.95, maxTokens: 12 },
  train: { maxSteps: 2, batchSize: 2, lr: 1e-2 },
  engine: { threads: 1, contextSize: 512, parallelSequences: 4 },
});

const readJsonl = <T>(file: string): T[] =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);

function expectStored(store: SampleStore, l: SampleLineage, text: string) {
  const hit = store.getSample({
    modelId: l.modelId as ModelId,
    templateHash: l.templateHash as TemplateHash,
    pairId: l.pairId as PairId,
    order: l.order,
    index: l.index,
    seed: l.seed,
    samplingKey: l.samplingKey,
  });
  expect(hit, JSON.stringify(l)).toBeDefined();
  expect(hit!.text).toBe(text);
  expect(hit!.verdict).toBe(l.verdict);
}

describe("runStar", () => {
  it("star-dpo: lineage, TRL export, model chain, evaluation, and an idempotent rerun", async () => {
    const outDir = path.join(dir, "dpo");
    const input: RunStarInput = {
      ...common(),
      method: "star-dpo",
      outDir,
      evalSets: [{ name: "held", pairs: starPairs(3, "e") }],
    };
    const r = await runStar(input);
    expect(r.stopReason).toBe("completed");
    const m = r.manifest;
    expect(m.status).toBe("done");
    expect(m.iterations).toHaveLength(2);
    expect(m.baseEvals.map((e) => e.name)).toEqual(["held"]);
    expect(m.data.slices).toEqual([4, 4]);
    const [it1, it2] = m.iterations as [(typeof m.iterations)[0], (typeof m.iterations)[0]];
    // Disjoint slices covering the data.
    expect(new Set([...it1.slice.pairIds, ...it2.slice.pairIds]).size).toBe(8);
    // M_0 samples iteration 1; iteration 2 samples with (and is referenced to) M_1.
    expect(it1.samplingModel.id).toBe(m.baseModel.id);
    expect(it2.samplingModel).toEqual(it1.model);
    expect(it2.referenceModel).toEqual(it1.model);
    expect(it1.model!.id).not.toBe(m.baseModel.id);
    expect(m.finalModel).toEqual(it2.model);

    const store = SampleStore.open(m.store);
    try {
      for (const it of m.iterations) {
        const c = it.counts!;
        expect(c.samples).toBe(4 * 4);
        expect(c.correct + c.wrongVerdict + c.unparseable + c.truncated + c.engineErrors).toBe(c.samples);
        expect(c.pairsMixed + c.pairsAllCorrect + c.pairsAllWrong + c.tiePairs).toBe(4);
        // One pair per prompt (one seeded order per pair): a row per mixed pair.
        expect(c.rows).toBe(c.pairsMixed);
        expect(it.evals[0]!.modelId).toBe(it.model!.id);
        expect(fs.existsSync(it.evals[0]!.summaryFile)).toBe(true);

        const rows = readJsonl<StarDpoRow>(path.join(outDir, it.files.train));
        const trl = readJsonl<Record<string, unknown>>(path.join(outDir, it.files.trl));
        expect(rows).toHaveLength(c.rows);
        expect(trl).toEqual(
          rows.map((row) => ({ prompt: row.prompt, chosen: row.chosen, rejected: row.rejected })),
        );
        for (const row of rows) {
          expect(row.lineage.chosen.modelId).toBe(it.samplingModel.id);
          expect(row.lineage.chosen.verdict).toBe(row.lineage.gold);
          expect(row.lineage.rejected.verdict).not.toBe(row.lineage.gold);
          expect(row.lineage.chosen.order).toBe(row.lineage.rejected.order);
          expect(it.slice.pairIds).toContain(row.lineage.chosen.pairId);
          expectStored(store, row.lineage.chosen, row.chosen[0].content);
          expectStored(store, row.lineage.rejected, row.rejected[0].content);
        }
        const samples = readJsonl<{ pairId: string; order: string; index: number }>(
          path.join(outDir, it.files.samples),
        );
        expect(samples).toHaveLength(c.samples);
      }
      const before = store.stats().samples;
      const again = await runStar(input);
      expect(again.stopReason).toBe("completed");
      expect(again.manifest.iterations).toEqual(m.iterations);
      expect(store.stats().samples).toBe(before);
    } finally {
      store.close();
    }
  }, 180_000);

  it("star-sft keeps correct chains; star-rationalizer (failed-only) adds hinted rationales without the hint", async () => {
    const sft = await runStar({
      ...common(),
      method: "star-sft",
      iterations: 1,
      pairs: starPairs(4),
      outDir: path.join(dir, "sft"),
    });
    const it = sft.manifest.iterations[0]!;
    const rows = readJsonl<StarSftRow>(path.join(sft.runDir, it.files.train));
    expect(rows).toHaveLength(it.counts!.correct);
    expect(it.training!.steps).toBe(2);
    const store = SampleStore.open(sft.manifest.store);
    try {
      for (const row of rows) {
        expect(row.lineage.verdict).toBe(row.lineage.gold);
        expectStored(store, row.lineage, row.completion[0].content);
      }
    } finally {
      store.close();
    }

    const rat = await runStar({
      ...common(),
      method: "star-rationalizer",
      rationalize: "failed",
      iterations: 1,
      pairs: starPairs(4),
      outDir: path.join(dir, "rat"),
      // Counts, never filters: here every row whose completion holds the letter "e" is "malformed".
      rationaleCheck: (text) => !text.includes("e"),
    });
    const rit = rat.manifest.iterations[0]!;
    const ratRows = readJsonl<StarSftRow>(path.join(rat.runDir, rit.files.train));
    const hinted = ratRows.filter((r) => r.lineage.hinted);
    expect(rit.counts!.skippedSolved).toBe(4 - rit.counts!.pairsAllWrong);
    for (const row of hinted) {
      expect(row.lineage.templateId).toMatch(/\+hint$/);
      expect(JSON.stringify(row.prompt)).not.toContain("Explain why");
      expect(row.lineage.verdict).toBe(row.lineage.gold);
    }
    expect(ratRows.length).toBe(rit.counts!.rows);
    expect(rit.counts!.malformedRows).toBe(
      ratRows.filter((r) => r.completion[0].content.includes("e")).length,
    );
    expect(it.counts!.malformedRows).toBeUndefined();
  }, 180_000);
});
