/**
 * Faults around `genrm eval`, with the committed mini-world base model judging mini-world pairs
 * (real rationales and verdicts, k = 4 CoT samples per pair):
 * - SIGKILL at seeded random points, rerun: each pair judged once, the store sound, the result
 *   equal to an uninterrupted run;
 * - torn judgments.jsonl and config.json;
 * - two processes on one run directory (the second is refused) and on one store (both finish);
 * - ENOSPC / EROFS / EACCES on the run directory and on the store: a clear error naming the file,
 *   nothing already written lost, and the rerun after the fix finishes with the same result.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePairsJsonl } from "../../src/data/index.js";
import type { Judgment } from "../../src/judge/types.js";
import { generateWorld } from "../../src/world/generateWorld.js";
import { type CliResult, repoRoot, runCli, spawnCli } from "../helpers/cli.js";
import {
  countRows,
  fillDisk,
  integrityCheck,
  itFull,
  killChain,
  killLog,
  killsFor,
  mountReadOnly,
  mountTmpfs,
  readJson,
  readJsonl,
  resizeTmpfs,
  stable,
  unmount,
} from "./faultKit.js";

const PAIRS = 16;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const K = 4;
const baseModel = path.join(repoRoot, "assets/world/base.gguf");

let dir: string;
let data: string;
let manyPairs: string;
const mounts: string[] = [];
let reference: { judgments: Judgment[]; summary: Record<string, unknown>; samples: number };

const evalArgs = (out: string, store: string) => [
  "eval",
  ...["--data", data, "--model", baseModel, "--template", "world-cot@1", "--threads", "1"],
  ...["-k", String(K), "--order", "random", "--max-tokens", "96", "--store", store, "--out", out],
  ...["--progress", "plain", "--json"],
];
/** The length baseline: no model, no store; for faults of the run directory alone. */
const baselineArgs = (out: string, file = manyPairs) => [
  "eval",
  ...["--data", file, "--baseline", "length", "--out", out, "--progress", "silent", "--json"],
];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-faults-eval-"));
  fs.chmodSync(dir, 0o755); // the EACCES case runs a process as an unprivileged user in here
  const world = generateWorld({
    seed: 0,
    sizes: { train: 0, test: 200, "ood-length": 0, "ood-mixed": 0, "ood-long": 0 },
  });
  data = path.join(dir, "pairs.jsonl");
  await writePairsJsonl(world.splits.test.slice(0, PAIRS), data);
  manyPairs = path.join(dir, "many.jsonl");
  await writePairsJsonl(world.splits.test, manyPairs);

  const out = path.join(dir, "reference");
  const r = await runCli(evalArgs(out, path.join(dir, "reference.db")));
  expect(r.code, r.stderr).toBe(0);
  reference = {
    judgments: readJsonl<Judgment>(path.join(out, "judgments.jsonl")),
    summary: readJson(path.join(out, "summary.json")),
    samples: countRows(path.join(dir, "reference.db"), "samples"),
  };
  expect(reference.judgments).toHaveLength(PAIRS);
  expect(reference.samples).toBe(PAIRS * K);
  // The model writes real verdicts, so the comparisons below compare decisions, not only errors.
  expect(reference.judgments.filter((j) => j.verdict === "A" || j.verdict === "B").length).toBeGreaterThan(2);
}, 300_000);

afterAll(() => {
  for (const m of mounts.splice(0).reverse()) unmount(m);
  fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`eval faults: ${killLog.length} kill records\n  ${killLog.join("\n  ")}\n`);
});

/** judgments.jsonl of `out` holds each pair once and equals the reference, clock fields aside. */
function expectReferenceResult(out: string): void {
  const judgments = readJsonl<Judgment>(path.join(out, "judgments.jsonl"));
  expect(judgments.map((j) => j.pairId).sort()).toEqual(reference.judgments.map((j) => j.pairId).sort());
  const byId = new Map(judgments.map((j) => [j.pairId, j]));
  for (const ref of reference.judgments)
    expect(stable(byId.get(ref.pairId)), ref.pairId).toEqual(stable(ref));
  const summary = readJson(path.join(out, "summary.json"));
  expect(stable(summary)).toEqual(stable(reference.summary));
}

function expectSoundStore(db: string): void {
  expect(integrityCheck(db)).toBe("ok");
  expect(countRows(db, "samples")).toBe(reference.samples);
}

const sampleProgress = (db: string) => () => countRows(db, "samples");

