/**
 * Run directories: where a command's artifacts live. This module holds what every command that
 * writes one (eval, train, star, demo, world pretrain) shares, so they cannot drift apart:
 *
 * - the config guard: a run's config is recorded once with its hash, and a rerun into the same
 *   directory must have the same hash, else it is another experiment and is refused rather than
 *   mixed in (`prepareRunDir`, or `checkConfigHash` where the hash lives in a larger record);
 * - saved options: what a command records for `--resume`, and the flags given again merged over
 *   them (`savedOptions`, `readSavedOptions`, `resumeOptions`);
 * - `slug`, the directory name made from free text.
 *
 * Its files are written atomically with `writeJsonFile` / `writeJsonLinesFile` (jsonFile.ts) under
 * the directory's lock (runDirLock.ts).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { readJsonFile, writeJsonFile } from "./jsonFile.js";

export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

export function configHash(config: unknown): string {
  return crypto.createHash("sha256").update(stableStringify(config)).digest("hex").slice(0, 16);
}

/** A name for a run directory (or a part of one) made from free text: data file names, judge names. */
export function slug(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "x"
  );
}

export interface RunDirConfig {
  command: string;
  configHash: string;
  config: unknown;
  createdAt: string;
  genrmVersion: string;
}

export interface ConfigGuardOptions {
  /** The command whose run it is, as the user types it ("eval", "star", "demo"). */
  command: string;
  /** What to do instead, e.g. "pass a new --out directory, or --fresh to overwrite it". */
  hint: string;
}

/** Refuses a run directory whose recorded config hash is not this run's. */
export function checkConfigHash(
  dir: string,
  recorded: string,
  hash: string,
  guard: ConfigGuardOptions,
): void {
  if (recorded === hash) return;
  throw new ConfigError(
    [
      `out: ${dir} holds a ${guard.command} run with another configuration, model or data (config hash ${recorded}, this run ${hash})`,
    ],
    { hint: guard.hint },
  );
}

export interface PrepareRunDirOptions {
  /** The record's file name in `dir`. Defaults to "config.json". */
  file?: string;
  /** Forget the recorded config and record this one. Defaults to false. */
  fresh?: boolean;
  /** What to do when the recorded config differs. Defaults to a new --out or --fresh. */
  hint?: string;
  /** What to do when the record is not JSON (torn or edited). Defaults to --fresh or a new --out. */
  tornHint?: string;
}

/** Creates `dir` (or reuses it when its recorded config matches) and returns the config record. */
export function prepareRunDir(
  dir: string,
  command: string,
  config: unknown,
  version: string,
  options: PrepareRunDirOptions = {},
): RunDirConfig {
  const {
    file = "config.json",
    fresh = false,
    hint = "pass a new --out directory, or --fresh to overwrite it",
    tornHint = `rerun with --fresh to start ${dir} over (samples already generated stay in the sample store), or pass a new --out`,
  } = options;
  fs.mkdirSync(dir, { recursive: true });
  const recordFile = path.join(dir, file);
  const hash = configHash(config);
  if (!fresh && fs.existsSync(recordFile)) {
    const prior = readJsonFile<RunDirConfig>(recordFile, { hint: tornHint });
    checkConfigHash(dir, prior.configHash, hash, { command: prior.command ?? command, hint });
    return prior;
  }
  const record: RunDirConfig = {
    command,
    configHash: hash,
    config,
    createdAt: new Date().toISOString(),
    genrmVersion: version,
  };
  writeJsonFile(recordFile, record);
  return record;
}

/** The options worth saving for `--resume`: those given (defined) for which `keep` holds. */
export function savedOptions<T extends object>(options: T, keep: (key: string) => boolean): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([k, v]) => v !== undefined && keep(k)),
  ) as Partial<T>;
}

/** The `options` a run saved in `file` (JSON `{ options, … }`), or null when there is no such file. */
export function readSavedOptions<T>(file: string, hint: string): Partial<T> | null {
  if (!fs.existsSync(file)) return null;
  return readJsonFile<{ options: Partial<T> }>(file, { hint }).options;
}

/**
 * A resumed run's options: the saved ones, overridden by each option given again. An undefined
 * value is an option not given, so the command table must leave those it merges without defaults.
 */
export function resumeOptions<T extends object>(saved: Partial<T>, given: T): T {
  return { ...saved, ...savedOptions(given, () => true) } as T;
}
