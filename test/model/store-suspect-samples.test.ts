/**
 * A stored sample is served only when its text is its token ids' text: a sample that does not match
 * (a corrupt or torn write) or has no token ids (written by a version-1 store, before the embedded
 * engine's concurrency fix) is regenerated from its seed and replaces the stored one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLlamaCppEngine } from "../../src/engine/llamacpp/index.js";
import type { LlamaCppEngine } from "../../src/engine/llamacpp/types.js";
import { createLlmJudge } from "../../src/judge/createLlmJudge.js";
import { SampleStore } from "../../src/store/index.js";
import { generateWorld, worldCotTemplate } from "../../src/world/index.js";

const worldModel = new URL("../../assets/world/base.gguf", import.meta.url).pathname;
const pair = generateWorld({ seed: 0 }).splits.test[3]!;
const sampling = { temperature: 1, topP: 0.95, maxTokens: 160 };

let engine: LlamaCppEngine;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-suspect-"));
  engine = await openLlamaCppEngine({ modelPath: worldModel, threads: 1 });
});
afterAll(async () => {
  await engine?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function judgeWith(store: SampleStore) {
  const judge = createLlmJudge(engine, {
    template: worldCotTemplate,
    k: 4,
    orderMode: "fixed",
    fixedOrder: "AB",
    sampling,
    cache: store.sampleCache(),
  });
  return judge.judge(pair);
}

describe("suspect stored samples", () => {
  it("are regenerated, not served; matching ones are served", async () => {
    const file = path.join(dir, "store.db");
    let store = SampleStore.open(file);
    const fresh = await judgeWith(store);
    expect(fresh.samples.every((s) => !s.cached)).toBe(true);
    store.close();

    // Sample 1: text spliced from elsewhere (tokens kept); sample 2: no token ids (as version 1 wrote).
    const db = new Database(file);
    db.prepare("UPDATE samples SET text = 'A says 3. B is right. [[B]]' WHERE idx = 1").run();
    db.prepare("UPDATE samples SET tokens = NULL WHERE idx = 2").run();
    db.close();

    store = SampleStore.open(file);
    const rerun = await judgeWith(store);
    expect(rerun.samples.map((s) => s.text)).toEqual(fresh.samples.map((s) => s.text));
    expect(rerun.samples.map((s) => s.cached ?? false)).toEqual([true, false, false, true]);
    store.close();

    // The regenerated samples replaced the suspect ones: a third run serves all four.
    store = SampleStore.open(file);
    const third = await judgeWith(store);
    expect(third.samples.every((s) => s.cached)).toBe(true);
    expect(third.samples.map((s) => s.text)).toEqual(fresh.samples.map((s) => s.text));
    store.close();
  }, 120_000);
});
