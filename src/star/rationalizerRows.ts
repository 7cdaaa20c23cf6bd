/**
 * STaR-Rationalizer data (paper-spec §1.9): rationales the model wrote while told the gold winner,
 * trained WITHOUT the hint, i.e. on the CoT judge prompt the trained judge will see. The prompt is
 * rendered from the CoT template (not the rationalizer's), so training and judging prompts agree
 * even when the two templates' texts drift apart. A rationale that ends on the other verdict
 * despite the hint teaches the wrong answer, so it is dropped unless `keepInconsistent`; one cut at
 * the token cap or without a verdict is dropped too (OQ-13).
 */
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import type { JudgeTemplate } from "../judge/types.js";
import { classifySample } from "./classifySample.js";
import { lineageOf, type PairSamples } from "./pairSamples.js";
import type { StarCounts, StarSftRow } from "./types.js";

export interface RationalizerRowsOptions {
  /** The CoT template: the prompt trained on. */
  template: JudgeTemplate;
  /** The hinted template: its forced prefix, if any, starts the completion. */
  rationalizerTemplate: JudgeTemplate;
  keepInconsistent: boolean;
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
  const rows: StarSftRow[] = [];
  for (const s of ps.samples) {
    const c = classifySample(s, gold);
    if (!(c === "correct" || (c === "wrong" && keepInconsistent))) {
      if (c === "wrong") counts.droppedInconsistent++;
      continue;
    }
    rows.push({
      prompt: renderJudgePrompt(template, ps.pair, s.order),
      completion: [{ role: "assistant", content: prefix + s.text }],
      lineage: { ...lineageOf(ps, s), gold, hinted: true },
    });
  }
  return rows;
}
