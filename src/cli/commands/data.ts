import fs from "node:fs";
import path from "node:path";
import { adapters, loadPairs, splitPairs, writePairsJsonl } from "../../data/index.js";
import type { PreferencePair } from "../../data/types.js";
import { ConfigError } from "../../errors.js";

interface LoadFlags {
  format?: string;
  map?: string;
  skipInvalid?: boolean;
}

function loadOptions(flags: LoadFlags) {
  return {
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.map ? { map: flags.map } : {}),
    ...(flags.skipInvalid ? { skipInvalid: true } : {}),
  };
}

export async function runDataFormats(options: { json?: boolean }): Promise<void> {
  const rows = adapters.map((a) => ({ name: a.name, description: a.description }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  for (const r of rows) process.stdout.write(`${r.name.padEnd(16)} ${r.description}\n`);
}

export interface DatasetStats {
  path: string;
  format: string;
  pairs: number;
  labels: Record<string, number>;
  subsets: Record<string, number>;
  multiTurn: number;
  meanChars: { prompt: number; responseA: number; responseB: number };
  /** Fraction of labelled pairs whose preferred response is the longer one. */
  longerPreferred: number | null;
  skipped: { count: number; byReason: Record<string, number> };
}

export function datasetStats(
  file: string,
  format: string,
  pairs: PreferencePair[],
): Omit<DatasetStats, "skipped"> {
  const labels: Record<string, number> = {};
  const subsets: Record<string, number> = {};
  let multiTurn = 0;
  let p = 0;
  let a = 0;
  let b = 0;
  let longer = 0;
  let decided = 0;
  for (const pair of pairs) {
    labels[pair.label] = (labels[pair.label] ?? 0) + 1;
    const s = pair.subset ?? "(none)";
    subsets[s] = (subsets[s] ?? 0) + 1;
    if (pair.prompt.filter((m) => m.role === "user").length > 1) multiTurn++;
    p += pair.prompt.reduce((n, m) => n + m.content.length, 0);
    a += pair.responseA.length;
    b += pair.responseB.length;
    if (pair.label !== "tie" && pair.responseA.length !== pair.responseB.length) {
      decided++;
      const preferredLonger =
        pair.label === "A"
          ? pair.responseA.length > pair.responseB.length
          : pair.responseB.length > pair.responseA.length;
      if (preferredLonger) longer++;
    }
  }
  const n = Math.max(1, pairs.length);
  return {
    path: file,
    format,
    pairs: pairs.length,
    labels,
    subsets,
    multiTurn,
    meanChars: { prompt: Math.round(p / n), responseA: Math.round(a / n), responseB: Math.round(b / n) },
    longerPreferred: decided ? longer / decided : null,
  };
}

/**
 * Inspection reports every invalid record (counts by reason, the first few with file, line and
 * field) instead of stopping at the first; `--strict` makes any of them an error, as other commands do.
 */
export async function runDataInspect(
  file: string,
  options: LoadFlags & { json?: boolean; strict?: boolean },
): Promise<void> {
  const loaded = await loadPairs(file, loadOptions({ ...options, skipInvalid: !options.strict }));
  const stats: DatasetStats = {
    ...datasetStats(file, loaded.format, loaded.pairs),
    skipped: { count: loaded.skipped.count, byReason: loaded.skipped.byReason },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...stats, invalid: loaded.skipped.examples }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${stats.path} (${stats.format})`,
    `  pairs            ${stats.pairs}${stats.skipped.count ? ` (+${stats.skipped.count} skipped)` : ""}`,
    `  labels           ${Object.entries(stats.labels)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `  multi-turn       ${stats.multiTurn}`,
    `  mean chars       prompt ${stats.meanChars.prompt}, A ${stats.meanChars.responseA}, B ${stats.meanChars.responseB}`,
    `  longer preferred ${stats.longerPreferred === null ? "-" : `${(100 * stats.longerPreferred).toFixed(1)}%`}`,
    "  subsets",
    ...Object.entries(stats.subsets)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `    ${k.padEnd(28)} ${v}`),
  ];
  if (loaded.skipped.count > 0) {
    lines.push(
      `  invalid records  ${loaded.skipped.count} (${Object.entries(loaded.skipped.byReason)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}); other commands stop at the first unless --skip-invalid`,
      ...loaded.skipped.examples.map((e) => `    ${e}`),
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

export async function runDataConvert(file: string, options: LoadFlags & { out: string }): Promise<void> {
  const loaded = await loadPairs(file, loadOptions(options));
  await writePairsJsonl(loaded.pairs, options.out);
  process.stdout.write(
    `wrote ${loaded.pairs.length} pairs to ${options.out}${loaded.skipped.count ? ` (skipped ${loaded.skipped.count})` : ""}\n`,
  );
}

export function parseFractions(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  const issues: string[] = [];
  for (const part of spec.split(",")) {
    const [name, value] = part.split("=").map((s) => s.trim());
    const n = Number(value);
    if (!name || value === undefined || !Number.isFinite(n) || n <= 0)
      issues.push(`fractions.${name || "?"}: expected name=positive number, got "${part}"`);
    else out[name] = n;
  }
  if (issues.length) throw new ConfigError(issues);
  return out;
}

export async function runDataSplit(
  file: string,
  options: LoadFlags & { outDir: string; fractions: string; seed: number },
): Promise<void> {
  const fractions = parseFractions(options.fractions);
  const loaded = await loadPairs(file, loadOptions(options));
  const parts = splitPairs(loaded.pairs, { seed: options.seed, fractions });
  fs.mkdirSync(options.outDir, { recursive: true });
  for (const [name, pairs] of Object.entries(parts)) {
    const out = path.join(options.outDir, `${name}.jsonl`);
    await writePairsJsonl(pairs, out);
    process.stdout.write(`${name.padEnd(10)} ${String(pairs.length).padStart(7)}  ${out}\n`);
  }
}
