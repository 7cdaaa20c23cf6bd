/**
 * Writes pairs in genrm's canonical JSONL (one pair per line, fixed key order), gzip-compressed when
 * the name ends in `.gz`. The file appears atomically: it is written beside the target and renamed
 * when complete, so an interrupted run never leaves half a dataset under the real name.
 */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { throwIfAborted } from "../errors.js";
import type { PreferencePair } from "./types.js";

export interface WritePairsOptions {
  signal?: AbortSignal;
}

/** One pair as its canonical JSON line (no trailing newline). */
export function pairToJsonLine(pair: PreferencePair): string {
  const { id, source, subset, prompt, responseA, responseB, label, meta } = pair;
  return JSON.stringify({ id, source, subset, prompt, responseA, responseB, label, meta });
}

export async function writePairsJsonl(
  pairs: Iterable<PreferencePair> | AsyncIterable<PreferencePair>,
  file: string,
  options: WritePairsOptions = {},
): Promise<{ count: number }> {
  const { signal } = options;
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  let count = 0;
  async function* lines() {
    for await (const pair of pairs) {
      throwIfAborted(signal);
      count++;
      yield `${pairToJsonLine(pair)}\n`;
    }
  }
  try {
    const out = createWriteStream(temp);
    if (file.endsWith(".gz")) await pipeline(Readable.from(lines()), createGzip(), out);
    else await pipeline(Readable.from(lines()), out);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { count };
}
