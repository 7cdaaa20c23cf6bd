/**
 * The demo's two sizes. "full" is the README's main job (≤ 10 min on 2 cores); "quick" runs every
 * stage on a few dozen pairs so the test suite can check the whole pipeline end to end (≤ 3 min).
 * Everything else (templates, sampling, order handling) is the same in both.
 */

export interface DemoPreset {
  /** World training pairs every trained judge learns from (STaR cuts them into `star.iterations` slices). */
  trainPairs: number;
  /** Pairs per evaluation split. */
  evalPairs: number;
  /** CoT samples per pair at evaluation (maj@1 … maj@k). */
  k: number;
  /** Most tokens per rationale: an in-distribution rationale is ~30 tokens of the world tokenizer. */
  maxTokens: number;
  /** In-distribution pairs each STaR iteration's model is probed on (one sample each). 0: no probe. */
  probePairs: number;
  star: {
    iterations: number;
    /** Rationales sampled per pair per iteration. */
    k: number;
    /** STaR-SFT / Rationalizer: most correct chains kept per pair. */
    maxPerPair: number;
    epochs: number;
    lr: number;
    batchSize: number;
    /** DPO β. */
    beta: number;
  };
  /** GenRM (verdict token), Bradley–Terry and PairRM training. */
  verdict: { epochs: number; lr: number; batchSize: number };
}

export const demoPresets: Record<"full" | "quick", DemoPreset> = {
  full: {
    trainPairs: 600,
    evalPairs: 200,
    k: 8,
    maxTokens: 96,
    probePairs: 100,
    star: { iterations: 3, k: 8, maxPerPair: 2, epochs: 2, lr: 3e-4, batchSize: 8, beta: 0.5 },
    verdict: { epochs: 2, lr: 3e-4, batchSize: 8 },
  },
  quick: {
    trainPairs: 96,
    evalPairs: 48,
    k: 4,
    maxTokens: 96,
    probePairs: 0,
    star: { iterations: 2, k: 4, maxPerPair: 2, epochs: 1, lr: 3e-4, batchSize: 8, beta: 0.5 },
    verdict: { epochs: 1, lr: 3e-4, batchSize: 8 },
  },
};
