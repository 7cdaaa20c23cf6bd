/**
 * Tools of the fault-injection suite (`npm run test:faults`; a short form runs inside `npm test`):
 * a seeded kill chain that SIGKILLs a CLI run at random points of its progress and restarts it,
 * comparisons that ignore wall-clock fields, store integrity checks, and temporary mounts (a tiny
 * tmpfs for ENOSPC, a read-only bind mount for EROFS) that skip with a reason where mounting is
 * not permitted.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, it } from "vitest";
import { mulberry32 } from "../../src/random/index.js";
import { spawnCli } from "../helpers/cli.js";
import { withoutKeys } from "../helpers/withoutKeys.js";

/** `GENRM_FAULTS=full` (set by `npm run test:faults`) runs every kill; otherwise the short form. */
export const faultsFull = process.env.GENRM_FAULTS === "full";

/** Kills of one command: `full` under `npm run test:faults`, `short` inside `npm test`. */
export function killsFor(full: number, short: number): number {
  return faultsFull ? full : short;
}

/** Tests and suites of the full form only: the short one inside `npm test` leaves them out for time. */
export function itFull(name: string, fn: () => Promise<void>, timeout: number): void {
  (faultsFull ? it : it.skip)(name, fn, timeout);
}
export function describeFull(name: string, fn: () => void): void {
  (faultsFull ? describe : describe.skip)(name, fn);
}

/** Kills done by this test process, for the suite's total (printed by each file). */
export const killLog: string[] = [];

/** The kill points of a chain follow from its seed alone. */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed).next;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface KillChainOptions {
  /** Argument lists: the first run's, then every restart's (e.g. with --resume). */
  args: string[];
  restartArgs?: string[];
  /** How far a run has got (samples stored, steps logged, …), read every 10 ms. */
  progress: () => number;
  /** `progress` of a finished run (measured on an uninterrupted one). */
  total: number;
  kills: number;
  seed: number;
  /** Label for the kill log. */
  name: string;
  /** A kill lands up to this long after its progress point is reached. Defaults to 40 ms. */
  jitterMs?: number;
  /** A kill at progress 0 lands up to this long after the start (startup, locking, loading). */
  startupMs?: number;
}

/**
 * Runs the command `kills` times, each SIGKILLed at a seeded random point: the points are drawn
 * one per equal slice of [0, total) so they spread over the whole run and increase, and each run
 * resumes what the killed ones left. A run that ends on its own before its kill point (fast, or
 * the point fell after the end) counts as not killed; one that fails throws with its stderr.
 * Returns the kills done.
 */
export async function killChain(o: KillChainOptions): Promise<number> {
  const random = seededRandom(o.seed);
  let killed = 0;
  for (let i = 0; i < o.kills; i++) {
    const target = Math.floor((o.total * (i + random())) / o.kills);
    const delay = target === 0 ? random() * (o.startupMs ?? 3000) : random() * (o.jitterMs ?? 40);
    const child = spawnCli(i === 0 ? o.args : (o.restartArgs ?? o.args));
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.stdout?.resume();
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    );
    let exited = false;
    void closed.then(() => {
      exited = true;
    });
    while (!exited && safeProgress(o.progress) < target) await sleep(10);
    if (!exited) await sleep(delay);
    const at = safeProgress(o.progress);
    if (!exited) child.kill("SIGKILL");
    const { code, signal } = await closed;
    if (signal === "SIGKILL") {
      killed++;
      killLog.push(`${o.name}: kill ${killed} at progress ${at}/${o.total} (target ${target})`);
    } else if (code !== 0) {
      throw new Error(`${o.name}: run ${i + 1} failed with code ${code}:\n${stderr}`);
    } else {
      killLog.push(`${o.name}: run ${i + 1} finished before its kill point ${target}`);
      break;
    }
  }
  return killed;
}

function safeProgress(progress: () => number): number {
  try {
    return progress();
  } catch {
    return 0;
  }
}

