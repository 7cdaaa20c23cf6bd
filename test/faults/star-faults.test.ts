/**
 * Faults around `genrm star` (STaR-DPO, 2 iterations, on the committed mini-world base model):
 * SIGKILL at seeded random points of sampling, training and export, then the same command again:
 * the manifest, every iteration's samples and training rows, and the final model equal an
 * uninterrupted run's; no sample is stored twice and the store is sound. A second `genrm star` on
 * a run directory in use is refused with the lock error.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writePairsJsonl } from "../../src/data/index.js";
import type { StarManifest } from "../../src/star/index.js";
import { generateWorld } from "../../src/world/generateWorld.js";
import { repoRoot, runCli, spawnCli } from "../helpers/cli.js";
import {
  countLines,
  countRows,
  describeFull,
  integrityCheck,
  killChain,
  killLog,
  killsFor,
  readJson,
  sha256,
  stable,
} from "./faultKit.js";

let dir: string;
let data: string;
let out: string;
let reference: { manifest: StarManifest; files: Record<string, string>; samples: number; progress: number };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const args = (runDir: string) => [
  "star",
  ...["--method", "star-dpo", "--model", path.join(repoRoot, "assets/world/base.gguf"), "--data", data],
  ...["--out", runDir, "--iterations", "2", "-k", "4", "--template", "world-cot@1", "--max-tokens", "96"],
  ...["--max-steps", "6", "--batch-size", "4", "--save-every", "2", "--threads", "1"],
  ...["--progress", "plain", "--json"],
];

/** Samples stored, training steps logged, models exported: how far a run has got. */
const progress = (runDir: string) => () =>
  countRows(path.join(runDir, "samples.db"), "samples") +
  countLines(runDir, "metrics.jsonl") +
  fs.readdirSync(runDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("model.gguf"))
    .length;

/** Every file an iteration writes that the next one or a user reads, by content. */
function iterationFiles(runDir: string, manifest: StarManifest): Record<string, string> {
  const files: Record<string, string> = {};
  for (const it of manifest.iterations) {
    for (const rel of [it.files.samples, it.files.train, it.files.trl])
      files[rel] = sha256(path.join(runDir, rel));
    if (it.model) files[`iter-${it.iteration}/model`] = it.model.id;
  }
  return files;
}

describeFull("genrm star under faults", () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-faults-star-"));
    const world = generateWorld({
      seed: 0,
      sizes: { train: 24, test: 0, "ood-length": 0, "ood-mixed": 0, "ood-long": 0 },
    });
    data = path.join(dir, "pairs.jsonl");
    await writePairsJsonl(world.splits.train, data);
    // One path for every run, moved aside after each: the manifest records paths inside it.
    out = path.join(dir, "star");
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(0);
    const manifest = readJson<StarManifest>(path.join(out, "manifest.json"));
    expect(manifest.status).toBe("done");
    reference = {
      manifest,
      files: iterationFiles(out, manifest),
      samples: countRows(path.join(out, "samples.db"), "samples"),
      progress: progress(out)(),
    };
    fs.renameSync(out, path.join(dir, "star-reference"));
  }, 300_000);

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`star faults: ${killLog.length} kill records\n  ${killLog.join("\n  ")}\n`);
  });

  it("SIGKILLed at seeded random points and rerun: the same manifest, rows and model; no sample twice", async () => {
    const kills = killsFor(5, 1);
    const done = await killChain({
      name: "star",
      args: args(out),
      progress: progress(out),
      total: reference.progress,
      kills,
      seed: 5,
    });
    expect(done).toBeGreaterThanOrEqual(kills - 1);
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(0);
    const manifest = readJson<StarManifest>(path.join(out, "manifest.json"));
    expect(stable(manifest)).toEqual(stable(reference.manifest));
    expect(iterationFiles(out, manifest)).toEqual(reference.files);
    const db = path.join(out, "samples.db");
    expect(integrityCheck(db)).toBe("ok");
    expect(countRows(db, "samples")).toBe(reference.samples);
    fs.renameSync(out, path.join(dir, "star-killed"));
  }, 600_000);

  it("a second star on a run directory in use is refused with the lock error; the first finishes", async () => {
    const first = spawnCli(args(out));
    first.stdout?.resume();
    first.stderr?.resume();
    const firstDone = new Promise<number | null>((resolve) => first.on("close", (code) => resolve(code)));
    while (countRows(path.join(out, "samples.db"), "samples") === 0 && first.exitCode === null)
      await sleep(10);
    first.kill("SIGSTOP");
    try {
      const second = await runCli(["star", "--resume", "--out", out]);
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toContain(
        `genrm: run directory ${out} is in use by another genrm process (pid ${first.pid}, genrm star`,
      );
    } finally {
      first.kill("SIGCONT");
    }
    expect(await firstDone).toBe(0);
    const manifest = readJson<StarManifest>(path.join(out, "manifest.json"));
    expect(iterationFiles(out, manifest)).toEqual(reference.files);
  }, 300_000);
});
