/**
 * The run-directory lock between real processes: a second process is refused at once with the
 * holder's pid; a SIGKILLed holder's lock is taken over at once; a reused pid, another boot, a
 * garbage lock file and a lock from another host are told apart. Through the CLI: a second
 * `genrm eval` on a locked directory fails with the lock error and writes nothing there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { writePairsJsonl } from "../../../src/data/index.js";
import { RunDirLockedError } from "../../../src/errors.js";
import { lockRunDir, lockRunDirWaiting, runDirLockFile } from "../../../src/run/runDirLock.js";
import { runCli } from "../../helpers/cli.js";
import { lengthPairs } from "../../helpers/lengthPairs.js";

const holderScript = path.join(import.meta.dirname, "lockHolder.ts");
let root: string;
const children: ChildProcess[] = [];

/** `n` labelled pairs as JSONL in `dir`, for `genrm eval --baseline length`. */
async function pairsFile(dir: string, n: number): Promise<string> {
  const file = path.join(dir, `pairs-${n}.jsonl`);
  await writePairsJsonl(lengthPairs(n), file);
  return file;
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-lock-"));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function spawnHolder(dir: string, mode: "hold" | "try"): ChildProcess {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), holderScript, dir, mode], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

/** The holder's first line of output and, for `try`, its exit code. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.stdout?.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
    child.on("close", () => reject(new Error(`exited without output: ${err}`)));
  });
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.on("close", (code) => resolve(code));
  });

async function tryLock(dir: string): Promise<{ line: string; code: number | null }> {
  const child = spawnHolder(dir, "try");
  const [line, code] = await Promise.all([firstLine(child), exitOf(child)]);
  return { line, code };
}

describe("lockRunDir between processes", () => {
  it("refuses a second process with the holder's pid, and frees the directory when the holder is SIGKILLed", async () => {
    const dir = path.join(root, "two");
    const holder = spawnHolder(dir, "hold");
    expect(await firstLine(holder)).toBe(`locked ${holder.pid}`);

    const second = await tryLock(dir);
    expect(second.code).toBe(3);
    const err = JSON.parse(second.line) as { name: string; code: string; message: string; hint: string };
    expect(err.name).toBe("RunDirLockedError");
    expect(err.code).toBe("GENRM_LOCKED");
    expect(err.message).toContain(dir);
    expect(err.message).toContain(`pid ${holder.pid}`);
    expect(err.hint).toMatch(/--out/);

    holder.kill("SIGKILL");
    await exitOf(holder);
    // The lock file is still there; its pid is not.
    expect(fs.existsSync(path.join(dir, runDirLockFile))).toBe(true);
    const third = await tryLock(dir);
    expect(third.line).toMatch(/^locked \d+$/);
    expect(third.code).toBe(0);
    expect(fs.existsSync(path.join(dir, runDirLockFile))).toBe(false);
  });

  it("a second `genrm eval` on a locked run directory fails at once and writes nothing there", async () => {
    const dir = path.join(root, "eval");
    const holder = spawnHolder(dir, "hold");
    await firstLine(holder);
    const r = await runCli([
      "eval",
      ...["--data", await pairsFile(root, 3)],
      ...["--baseline", "length", "--out", dir, "--progress", "silent"],
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `genrm: run directory ${dir} is in use by another genrm process (pid ${holder.pid}`,
    );
    expect(r.stderr).toMatch(/^hint: wait for pid \d+ to finish/m);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(fs.readdirSync(dir)).toEqual([runDirLockFile]);
  });
});

const base = () => ({ hostname: os.hostname(), command: "eval", since: "2024-01-01T00:00:00.000Z" });

describe("lockRunDirWaiting", () => {
  it("waits for a live holder on this host to exit, says whom it waits for, then takes the lock", async () => {
    const dir = path.join(root, "waiting");
    const holder = spawnHolder(dir, "hold");
    const pid = Number((await firstLine(holder)).split(" ")[1]);
    const waitedFor: number[] = [];
    setTimeout(() => holder.kill("SIGKILL"), 400);
    const started = Date.now();
    const lock = await lockRunDirWaiting(dir, "test", {
      timeoutMs: 20_000,
      onWait: (h) => waitedFor.push(h.pid),
    });
    expect(waitedFor).toEqual([pid]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(JSON.parse(fs.readFileSync(lock.file, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("gives up with the lock error when the holder outlives the timeout, and never waits on itself", async () => {
    const dir = path.join(root, "waiting-timeout");
    const holder = spawnHolder(dir, "hold");
    await firstLine(holder);
    await expect(lockRunDirWaiting(dir, "test", { timeoutMs: 300 })).rejects.toThrow(RunDirLockedError);
    holder.kill("SIGKILL");
    const own = path.join(root, "waiting-own");
    const lock = lockRunDir(own, "test");
    const started = Date.now();
    await expect(lockRunDirWaiting(own, "test", { timeoutMs: 10_000 })).rejects.toThrow(RunDirLockedError);
    expect(Date.now() - started).toBeLessThan(5_000);
    lock.release();
  });
});

describe("lockRunDir staleness", () => {
  const writeLock = (dir: string, record: Record<string, unknown>) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, runDirLockFile), JSON.stringify(record));
  };

  it("takes over the lock of a pid that has exited", async () => {
    const dir = path.join(root, "dead");
    const child = spawnHolder(path.join(root, "dead-elsewhere"), "try");
    await exitOf(child);
    writeLock(dir, { ...base(), pid: child.pid, startTime: null, bootId: null });
    lockRunDir(dir, "test").release();
  });

  it("takes over a lock whose pid now belongs to a process started at another time", () => {
    const dir = path.join(root, "reused");
    // Our own pid with a start time that is not ours: the pid was reused after the holder died.
    writeLock(dir, { ...base(), pid: process.pid, startTime: "1", bootId: null });
    const lock = lockRunDir(dir, "test");
    expect(JSON.parse(fs.readFileSync(lock.file, "utf8")).command).toBe("test");
    lock.release();
  });

  it("takes over a lock from an earlier boot, and a lock file that is not a lock", () => {
    const dir = path.join(root, "boot");
    writeLock(dir, { ...base(), pid: process.ppid, startTime: null, bootId: "another-boot" });
    lockRunDir(dir, "test").release();
    fs.writeFileSync(path.join(dir, runDirLockFile), '{"pid": 12');
    lockRunDir(dir, "test").release();
  });

  it("counts a live holder as holding, and a lock from another host as held with the file to delete", () => {
    const dir = path.join(root, "held");
    writeLock(dir, { ...base(), pid: process.ppid, startTime: null, bootId: null });
    expect(() => lockRunDir(dir, "test")).toThrow(RunDirLockedError);
    writeLock(dir, { ...base(), hostname: "elsewhere", pid: 1, startTime: null, bootId: null });
    try {
      lockRunDir(dir, "test");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RunDirLockedError);
      expect((err as RunDirLockedError).message).toContain("pid 1 on host elsewhere");
      expect((err as RunDirLockedError).hint).toContain(path.join(dir, runDirLockFile));
    }
  });
});

describe("lockRunDir in one process", () => {
  it("refuses a directory this process already holds; release frees it; clear keeps only the lock", () => {
    const dir = path.join(root, "own");
    fs.mkdirSync(dir);
    const lock = lockRunDir(dir, "test");
    expect(() => lockRunDir(dir, "test")).toThrow(RunDirLockedError);
    fs.writeFileSync(path.join(dir, "judgments.jsonl"), "x\n");
    fs.mkdirSync(path.join(dir, "stages"));
    lock.clear();
    expect(fs.readdirSync(dir)).toEqual([runDirLockFile]);
    lock.release();
    lock.release();
    expect(fs.existsSync(dir)).toBe(true);
    lockRunDir(dir, "test").release();
  });

  it("removes a directory it created when nothing was written there", () => {
    const dir = path.join(root, "untouched", "run");
    lockRunDir(dir, "test").release();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("does not delete a lock another process took over", () => {
    const dir = path.join(root, "taken");
    const lock = lockRunDir(dir, "test");
    const other = { ...base(), pid: process.ppid, startTime: null, bootId: null };
    fs.writeFileSync(lock.file, JSON.stringify(other));
    lock.release();
    expect(JSON.parse(fs.readFileSync(lock.file, "utf8")).pid).toBe(process.ppid);
  });
});