/** Rows of `table` in the SQLite file, 0 while it does not exist yet. */
export function countRows(db: string, table: string): number {
  if (!fs.existsSync(db)) return 0;
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
}

/** `PRAGMA integrity_check` of a SQLite file: "ok" when sound. */
export function integrityCheck(db: string): string {
  const conn = new Database(db, { fileMustExist: true });
  try {
    return (conn.pragma("integrity_check") as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join("; ");
  } finally {
    conn.close();
  }
}

/** Complete lines of every file named `name` under `dir`. */
export function countLines(dir: string, name: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (path.basename(entry) !== name) continue;
    try {
      n += fs.readFileSync(path.join(dir, entry), "utf8").split("\n").length - 1;
    } catch {
      // Renamed or removed while being read.
    }
  }
  return n;
}

export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

export const readJson = <T = Record<string, unknown>>(file: string): T =>
  JSON.parse(fs.readFileSync(file, "utf8")) as T;

export function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Keys whose values depend on the clock, on where the run was interrupted (resumed and cached
 * counts; a pair whose samples all come from the store evaluates no prompt tokens) or on the
 * directory, not on the result.
 */
const volatileKey =
  /wall|seconds|^cached|cached_sample|cachedSample|(started|finished|created|saved|updated)At$|since|tokens_per_second|tokensPerSecond|^promptTokens$|^totalTokens$|^usage\/tokens_|^timings$|^dir$|^judged$|^resumed$|^resumedFrom$|^interrupted$/i;

/** `value` without its volatile keys (see above), for comparing a resumed run with a straight one. */
export function stable(value: unknown): unknown {
  return withoutKeys(value, (k) => volatileKey.test(k));
}

/** Paths inside `value` that were written relative to `from` are made relative to `to`. */
export function rebase(value: unknown, from: string, to: string): unknown {
  return JSON.parse(JSON.stringify(value).split(from).join(to));
}

/**
 * Mounts for disk faults. Each returns a reason string when mounting is not permitted here
 * (not root, no CAP_SYS_ADMIN, no mount binary), so the test can skip and say why.
 */
export function mountTmpfs(dir: string, size: string): string | null {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
  }
}

/** More room on a tmpfs from `mountTmpfs`: the data on it stays. */
export function resizeTmpfs(dir: string, size: string): void {
  execFileSync("mount", ["-o", `remount,size=${size}`, dir], { stdio: "pipe" });
}

export function mountReadOnly(dir: string): string | null {
  try {
    execFileSync("mount", ["--bind", dir, dir], { stdio: "pipe" });
    execFileSync("mount", ["-o", "remount,ro,bind", dir], { stdio: "pipe" });
    return null;
  } catch (err) {
    return `cannot bind-mount read-only (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
  }
}

export function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    // Not mounted (the mount was refused, or already undone).
  }
}

/** Fills the file system of `dir` up to `leaveBytes` free. */
export function fillDisk(dir: string, leaveBytes: number): string {
  const file = path.join(dir, "filler");
  const { bavail, bsize } = fs.statfsSync(dir);
  const free = bavail * bsize;
  fs.writeFileSync(file, Buffer.alloc(Math.max(0, free - leaveBytes)));
  return file;
}

/**
 * Tears metrics.jsonl of the training run in `runDir` the way a kill mid-append does: the line of
 * the step after the latest checkpoint is cut in half (or, when that step has no line yet, a
 * half line for it is appended).
 */
export function tearNextMetricsLine(runDir: string): void {
  const file = path.join(runDir, "metrics.jsonl");
  const latest = path.join(runDir, "checkpoints", "latest.json");
  const step = fs.existsSync(latest) ? readJson<{ step: number }>(latest).step : 0;
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  const last = lines.at(-1);
  if (last !== undefined && (JSON.parse(last) as { step: number }).step > step) {
    fs.writeFileSync(file, lines.join("\n").slice(0, -Math.floor(last.length / 2)));
  } else {
    fs.appendFileSync(file, `{"step":${step + 1},"loss":0.69`);
  }
}
