/**
 * STaR-SFT data (paper-spec §1.8, Eq. 4): the chains whose parsed verdict equals the human label,
 * each as (judge prompt in the order it was sampled → rationale and verdict). Optional OQ-5
 * controls: drop repeated texts within a pair, and cap the chains per pair (a seeded choice, so
 * easy pairs with K correct chains do not dominate).
 */
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import type { JudgeTemplate } from "../judge/types.js";
import { capPerPair } from "./capPerPair.js";
import { classifySample } from "./classifySample.js";
import { lineageOf, type PairSamples } from "./pairSamples.js";
import type { StarCounts, StarSftRow } from "./types.js";

export interface SelectSftOptions {
  template: JudgeTemplate;
  seed: number;
  maxPerPair: number | null;
  dedupe: boolean;
}

export function selectSftRows(ps: PairSamples, options: SelectSftOptions, counts: StarCounts): StarSftRow[] {
  const { template, seed, maxPerPair, dedupe } = options;
  const gold = ps.pair.label;
  if (gold === "tie") return [];
  let kept = ps.samples.filter((s) => classifySample(s, gold) === "correct");
  if (dedupe) {
    const seen = new Set<string>();
    kept = kept.filter((s) => {
      const key = `${s.order}\u001f${s.text.trim()}`;
      if (seen.has(key)) {
        counts.droppedDuplicate++;
        return false;
      }
      seen.add(key);
      return true;
    });
  }
  kept = capPerPair(kept, ps.pair.id, { seed, maxPerPair }, counts);
  const prefix = template.assistantPrefix ?? "";
  return kept.map((s) => ({
    prompt: renderJudgePrompt(template, ps.pair, s.order),
    completion: [{ role: "assistant", content: prefix + s.text }],
    lineage: { ...lineageOf(ps, s), gold, hinted: false },
  }));
}
