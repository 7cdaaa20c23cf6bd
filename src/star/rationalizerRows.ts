/**
 * STaR-Rationalizer data (paper-spec §1.9): rationales the model wrote while told the gold winner,
 * trained WITHOUT the hint, i.e. on the CoT judge prompt the trained judge will see. The prompt is
 * rendered from the CoT template (not the rationalizer's), so training and judging prompts agree
 * even when the two templates' texts drift apart. A rationale that ends on the other verdict
 * despite the hint teaches the wrong answer, so it is dropped unless `keepInconsistent`; one cut at
 * the token cap or without a verdict is dropped too (OQ-13). The STaR-SFT cap on chains per pair
 * applies here too: K hinted rationales of one pair are near-copies of each other.
 */
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import type { JudgeTemplate } from "../judge/types.js";
import { capPerPair } from "./capPerPair.js";
import { classifySample } from "./classifySample.js";
import { lineageOf, type PairSamples } from "./pairSamples.js";
import type { StarCounts, StarSftRow } from "./types.js";

export interface RationalizerRowsOptions {
  /** The CoT template: the prompt trained on. */
  template: JudgeTemplate;
  /** The hinted template: its forced prefix, if any, starts the completion. */
  rationalizerTemplate: JudgeTemplate;
  keepInconsistent: boolean;
  /** At most this many rationales per pair (OQ-5, as for STaR-SFT); null keeps all. */
  maxPerPair: number | null;
  /** Seeds the choice under the cap. */
  seed: number;
}

export function rationalizerRows(
  ps: PairSamples,
  options: RationalizerRowsOptions,
  counts: StarCounts,
): StarSftRow[] {
  const { template, rationalizerTemplate, keepInconsistent } = options;
  const gold = ps.pair.label;
  if (gold === "tie") return [];
  const prefix = rationalizerTemplate.assistantPrefix ?? "";
  const usable = ps.samples.filter((s) => {
    const c = classifySample(s, gold);
    if (c === "correct" || (c === "wrong" && keepInconsistent)) return true;
    if (c === "wrong") counts.droppedInconsistent++;
    return false;
  });
  const rows: StarSftRow[] = [];
  for (const s of capPerPair(usable, ps.pair.id, options, counts)) {
    rows.push({
      prompt: renderJudgePrompt(template, ps.pair, s.order),
      completion: [{ role: "assistant", content: prefix + s.text }],
      lineage: { ...lineageOf(ps, s), gold, hinted: true },
    });
  }
  return rows;
}
