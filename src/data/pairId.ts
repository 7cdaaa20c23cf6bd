/**
 * Stable pair ids. A pair whose source gives an id keeps it, prefixed by the source name
 * (`rewardbench:1234`), so ids from different datasets never collide. Otherwise the id is the first
 * 16 hex digits of a sha256 over the canonical content (subset, prompt, both responses), which is
 * the same on every machine and in every run. The label is left out on purpose: relabelling a pair
 * does not make it a different pair.
 */
import { createHash } from "node:crypto";
import type { ChatMessage, PairId } from "../types.js";

export interface PairContent {
  subset?: string;
  prompt: readonly ChatMessage[];
  responseA: string;
  responseB: string;
}

export function contentHash(content: PairContent): string {
  const canonical = JSON.stringify([
    content.subset ?? null,
    content.prompt.map((m) => [m.role, m.content]),
    content.responseA,
    content.responseB,
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

export function pairId(source: string, content: PairContent, sourceId?: string): PairId {
  return `${source}:${sourceId ?? contentHash(content)}` as PairId;
}
