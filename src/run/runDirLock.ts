/**
 * One process per run directory. Two processes resuming the same directory (the same `genrm eval`
 * started twice: the default --out comes from the config hash) would both judge the missing pairs
 * and append each judgment twice, or train from the same checkpoint and interleave checkpoints.
 *
 * The lock is a file in the directory, `genrm.lock`, holding the owner's pid, its start time (from
 * /proc on Linux), the boot id and the host. It is created whole with link(2), which fails if the
 * file exists, so no reader ever sees a half-written one. A lock left by a process that no longer
 * runs (SIGKILL, a crash, a reboot) is stale: its pid is gone (`process.kill(pid, 0)`), or belongs
 * to a process that started at another time (a reused pid), or the machine has booted since. A
 * stale lock is taken over under a short-lived `genrm.lock.break` file, so two processes finding the
 * same stale lock cannot both take it. A lock written on another host cannot be checked and counts
 * as held; the error says which file to delete.
 *
 * Not proper-lockfile: it decides staleness by an mtime the holder refreshes on a timer, which
 * a training step that blocks the event loop for longer than the timeout lets go stale under a
 * live holder, and a SIGKILLed holder's lock stays until the timeout runs out.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RunDirLockedError, type RunDirLockHolder } from "../errors.js";
import { writeAll } from "./jsonFile.js";
import { withStorageErrors } from "./storageErrors.js";

export const runDirLockFile = "genrm.lock";

interface LockRecord extends RunDirLockHolder {
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22); null off Linux. */
  startTime: string | null;
  bootId: string | null;
}

export interface RunDirLock {
  readonly dir: string;
  readonly file: string;
  /** Removes everything in the directory except the lock (a `--fresh` start). */
  clear(): void;
  /** Gives the directory up (and removes it if this lock created it and it is still empty); safe to call twice. */
  release(): void;
}

/** Lock files this process holds, released on exit in case a command never reaches its finally. */
const held = new Map<string, LockRecord>();
let exitHookInstalled = false;

/**
 * Locks `dir` (created if missing) for `command`, or throws `RunDirLockedError` naming the live
 * process that holds it.
 */
export function lockRunDir(dir: string, command: string): RunDirLock {
  const file = path.join(path.resolve(dir), runDirLockFile);
  return withStorageErrors(
    () => {
      const created = fs.mkdirSync(dir, { recursive: true }) !== undefined;
      const own = held.get(file);
      if (own !== undefined) throw new RunDirLockedError(dir, file, own, true);
      const record: LockRecord = {
        pid: process.pid,
        hostname: os.hostname(),
        command,
        since: new Date().toISOString(),
        startTime: processStartTime(process.pid),
        bootId: bootId(),
      };
      // Each round either takes the lock, finds a live holder, or removes one stale lock; more
      // rounds than that mean other processes keep taking it first.
      for (let round = 0; round < 5; round++) {
        if (createWhole(file, `${JSON.stringify(record)}\n`)) {
          held.set(file, record);
          installExitHook();
          return handle(dir, file, record, created);
        }
        const text = readText(file);
        if (text === null) continue; // released between our attempt and the read
        const holder = parseRecord(text);
        if (holder !== null && isLive(holder)) {
          throw new RunDirLockedError(dir, file, holder, holder.hostname === os.hostname());
        }
        breakStaleLock(file, text);
      }
      const holder = parseRecord(readText(file) ?? "");
      throw new RunDirLockedError(
        dir,
        file,
        holder ?? { pid: 0, hostname: os.hostname(), command: "unknown", since: "unknown" },
        true,
      );
    },
    { file },
  );
}

function handle(dir: string, file: string, record: LockRecord, created: boolean): RunDirLock {
  return {
    dir,
    file,
    clear() {
      for (const entry of fs.readdirSync(dir)) {
        if (entry !== runDirLockFile) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
      }
    },
    release() {
      if (held.get(file) !== record) return;
      held.delete(file);
      releaseFile(file, record);
      // A command that failed before writing anything leaves no empty directory behind.
      if (created) removeIfEmpty(dir);
    },
  };
}

/** Deletes the lock file if it is still ours (a stale-lock takeover may have replaced it). */
function releaseFile(file: string, record: LockRecord): void {
  const holder = parseRecord(readText(file) ?? "");
  if (holder?.pid === record.pid && holder.since === record.since) fs.rmSync(file, { force: true });
}

function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // Not empty (the usual case), or already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const [file, record] of held) {
      try {
        releaseFile(file, record);
      } catch {
        // Exiting anyway; a lock left behind is stale once this pid is gone.
      }
    }
    held.clear();
  });
}

/**
 * Creates `file` holding `text` unless it exists (false then). Linked from a complete temp file,
 * so nobody reads it half written.
 */
function createWhole(file: string, text: string): boolean {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    writeAll(fd, Buffer.from(text, "utf8"));
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes `file` if it still reads `staleText`. The check and the removal happen while holding
 * `<file>.break`, so a lock another process took over in the meantime is never removed.
 */
function breakStaleLock(file: string, staleText: string): void {
  const breaker = `${file}.break`;
  if (!createWhole(breaker, String(process.pid))) {
    // Held for a moment only; one left by a process killed right then is removed like a lock.
    const pid = Number.parseInt(readText(breaker) ?? "", 10);
    if (!Number.isInteger(pid) || !pidExists(pid)) fs.rmSync(breaker, { force: true });
    else sleep(10);
    return;
  }
  try {
    if (readText(file) === staleText) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

function isLive(holder: LockRecord): boolean {
  if (holder.hostname !== os.hostname()) return true;
  if (holder.bootId !== null && bootId() !== null && holder.bootId !== bootId()) return false;
  if (!pidExists(holder.pid)) return false;
  if (holder.startTime === null) return true;
  const now = processStartTime(holder.pid);
  return now === null || now === holder.startTime;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
function processStartTime(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19] ?? null;
}

let cachedBootId: string | null | undefined;
function bootId(): string | null {
  if (cachedBootId === undefined) cachedBootId = readText("/proc/sys/kernel/random/boot_id")?.trim() ?? null;
  return cachedBootId;
}

function parseRecord(text: string): LockRecord | null {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    if (typeof r.pid !== "number" || typeof r.hostname !== "string") return null;
    return {
      pid: r.pid,
      hostname: r.hostname,
      command: String(r.command ?? "unknown"),
      since: String(r.since ?? "unknown"),
      startTime: typeof r.startTime === "string" ? r.startTime : null,
      bootId: typeof r.bootId === "string" ? r.bootId : null,
    };
  } catch {
    // Never written by lockRunDir (it links whole files): garbage, which no live process holds.
    return null;
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `lockRunDir`, waiting up to `timeoutMs` for a live holder on this host to let go: for a directory
 * whose previous holder is known to be stopping (a demo lane whose parent was killed exits on its
 * own within a step). Any other refusal, or the time running out, throws as `lockRunDir` does.
 */
export async function lockRunDirWaiting(
  dir: string,
  command: string,
  options: { timeoutMs: number; onWait?: (holder: RunDirLockHolder) => void; signal?: AbortSignal },
): Promise<RunDirLock> {
  const deadline = Date.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    try {
      return lockRunDir(dir, command);
    } catch (error) {
      const sameHost = error instanceof RunDirLockedError && error.holder.hostname === os.hostname();
      const own = sameHost && held.has(path.join(path.resolve(dir), runDirLockFile));
      if (!sameHost || own || Date.now() >= deadline) throw error;
      options.signal?.throwIfAborted();
      if (!told) options.onWait?.(error.holder);
      told = true;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