describe("SIGKILL and rerun", () => {
  it("kills at seeded random points, then finishes: nothing lost, nothing twice, the same result", async () => {
    const out = path.join(dir, "killed");
    const db = path.join(dir, "killed.db");
    const kills = killsFor(6, 2);
    const done = await killChain({
      name: "eval",
      args: evalArgs(out, db),
      progress: sampleProgress(db),
      total: reference.samples,
      kills,
      seed: 1,
    });
    expect(done).toBeGreaterThanOrEqual(kills - 1);
    const r = await runCli(evalArgs(out, db));
    expect(r.code, r.stderr).toBe(0);
    expectReferenceResult(out);
    expectSoundStore(db);
  }, 600_000);

  it("a judgments.jsonl torn mid-line loses only that line: the pair is judged again from the store", async () => {
    const out = path.join(dir, "killed");
    const file = path.join(out, "judgments.jsonl");
    const text = fs.readFileSync(file, "utf8");
    const lines = text.split("\n");
    const cut = lines.slice(0, 5).join("\n").length + 1 + Math.floor(lines[5]!.length / 2);
    fs.truncateSync(file, cut);
    const r = await runCli(evalArgs(out, path.join(dir, "killed.db")));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).run).toMatchObject({ resumed: 5, judged: PAIRS - 5 });
    expectReferenceResult(out);
    // Every sample of the pairs judged again came from the store: nothing was generated twice.
    const again = readJsonl<Judgment>(file).slice(5);
    expect(again.every((j) => j.usage.cachedSamples === j.usage.samples)).toBe(true);
  }, 120_000);

  itFull(
    "a torn config.json stops the rerun with the file and a hint; --fresh starts over from the store",
    async () => {
      const out = path.join(dir, "killed");
      const file = path.join(out, "config.json");
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
      const r = await runCli(evalArgs(out, path.join(dir, "killed.db")));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`genrm: ${file}: not valid JSON`);
      expect(r.stderr).toMatch(/^hint: rerun with --fresh/m);
      expect(r.stderr).not.toMatch(/SyntaxError|unexpected error/);
      const fresh = await runCli([...evalArgs(out, path.join(dir, "killed.db")), "--fresh"]);
      expect(fresh.code, fresh.stderr).toBe(0);
      expectReferenceResult(out);
    },
    120_000,
  );
});

describe("concurrent processes", () => {
  it("a second eval on a run directory in use is refused at once with the lock error; the first finishes", async () => {
    const out = path.join(dir, "shared-dir");
    const db = path.join(dir, "shared-dir.db");
    const first = spawnCli(evalArgs(out, db));
    let firstErr = "";
    first.stderr?.on("data", (d) => {
      firstErr += d;
    });
    first.stdout?.resume();
    const firstDone = new Promise<number | null>((resolve) => first.on("close", (code) => resolve(code)));
    // Paused while it holds the directory (mid-judging), so the overlap does not depend on timing.
    while (countRows(db, "samples") === 0 && first.exitCode === null) await sleep(10);
    first.kill("SIGSTOP");
    try {
      const second = await runCli(evalArgs(out, db));
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toContain(
        `genrm: run directory ${out} is in use by another genrm process (pid ${first.pid}, genrm eval`,
      );
      expect(second.stderr).toMatch(new RegExp(`^hint: wait for pid ${first.pid} to finish`, "m"));
    } finally {
      first.kill("SIGCONT");
    }
    expect(await firstDone, firstErr).toBe(0);
    expectReferenceResult(out);
    expectSoundStore(db);
  }, 300_000);

  itFull(
    "two evals on one store with their own run directories both finish, and no sample is stored twice",
    async () => {
      const db = path.join(dir, "shared-store.db");
      const outs = [path.join(dir, "store-a"), path.join(dir, "store-b")];
      const results = await Promise.all(outs.map((out) => runCli(evalArgs(out, db))));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      for (const out of outs) expectReferenceResult(out);
      expectSoundStore(db);
    },
    300_000,
  );
});

/** Mounts `what` at `at`, or returns why not (the test then skips with that reason). */
function mounted(reason: string | null, at: string): boolean {
  if (reason !== null) {
    process.stderr.write(`skipped: ${reason}\n`);
    return false;
  }
  mounts.push(at);
  return true;
}

