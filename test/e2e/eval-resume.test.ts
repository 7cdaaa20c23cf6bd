/**
 * Kill-and-resume of a real evaluation: a tiny random-weight GGUF judged through node-llama-cpp,
 * the CLI SIGKILLed mid-run, then rerun. Every sample must exist exactly once, no finished pair is
 * judged again, and an identical rerun is served entirely from the sample store.
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Judgment } from "../../src/judge/types.js";
import { runCli, sharedData, spawnCli } from "../helpers/cli.js";
import { describeShared } from "../helpers/sharedData.js";
import { createTinyModel } from "../helpers/tinyModel.js";

const PAIRS = 6;
const K = 2;
const ORDERS = 2;

function countSamples(db: string): number {
  if (!fs.existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare("SELECT COUNT(*) AS n FROM samples").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    conn.close();
  }
}

function readJudgments(file: string): Judgment[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Judgment);
}

describeShared("genrm eval: SIGKILL and resume with a real GGUF judge", () => {
  let dir: string;
  let model: string;
  let args: (out: string) => string[];
  const store = () => path.join(dir, "store.db");

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-resume-"));
    model = (await createTinyModel({ path: path.join(dir, "judge.gguf"), hidden: 64, layers: 2, seed: 7 }))
      .path;
    args = (out) => [
      "eval",
      "--data",
      path.join(sharedData, "llmbar/Dataset"),
      "--skip-invalid",
      "--limit",
      String(PAIRS),
      "--model",
      model,
      "-k",
      String(K),
      "--order",
      "both",
      "--max-tokens",
      "48",
      "--concurrency",
      "2",
      "--store",
      store(),
      "--out",
      out,
      "--progress",
      "plain",
      "--json",
    ];
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("resumes a killed run without redoing or duplicating samples", async () => {
    const out = path.join(dir, "run");
    const child = spawnCli(args(out), { cwd: dir });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    // Kill once some samples exist but the run is not finished.
    const deadline = Date.now() + 120_000;
    while (countSamples(store()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGKILL");
    await exited;
    const atKill = countSamples(store());
    expect(atKill, stderr).toBeGreaterThanOrEqual(3);
    expect(atKill).toBeLessThan(PAIRS * K * ORDERS);
    const finishedBefore = fs.existsSync(path.join(out, "judgments.jsonl"))
      ? readJudgments(path.join(out, "judgments.jsonl")).length
      : 0;

    const rerun = await runCli(args(out), { cwd: dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.run.resumed).toBe(finishedBefore);
    expect(summary.run.judged).toBe(PAIRS - finishedBefore);

    // Every sample exactly once: the store holds exactly pairs × orders × k, and the log one line per pair.
    expect(countSamples(store())).toBe(PAIRS * K * ORDERS);
    const judgments = readJudgments(path.join(out, "judgments.jsonl"));
    expect(judgments).toHaveLength(PAIRS);
    expect(new Set(judgments.map((j) => j.pairId)).size).toBe(PAIRS);
    for (const j of judgments) {
      expect(j.samples).toHaveLength(K * ORDERS);
      expect(new Set(j.samples.map((s) => `${s.order}:${s.index}`)).size).toBe(K * ORDERS);
    }
    // The samples generated before the kill for unfinished pairs were read back, not regenerated.
    const rerunJudgments = judgments.slice(finishedBefore);
    const cachedInRerun = rerunJudgments.reduce((n, j) => n + j.usage.cachedSamples, 0);
    expect(cachedInRerun).toBe(atKill - finishedBefore * K * ORDERS);
  });

  it("an identical rerun in a new run directory is served entirely from the store", async () => {
    const first = readJudgments(path.join(dir, "run", "judgments.jsonl"));
    const res = await runCli(args(path.join(dir, "run-again")), { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const again = readJudgments(path.join(dir, "run-again", "judgments.jsonl"));
    expect(again).toHaveLength(PAIRS);
    for (const j of again) expect(j.usage.cachedSamples).toBe(j.usage.samples);
    const byId = new Map(first.map((j) => [j.pairId, j]));
    for (const j of again) {
      const prior = byId.get(j.pairId)!;
      expect(j.verdict).toBe(prior.verdict);
      expect(j.samples.map((s) => s.text)).toEqual(prior.samples.map((s) => s.text));
    }
    expect(countSamples(store())).toBe(PAIRS * K * ORDERS);
  });
});
