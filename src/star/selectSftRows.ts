/**
 * STaR-SFT data (paper-spec §1.8, Eq. 4): the chains whose parsed verdict equals the human label,
 * each as (judge prompt in the order it was sampled → rationale and verdict). Optional OQ-5
 * controls: drop repeated texts within a pair, and cap the chains per pair (a seeded choice, so
 * easy pairs with K correct chains do not dominate).
 */
import { hash32 } from "../judge/hash32.js";
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import type { JudgeTemplate } from "../judge/types.js";
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
  if (maxPerPair !== null && kept.length > maxPerPair) {
    const rank = (s: (typeof kept)[number]) => hash32("genrm/star/cap", seed, ps.pair.id, s.order, s.index);
    const chosen = new Set([...kept].sort((a, b) => rank(a) - rank(b)).slice(0, maxPerPair));
    counts.droppedOverCap += kept.length - chosen.size;
    kept = kept.filter((s) => chosen.has(s));
  }
  const prefix = template.assistantPrefix ?? "";
  return kept.map((s) => ({
    prompt: renderJudgePrompt(template, ps.pair, s.order),
    completion: [{ role: "assistant", content: prefix + s.text }],
    lineage: { ...lineageOf(ps, s), gold, hinted: false },
  }));
}
