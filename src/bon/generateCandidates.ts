/**
 * Fills each item's candidates with N samples from a policy model through any engine, one request
 * per prompt with N seeds (the embedded engine evaluates the prompt once and decodes the N samples
 * together). Seeds derive from (seed, item id), so a rerun regenerates the same candidates.
 * Generated candidates have no human score.
 */
import pLimit from "p-limit";
import type { Engine, SamplingConfig } from "../engine/types.js";
import { hash32 } from "../judge/hash32.js";
import type { BonItem } from "./types.js";

export interface GenerateCandidatesOptions {
  /** Candidates per prompt. Defaults to 4. */
  n?: number;
  /** Defaults to temperature 0.8, top-p 0.95, 512 tokens: varied but on-topic samples. */
  sampling?: SamplingConfig;
  seed?: number;
  /** Prompts in flight. Defaults to 2. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export const defaultGenerateCandidatesOptions = {
  n: 4,
  sampling: { temperature: 0.8, topP: 0.95, maxTokens: 512 },
  seed: 0,
  concurrency: 2,
} satisfies GenerateCandidatesOptions;

export async function generateCandidates(
  engine: Engine,
  items: readonly BonItem[],
  options: GenerateCandidatesOptions = {},
): Promise<{ items: BonItem[]; promptTokens: number; completionTokens: number }> {
  const {
    n = defaultGenerateCandidatesOptions.n,
    sampling = defaultGenerateCandidatesOptions.sampling,
    seed = defaultGenerateCandidatesOptions.seed,
    concurrency = defaultGenerateCandidatesOptions.concurrency,
    signal,
    onProgress,
  } = options;
  const limit = pLimit(concurrency);
  let done = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  const out = await Promise.all(
    items.map((item) =>
      limit(async () => {
        const seeds = Array.from({ length: n }, (_, i) => hash32("genrm/bon/policy", seed, item.id, i));
        const result = await engine.generate({ messages: item.prompt, seeds, sampling, signal });
        promptTokens += result.promptTokens;
        for (const s of result.samples) completionTokens += s.completionTokens;
        onProgress?.({ done: ++done, total: items.length });
        return {
          ...item,
          candidates: result.samples.map((s) => ({ text: s.text, model: engine.info.modelName })),
        };
      }),
    ),
  );
  return { items: out, promptTokens, completionTokens };
}
