/**
 * Runs a Best-of-N selection over every item and scores it against the human rankings. Items are
 * processed `concurrency` at a time, each selection's games `judgeConcurrency` at a time; results
 * come back in input order.
 */
import pLimit from "p-limit";
import { ConfigError, throwIfAborted } from "../errors.js";
import type { Judge } from "../judge/types.js";
import { selectBest } from "../rank/selectBest.js";
import type { ComparisonBudget, ScalarScorer, SelectionScheme } from "../rank/types.js";
import { evaluateBonItem } from "./evaluateBonItem.js";
import { summarizeBon } from "./summarizeBon.js";
import type { BonItem, BonItemResult, BonSummary } from "./types.js";

export interface RunBonOptions {
  /** Defaults to "knockout". */
  scheme?: SelectionScheme;
  judge?: Judge;
  scorer?: ScalarScorer;
  /** Per item. Defaults to unlimited. */
  budget?: ComparisonBudget;
  seed?: number;
  /** Items selected at once. Defaults to 2. */
  concurrency?: number;
  /** Games judged at once within one item. Defaults to 4. */
  judgeConcurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export const defaultRunBonOptions = {
  scheme: "knockout",
  seed: 0,
  concurrency: 2,
  judgeConcurrency: 4,
} satisfies RunBonOptions;

export async function runBon(
  items: readonly BonItem[],
  options: RunBonOptions = {},
): Promise<{ results: BonItemResult[]; summary: BonSummary }> {
  const {
    scheme = defaultRunBonOptions.scheme,
    seed = defaultRunBonOptions.seed,
    concurrency = defaultRunBonOptions.concurrency,
    judgeConcurrency = defaultRunBonOptions.judgeConcurrency,
    signal,
    onProgress,
  } = options;
  const empty = items.find((item) => item.candidates.length === 0);
  if (empty) {
    throw new ConfigError([`candidates: item ${empty.id} has none`], {
      hint: "generate them with --policy-model <gguf> --n <N> (MT-Bench is a prompt pool without candidates)",
    });
  }
  if (scheme === "reference") {
    const noRef = items.find((item) => item.reference === undefined);
    if (noRef)
      throw new ConfigError([`reference: item ${noRef.id} has no reference answer for scheme "reference"`]);
  }
  const limit = pLimit(concurrency);
  let done = 0;
  const results = await Promise.all(
    items.map((item) =>
      limit(async () => {
        throwIfAborted(signal);
        const selection = await selectBest(
          { prompt: item.prompt, candidates: item.candidates.map((c) => c.text), reference: item.reference },
          {
            scheme,
            judge: options.judge,
            scorer: options.scorer,
            budget: options.budget,
            seed,
            concurrency: judgeConcurrency,
            signal,
          },
        );
        onProgress?.({ done: ++done, total: items.length });
        return evaluateBonItem(item, selection);
      }),
    ),
  );
  return { results, summary: summarizeBon(results, scheme, { seed }) };
}
