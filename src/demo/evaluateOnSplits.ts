/**
 * One judge on every evaluation split through the normal eval path (`evaluateInDir`: a
 * judgments.jsonl per split, so a killed demo resumes where it stopped, and `summarizeEval` for the
 * accuracy, its bootstrap interval and the maj@k curve).
 */
import path from "node:path";
import type { PreferencePair } from "../data/types.js";
import { scorePair } from "../eval/scorePair.js";
import type { Judge, Judgment } from "../judge/types.js";
import { evaluateInDir } from "../run/evaluateInDir.js";
import { rationaleStats } from "./rationaleStats.js";
import type { DemoEvalSplit, DemoSplitResult } from "./types.js";

export interface EvaluateOnSplitsOptions {
  /** Per-split run directories go under it: `<dir>/<split>/judgments.jsonl`, `summary.json`. */
  dir: string;
  seed: number;
  concurrency: number;
  /** CoT judges: report the maj@1..k curve. */
  majK: boolean;
  signal?: AbortSignal;
  onProgress?: (split: DemoEvalSplit, done: number, total: number) => void;
}

export async function evaluateOnSplits(
  judge: Judge,
  splits: Readonly<Record<DemoEvalSplit, readonly PreferencePair[]>>,
  options: EvaluateOnSplitsOptions,
): Promise<Record<DemoEvalSplit, DemoSplitResult>> {
  const out = {} as Record<DemoEvalSplit, DemoSplitResult>;
  for (const [split, pairs] of Object.entries(splits) as [DemoEvalSplit, PreferencePair[]][]) {
    const { summary, judgments } = await evaluateInDir(judge, pairs, path.join(options.dir, split), {
      concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: ({ done, total }) => options.onProgress?.(split, done, total),
      // maj@j as the mean over every j-subset of the k samples: the unbiased estimate from one run,
      // far less noisy than voting with the first j (maj@1 is then the mean accuracy of a sample).
      summary: { bootstrap: { seed: options.seed }, majAtK: { mode: "expected" } },
      extra: { split, judge: judge.info },
    });
    const acc = summary.accuracy;
    out[split] = {
      accuracy: acc.accuracy ?? 0,
      ci: acc.ci === null ? [acc.accuracy ?? 0, acc.accuracy ?? 0] : [acc.ci.lower, acc.ci.upper],
      n: acc.n,
      majK: options.majK ? summary.majAtK.map((p) => p.accuracy) : null,
      parseErrorRate: summary.parse.parseErrorRate ?? 0,
      rationales: options.majK ? rationaleStats(judgments, pairs) : null,
      correct: correctness(judgments, pairs),
    };
  }
  return out;
}

function correctness(judgments: readonly Judgment[], pairs: readonly PreferencePair[]): string {
  const verdicts = new Map(judgments.map((j) => [j.pairId, j.verdict]));
  return pairs.map((p) => (scorePair(verdicts.get(p.id) ?? "error", p.label) === 1 ? "1" : "0")).join("");
}
