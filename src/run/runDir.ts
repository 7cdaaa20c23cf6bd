/**
 * Run directories: where a command's artifacts live. A run's config is written once; a rerun into
 * the same directory must have the same config hash (else it is a different experiment and we
 * refuse rather than mix results).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { GenrmError } from "../errors.js";
import { readJsonFile, writeJsonFile } from "./jsonFile.js";

/** Older name of `writeJsonFile`, still imported by src/star/runStar.ts. */
export { writeJsonFile as writeJson } from "./jsonFile.js";

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

export interface RunDirConfig {
  command: string;
  configHash: string;
  config: unknown;
  createdAt: string;
  genrmVersion: string;
}

/** Creates `dir` (or reuses it when its recorded config matches) and returns the config record. */
export function prepareRunDir(dir: string, command: string, config: unknown, version: string): RunDirConfig {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "config.json");
  const hash = configHash(config);
  if (fs.existsSync(file)) {
    const prior = readJsonFile<RunDirConfig>(file, {
      hint: `rerun with --fresh to start ${dir} over (samples already generated stay in the sample store), or pass a new --out`,
    });
    if (prior.configHash !== hash) {
      throw new GenrmError(
        "GENRM_CONFIG",
        `run directory ${dir} holds a ${prior.command} run with a different configuration (config hash ${prior.configHash}, this run ${hash})`,
        { hint: "pass a new --out directory, or --fresh to overwrite it" },
      );
    }
    return prior;
  }
  const record: RunDirConfig = {
    command,
    configHash: hash,
    config,
    createdAt: new Date().toISOString(),
    genrmVersion: version,
  };
  writeJsonFile(file, record);
  return record;
}