function expectStorageError(r: CliResult, file: string, code: string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(`genrm: cannot write ${file}`);
  expect(r.stderr).toContain(`(${code})`);
  expect(r.stderr).toMatch(/^hint: .*rerun the same command/m);
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

/** Every line of judgments.jsonl is a complete judgment. */
function completeLines(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  expect(text === "" || text.endsWith("\n")).toBe(true);
  const lines = text.split("\n").filter(Boolean);
  for (const l of lines) JSON.parse(l);
  return lines;
}

describe("disk faults", () => {
  it("ENOSPC on the run directory: stops naming judgments.jsonl, keeps every complete judgment, resumes", async () => {
    const disk = path.join(dir, "full-disk");
    if (!mounted(mountTmpfs(disk, "256k"), disk)) return;
    const out = path.join(disk, "run");
    const filler = fillDisk(disk, 40 * 1024);
    const r = await runCli(baselineArgs(out));
    const file = path.join(out, "judgments.jsonl");
    expectStorageError(r, file, "ENOSPC");
    const kept = completeLines(file);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(200);

    fs.rmSync(filler);
    const again = await runCli(baselineArgs(out));
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).run).toMatchObject({ resumed: kept.length, judged: 200 - kept.length });
    expect(completeLines(file).slice(0, kept.length)).toEqual(kept);
  }, 120_000);

  itFull(
    "ENOSPC on the store: stops naming the store, which stays sound; the rerun finishes with the same result",
    async () => {
      const disk = path.join(dir, "full-store");
      if (!mounted(mountTmpfs(disk, "160k"), disk)) return;
      const db = path.join(disk, "store.db");
      const out = path.join(dir, "full-store-run");
      const r = await runCli(evalArgs(out, db));
      expectStorageError(r, `the sample store ${db}`, "SQLITE_FULL");
      const judged = completeLines(path.join(out, "judgments.jsonl")).length;
      expect(judged).toBeLessThan(PAIRS);
      expect(integrityCheck(db)).toBe("ok");

      // Room again: every sample and judgment written before the failure is used.
      const stored = countRows(db, "samples");
      expect(stored).toBeGreaterThan(0);
      resizeTmpfs(disk, "16m");
      const again = await runCli(evalArgs(out, db));
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).run).toMatchObject({ resumed: judged });
      expectReferenceResult(out);
      expectSoundStore(db);
    },
    300_000,
  );

  itFull(
    "EROFS on the run directory: refused before anything changes, then finishes once writable",
    async () => {
      const out = path.join(dir, "read-only");
      const first = await runCli(baselineArgs(out, data));
      expect(first.code, first.stderr).toBe(0);
      const file = path.join(out, "judgments.jsonl");
      const lines = fs.readFileSync(file, "utf8").split("\n");
      fs.writeFileSync(file, `${lines.slice(0, 6).join("\n")}\n`); // as if killed after 6 pairs
      const before = snapshot(out);
      if (!mounted(mountReadOnly(out), out)) return;
      const r = await runCli(baselineArgs(out, data));
      expectStorageError(r, path.join(out, "genrm.lock"), "EROFS");
      expect(snapshot(out)).toEqual(before);
      unmount(out);
      const again = await runCli(baselineArgs(out, data));
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).run).toMatchObject({ resumed: 6, judged: PAIRS - 6 });
    },
    120_000,
  );

  it("EROFS on the store: a clear error naming it, and the store is untouched", async () => {
    const storeDir = path.join(dir, "ro-store");
    fs.mkdirSync(storeDir);
    const db = path.join(storeDir, "store.db");
    for (const suffix of ["", "-wal"]) {
      const src = path.join(dir, `reference.db${suffix}`);
      if (fs.existsSync(src)) fs.copyFileSync(src, db + suffix);
    }
    const before = snapshot(storeDir);
    if (!mounted(mountReadOnly(storeDir), storeDir)) return;
    const r = await runCli(evalArgs(path.join(dir, "ro-store-run"), db));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(db);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(snapshot(storeDir)).toEqual(before);
  }, 120_000);

  itFull(
    "EACCES on the run directory (an unprivileged user): a clear error, nothing changed",
    async () => {
      if (process.getuid?.() !== 0) {
        process.stderr.write("skipped: EACCES needs root to run the CLI as another user\n");
        return;
      }
      const out = path.join(dir, "no-access");
      const first = await runCli(baselineArgs(out, data));
      expect(first.code, first.stderr).toBe(0);
      const before = snapshot(out);
      fs.chmodSync(out, 0o555);
      const r = await runAs(65534, baselineArgs(out, data));
      expectStorageError(r, path.join(out, "genrm.lock"), "EACCES");
      expect(snapshot(out)).toEqual(before);
      fs.chmodSync(out, 0o755);
    },
    120_000,
  );
});

/** Names and contents of every file under `root`. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(root, { recursive: true, encoding: "utf8" }).sort()) {
    const p = path.join(root, entry);
    if (fs.statSync(p).isFile()) files[entry] = fs.readFileSync(p, "base64");
  }
  return files;
}

/** The CLI as another user (uid = gid), for permission faults a root process does not see. */
function runAs(uid: number, args: string[]): Promise<CliResult> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), path.join(repoRoot, "src/cli/bin.ts"), ...args],
    { cwd: dir, uid, gid: uid, env: { ...process.env, HOME: dir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}
