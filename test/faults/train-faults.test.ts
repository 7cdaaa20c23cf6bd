/**
 * Faults around `genrm train` (DPO with LoRA on a tiny GGUF, a checkpoint every 2 steps):
 * - SIGKILL at seeded random steps, `--resume` each time, plus a metrics.jsonl line torn by the
 *   last kill: the adapter is byte-identical to an uninterrupted run's and metrics.jsonl has every
 *   step once with the same values, `num_tokens` included;
 * - a second `genrm train` on a run directory in use is refused with the lock error;
 * - ENOSPC while saving a checkpoint: a clear error, the previous checkpoint stays in charge, and
 *   `--resume` after the fix ends with the same adapter.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, spawnCli } from "../helpers/cli.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";
import {
  countLines,
  itFull,
  killChain,
  killLog,
  killsFor,
  mountTmpfs,
  readJson,
  readJsonl,
  resizeTmpfs,
  sha256,
  stable,
  tearNextMetricsLine,
  unmount,
} from "./faultKit.js";

const STEPS = 30;
let dir: string;
let model: string;
let prefs: string;
let reference: { adapter: string; metrics: unknown[] };
const mounts: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const args = (out: string) => [
  "train",
  ...["--method", "dpo", "--model", model, "--data", prefs, "--out", out, "--lr", "5e-3"],
  ...["--max-steps", String(STEPS), "--batch-size", "2", "--save-every", "2", "--progress", "plain"],
];
const resumeArgs = (out: string) => [...args(out), "--resume"];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-faults-train-"));
  model = (
    await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64, vocabSize: 320, seed: 5 })
  ).path;
  prefs = path.join(dir, "prefs.jsonl");
  const words = ["cat", "dog", "sun", "map", "pen", "cup", "box", "hat", "tea", "owl"];
  fs.writeFileSync(
    prefs,
    words
      .map((w, i) =>
        JSON.stringify({
          prompt: [{ role: "user", content: `Is a ${w} good${"?".repeat(1 + (i % 4))}` }],
          chosen: [{ role: "assistant", content: "yes indeed" }],
          rejected: [{ role: "assistant", content: "no way" }],
        }),
      )
      .map((l) => `${l}\n`)
      .join(""),
  );
  const out = path.join(dir, "reference");
  const r = await runCli(args(out));
  expect(r.code, r.stderr).toBe(0);
  reference = { adapter: sha256(path.join(out, "adapter.gguf")), metrics: metricsOf(out) };
  expect(reference.metrics).toHaveLength(STEPS);
}, 300_000);

afterAll(() => {
  for (const m of mounts.splice(0).reverse()) unmount(m);
  fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`train faults: ${killLog.length} kill records\n  ${killLog.join("\n  ")}\n`);
});

const metricsOf = (out: string) => readJsonl(path.join(out, "metrics.jsonl")).map(stable);

function expectReferenceResult(out: string): void {
  expect(sha256(path.join(out, "adapter.gguf"))).toBe(reference.adapter);
  expect(metricsOf(out)).toEqual(reference.metrics);
}

describe("genrm train under faults", () => {
  it("SIGKILLed at seeded random steps and resumed, with a torn metrics line: the same adapter and metrics", async () => {
    const out = path.join(dir, "killed");
    const kills = killsFor(5, 1);
    const done = await killChain({
      name: "train",
      args: args(out),
      restartArgs: resumeArgs(out),
      progress: () => countLines(out, "metrics.jsonl"),
      total: STEPS,
      kills,
      seed: 2,
    });
    expect(done).toBeGreaterThanOrEqual(kills - 1);
    tearNextMetricsLine(out);
    const r = await runCli(resumeArgs(out));
    expect(r.code, r.stderr).toBe(0);
    expectReferenceResult(out);
  }, 600_000);

  itFull(
    "a second train on a run directory in use is refused with the lock error",
    async () => {
      const out = path.join(dir, "locked");
      const first = spawnCli(args(out));
      first.stdout?.resume();
      first.stderr?.resume();
      const firstDone = new Promise<number | null>((resolve) => first.on("close", (code) => resolve(code)));
      while (countLines(out, "metrics.jsonl") === 0 && first.exitCode === null) await sleep(10);
      first.kill("SIGSTOP");
      try {
        const second = await runCli(resumeArgs(out));
        expect(second.code, second.stderr).toBe(1);
        expect(second.stderr).toContain(
          `genrm: run directory ${out} is in use by another genrm process (pid ${first.pid}, genrm train`,
        );
      } finally {
        first.kill("SIGCONT");
      }
      expect(await firstDone).toBe(0);
      expectReferenceResult(out);
    },
    300_000,
  );

  itFull(
    "ENOSPC while saving a checkpoint: a clear error, the last checkpoint stays, --resume ends the same",
    async () => {
      const out = path.join(dir, "full-disk");
      // Room for the run's small files and two 108 kB checkpoints, not for the third one's temp file.
      const reason = mountTmpfs(out, "256k");
      if (reason !== null) {
        process.stderr.write(`skipped: ${reason}\n`);
        return;
      }
      mounts.push(out);
      const r = await runCli(args(out));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^genrm: cannot write .*: no space left on the device \(ENOSPC\)$/m);
      expect(r.stderr).toContain(
        `then rerun genrm train --resume --out ${out}: the work already written is kept`,
      );
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
      const latest = readJson<{ step: number; file: string }>(path.join(out, "checkpoints", "latest.json"));
      expect(latest.step).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(out, "checkpoints", latest.file))).toBe(true);

      resizeTmpfs(out, "16m");
      const again = await runCli(resumeArgs(out));
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`resumed from step ${latest.step}`));
      expectReferenceResult(out);
    },
    300_000,
  );
});
