/**
 * Faults around `genrm world pretrain` (a toy-sized base model) and `genrm demo --quick` (the
 * zero-shot verdict judge and the Bradley–Terry head on the committed base model):
 * - SIGKILL at seeded random points, rerun (`--resume` for pretraining): the base model is
 *   byte-identical to an uninterrupted run's and its sidecar records the same training (tokens
 *   included); the demo's results equal an uninterrupted demo's, each judgment file holds each
 *   pair once and its sample store is sound;
 * - a metrics.jsonl line torn by a kill does not stop `--resume`;
 * - a second process on a run directory in use is refused with the lock error, `--fresh` included
 *   (it would otherwise empty a directory another demo is writing).
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, spawnCli } from "../helpers/cli.js";
import {
  countLines,
  describeFull,
  integrityCheck,
  itFull,
  killChain,
  killLog,
  killsFor,
  readJson,
  readJsonl,
  sha256,
  stable,
  tearNextMetricsLine,
} from "./faultKit.js";

let dir: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-faults-world-demo-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`world/demo faults: ${killLog.length} kill records\n  ${killLog.join("\n  ")}\n`);
});

/**
 * Starts `args`, waits until `ready()`, then SIGSTOPs it: a live process holding its run
 * directory for as long as the caller needs. `resume()` lets it go on and resolves its exit code.
 */
async function pausedHolder(args: string[], ready: () => boolean) {
  const child: ChildProcess = spawnCli(args);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  child.stdout?.resume();
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  while (!ready() && child.exitCode === null) await sleep(10);
  child.kill("SIGSTOP");
  return {
    pid: child.pid,
    resume: async () => {
      child.kill("SIGCONT");
      return { code: await done, stderr };
    },
  };
}

function expectLocked(r: CliResult, runDir: string, pid: number | undefined, command: string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(
    `genrm: run directory ${runDir} is in use by another genrm process (pid ${pid}, genrm ${command}`,
  );
  expect(r.stderr).toMatch(/^hint: /m);
}

describe("genrm world pretrain under faults", () => {
  // 400 rows, 4 per step, 3 epochs: 300 steps, checkpoints at 100 and 200.
  const args = (out: string) => [
    "world",
    "pretrain",
    ...["--quick", "--rows", "400", "--epochs", "3", "--batch-size", "4", "--hidden", "32", "--layers", "1"],
    ...["--out", out, "--progress", "plain", "--json"],
  ];
  const resumeArgs = (out: string) => [...args(out), "--resume"];
  let reference: { sha: string; sidecar: Record<string, unknown> };

  beforeAll(async () => {
    const out = path.join(dir, "reference", "base.gguf");
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(0);
    reference = { sha: sha256(out), sidecar: readJson(`${out}.json`) };
  }, 300_000);

  it("SIGKILLed at seeded random points and resumed, with a torn metrics line: the same model", async () => {
    const out = path.join(dir, "killed", "base.gguf");
    const kills = killsFor(4, 1);
    const done = await killChain({
      name: "world pretrain",
      args: args(out),
      restartArgs: resumeArgs(out),
      progress: () => countLines(`${out}.run`, "metrics.jsonl"),
      total: 300,
      kills,
      seed: 3,
    });
    expect(done).toBeGreaterThanOrEqual(kills - 1);
    tearNextMetricsLine(`${out}.run`);
    const r = await runCli(resumeArgs(out));
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(out)).toBe(reference.sha);
    const sidecar = readJson(`${out}.json`);
    expect(stable(sidecar)).toEqual(stable(reference.sidecar));
  }, 600_000);

  itFull(
    "a second pretraining into a run directory in use is refused with the lock error",
    async () => {
      const out = path.join(dir, "locked", "base.gguf");
      const holder = await pausedHolder(args(out), () => countLines(`${out}.run`, "metrics.jsonl") > 0);
      let second: CliResult;
      try {
        second = await runCli(resumeArgs(out));
      } finally {
        const first = await holder.resume();
        expect(first.code, first.stderr).toBe(0);
      }
      expectLocked(second, `${out}.run`, holder.pid, "world pretrain");
      expect(sha256(out)).toBe(reference.sha);
    },
    300_000,
  );
});

describeFull("genrm demo under faults", () => {
  const args = (out: string, ...more: string[]) => [
    "demo",
    ...[
      "--quick",
      "--methods",
      "zero-shot-direct,bt",
      "--out",
      out,
      "--progress",
      "plain",
      "--json",
      ...more,
    ],
  ];
  /** Judgments and training steps written so far. */
  const progress = (out: string) => () =>
    countLines(out, "judgments.jsonl") + countLines(out, "metrics.jsonl");
  // Every run uses this one path and is moved aside after: results.json records model paths, and a
  // head's model id hashes its file, which records the path of the model it belongs to.
  let out: string;
  let reference: { results: Record<string, unknown>; progress: number };

  beforeAll(async () => {
    out = path.join(dir, "demo");
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(0);
    reference = { results: readJson(path.join(out, "results.json")), progress: progress(out)() };
    fs.renameSync(out, path.join(dir, "demo-reference"));
  }, 300_000);

  /** results.json without its clock fields. */
  const comparable = (results: unknown) => stable(results);

  it("SIGKILLed at seeded random points and rerun: the same results, each pair judged once, a sound store", async () => {
    const kills = killsFor(4, 1);
    const done = await killChain({
      name: "demo",
      args: args(out),
      progress: progress(out),
      total: reference.progress,
      kills,
      seed: 4,
    });
    expect(done).toBeGreaterThanOrEqual(kills - 1);
    const r = await runCli(args(out));
    expect(r.code, r.stderr).toBe(0);
    expect(comparable(readJson(path.join(out, "results.json")))).toEqual(comparable(reference.results));
    for (const entry of fs.readdirSync(out, { recursive: true, encoding: "utf8" })) {
      if (path.basename(entry) !== "judgments.jsonl") continue;
      const ids = readJsonl<{ pairId: string }>(path.join(out, entry)).map((j) => j.pairId);
      expect(new Set(ids).size, entry).toBe(ids.length);
    }
    expect(integrityCheck(path.join(out, "samples.db"))).toBe("ok");
    fs.renameSync(out, path.join(dir, "demo-killed"));
  }, 600_000);

  it("a second demo on a directory in use is refused, with --fresh too, and the first finishes", async () => {
    const holder = await pausedHolder(args(out), () => countLines(out, "judgments.jsonl") > 0);
    let second: CliResult;
    let fresh: CliResult;
    try {
      second = await runCli(args(out));
      fresh = await runCli(args(out, "--fresh"));
    } finally {
      const first = await holder.resume();
      expect(first.code, first.stderr).toBe(0);
    }
    expectLocked(second, out, holder.pid, "demo");
    expectLocked(fresh, out, holder.pid, "demo");
    expect(comparable(readJson(path.join(out, "results.json")))).toEqual(comparable(reference.results));
  }, 300_000);
});
