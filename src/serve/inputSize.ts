/**
 * A size check that costs nothing: text far too long for the judge's context is refused by its
 * length, before anything tokenizes it. Tokenizing runs on the event loop (node-llama-cpp tokenizes
 * synchronously), so a few near-1 MiB samples would otherwise stall every other request, /health
 * included, for seconds, only for the engine to reject them as over its context afterwards.
 *
 * The bound is `maxCharsPerToken` (engine/types.ts) characters per context token. Text under the
 * bound may still not fit; the engine refuses that after tokenizing, as a failed judgment.
 */
import { type Engine, maxCharsPerToken } from "../engine/types.js";
import type { ChatMessage } from "../types.js";
import { HttpError } from "./HttpError.js";

/** HTTP engines tokenize on their own servers and say no context size: no bound there. */
export function defaultMaxInputChars(engine: Engine): number | undefined {
  const tokens = engine.info.contextSize;
  return tokens === undefined ? undefined : tokens * maxCharsPerToken;
}

export function messageChars(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + m.content.length, 0);
}

/** A judgment's text, by request field. */
export interface InputPart {
  field: string;
  chars: number;
}

/** Null when the parts fit together in `maxChars` (or there is no bound); otherwise why not. */
export function oversize(parts: readonly InputPart[], maxChars: number | undefined): string | null {
  if (maxChars === undefined) return null;
  const total = parts.reduce((n, p) => n + p.chars, 0);
  if (total <= maxChars) return null;
  const names = parts.map((p) => p.field).join(" + ");
  return `${names} hold ${total} characters; at most ${maxChars} fit the judge's context`;
}

/** 413 naming the largest part when the parts of one judgment cannot fit the context. */
export function assertFits(parts: readonly InputPart[], maxChars: number | undefined): void {
  const problem = oversize(parts, maxChars);
  if (problem === null) return;
  const largest = parts.reduce((a, b) => (b.chars > a.chars ? b : a));
  throw new HttpError(413, "payload_too_large", problem, { field: largest.field });
}
