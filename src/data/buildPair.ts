/**
 * The one place adapters assemble a `PreferencePair`: it forms the id (see pairId.ts), fixes the key
 * order written to JSONL, and drops undefined optional fields and meta entries so that a pair
 * survives a JSON round trip unchanged.
 */
import type { ChatMessage } from "../types.js";
import { pairId } from "./pairId.js";
import type { ItemLink, Label, PreferencePair } from "./types.js";

export interface PairFields {
  source: string;
  /** The source's own id for this pair; when absent the id is a content hash. */
  sourceId?: string;
  subset?: string;
  prompt: ChatMessage[];
  responseA: string;
  responseB: string;
  label: Label;
  meta?: Record<string, unknown>;
  /** The multi-response row the pair was expanded from. */
  item?: ItemLink;
}

export function buildPair(fields: PairFields): PreferencePair {
  const { source, sourceId, subset, prompt, responseA, responseB, label, meta, item } = fields;
  const pair: PreferencePair = {
    id: pairId(source, { subset, prompt, responseA, responseB }, sourceId),
    source,
    ...(subset !== undefined ? { subset } : {}),
    prompt,
    responseA,
    responseB,
    label,
  };
  const kept = meta ? Object.entries(meta).filter(([, v]) => v !== undefined) : [];
  if (kept.length > 0) pair.meta = Object.fromEntries(kept);
  if (item !== undefined) pair.item = item.group === undefined ? withoutGroup(item) : item;
  return pair;
}

function withoutGroup({ group: _, ...rest }: ItemLink): ItemLink {
  return rest;
}
