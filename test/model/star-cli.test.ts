/**
 * `genrm star` through the CLI, SIGKILLed and resumed with `genrm star --resume`:
 * - during sampling (the store already holds samples): the resumed run reads them back instead of
 *   regenerating, finishes every iteration, and stores no sample twice;
 * - during training (a checkpoint exists): training continues from it, each step is logged once,
 *   and because sampling is deterministic for a fresh process and training resume is exact, the
 *   training sets and the final model equal those of an uninterrupted run.
 * A sample regenerated after a kill may be decoded in a different batch than in an uninterrupted
 * run, so after a kill in sampling only lineage and counts are compared, not texts.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePairsJsonl } from "../../src/data/index.js";
import type { StarManifest } from "../../src/star/index.js";
import { runCli, spawnCli } from "../helpers/cli.js";
import { starPairs, verdictModel } from "./star-fixture.js";

let dir: string;
let model: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "genrm-star-cli-"));
  model = await verdictModel();
  data = path.join(dir, "pairs.jsonl");
  await writePairsJsonl(starPairs(12), data);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const args = (out: string) => [
  "star",
  ...["--method", "star-dpo", "--model", model, "--data", data, "--out", out],
  ...["--iterations", "2", "-k", "4", "--template", "world-cot@1", "--max-tokens", "12"],
  ...["--max-steps", "30", "--batch-size", "2", "--lr", "1e-2", "--save-every", "2"],
  ...[
    "--threads",
    "1",
    "--context-size",
    "512",
    "--parallel",
    "4",
    "--concurrency",
    "1",
    "--progress",
    "plain",
  ],
];

const manifestOf = (out: string) =>
  JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as StarManifest;
const sampleCount = (db: string): number => {
  if (!existsSync(db)) return 0;
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare("SELECT count(*) AS n FROM samples").get() as { n: number }).n;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
};
const lines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");

async function killWhen(out: string, ready: () => boolean): Promise<string> {
  const child = spawnCli(args(out));
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.on("close", resolve));
  for (let i = 0; i < 3000 && child.exitCode === null; i++) {
    if (ready()) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGKILL");
  await exited;
  return stderr;
}

let straight: StarManifest;

describe("genrm star: kill and resume", () => {
  it("runs uninterrupted", async () => {
    const out = path.join(dir, "straight");
    const r = await runCli([...args(out), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.stopReason).toBe("completed");
    straight = manifestOf(out);
    expect(straight.status).toBe("done");
    const [it1, it2] = straight.iterations as [StarManifest["iterations"][0], StarManifest["iterations"][0]];
    expect(it1.training!.steps).toBe(30);
    // M_1 may have collapsed onto one letter so that no prompt has a correct and a wrong chain:
    // then nothing is trained and M_2 = M_1.
    if (it2.training!.encoded!.examples === 0) expect(it2.model).toEqual(it2.samplingModel);
    else expect(it2.training!.steps).toBe(30);
  }, 120_000);

  it("SIGKILL during sampling: the resumed run reads stored samples back and finishes", async () => {
    const out = path.join(dir, "killed-sampling");
    const db = path.join(out, "samples.db");
    const stderr = await killWhen(out, () => sampleCount(db) > 0);
    const atKill = sampleCount(db);
    expect(atKill, stderr).toBeGreaterThan(0);
    const before = manifestOf(out);
    const wasSampling = before.iterations[0]?.status === "pending";

    const r = await runCli(["star", "--resume", "--out", out, "--progress", "plain"]);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(out);
    expect(m.status).toBe("done");
    expect(m.configHash).toBe(straight.configHash);
    expect(m.iterations.map((i) => i.status)).toEqual(["done", "done"]);
    if (wasSampling)
      expect(m.iterations[0]!.counts!.cachedSamples).toBeGreaterThanOrEqual(Math.min(atKill, 24));
    // Every (iteration model, pair, order, index) sampled exactly once.
    expect(sampleCount(db)).toBe(2 * 6 * 4);
    for (const it of m.iterations) {
      const keys = lines(path.join(out, it.files.samples)).map((l) => {
        const s = JSON.parse(l);
        return `${s.modelId}/${s.pairId}/${s.order}/${s.index}`;
      });
      expect(new Set(keys).size).toBe(24);
      expect(it.counts!.rows).toBe(lines(path.join(out, it.files.train)).length);
    }
  }, 180_000);

  it("SIGKILL during training: training resumes from its checkpoint and ends where the uninterrupted run ends", async () => {
    const out = path.join(dir, "killed-training");
    const latest = path.join(out, "iter-1", "train", "checkpoints", "latest.json");
    const stderr = await killWhen(out, () => {
      try {
        return JSON.parse(readFileSync(latest, "utf8")).step >= 4;
      } catch {
        return false;
      }
    });
    const step = JSON.parse(readFileSync(latest, "utf8")).step as number;
    expect(step, stderr).toBeGreaterThanOrEqual(4);
    expect(step).toBeLessThan(30);

    const r = await runCli(["star", "--resume", "--out", out, "--progress", "plain"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/iteration 1: resuming training from step \d+/);
    const m = manifestOf(out);
    expect(m.status).toBe("done");
    expect(m.iterations[0]!.training!.resumedFrom).toBeGreaterThanOrEqual(4);
    const steps = lines(path.join(out, "iter-1", "train", "metrics.jsonl")).map((l) => JSON.parse(l).step);
    expect(steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const [i, it] of m.iterations.entries()) {
      const s = straight.iterations[i]!;
      expect(readFileSync(path.join(out, it.files.train), "utf8")).toBe(
        readFileSync(path.join(dir, "straight", s.files.train), "utf8"),
      );
    }
    expect(m.finalModel!.id).toBe(straight.finalModel!.id);
  }, 180_000);
});
