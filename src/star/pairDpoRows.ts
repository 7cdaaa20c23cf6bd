/**
 * STaR-DPO data (paper-spec §1.10, Eq. 9): a correct chain (chosen) against a wrong one (rejected)
 * of the SAME pair shown in the SAME order, so both completions continue one prompt. OQ-3: by
 * default one pair per prompt, a seeded random correct × a seeded random wrong; "max" forms
 * min(#correct, #wrong) disjoint pairs. Truncated chains are never used (OQ-13); chains that
 * finished without a verdict are wrong (§1.8) unless `rejectUnparseable` is false; empty chains are
 * skipped. Pairs whose
 * chains are all correct or all wrong yield nothing (counted by `tallySamples`).
 */
import { hash32 } from "../judge/hash32.js";
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import type { JudgeSample, JudgeTemplate, Order } from "../judge/types.js";
import { classifySample } from "./classifySample.js";
import { lineageOf, type PairSamples } from "./pairSamples.js";
import type { StarDpoRow } from "./types.js";

export interface PairDpoOptions {
  template: JudgeTemplate;
  seed: number;
  pairsPerPrompt: "one" | "max";
  rejectUnparseable: boolean;
}

export function pairDpoRows(ps: PairSamples, options: PairDpoOptions): StarDpoRow[] {
  const { template, seed, pairsPerPrompt, rejectUnparseable } = options;
  const gold = ps.pair.label;
  if (gold === "tie") return [];
  const prefix = template.assistantPrefix ?? "";
  const rows: StarDpoRow[] = [];
  for (const order of ["AB", "BA"] as Order[]) {
    const chosen: JudgeSample[] = [];
    const rejected: JudgeSample[] = [];
    for (const s of ps.samples) {
      if (s.order !== order) continue;
      // A chain that ended at once (EOS first) has no reply text to train away from; TRL and
      // genrm's row format both require a non-empty assistant message.
      if ((prefix + s.text).trim() === "") continue;
      const c = classifySample(s, gold);
      if (c === "correct") chosen.push(s);
      else if (c === "wrong" || (c === "unparseable" && rejectUnparseable)) rejected.push(s);
    }
    if (chosen.length === 0 || rejected.length === 0) continue;
    const rank = (side: string) => (s: JudgeSample) =>
      hash32("genrm/star/dpo", seed, ps.pair.id, order, side, s.index);
    const byRank = (side: string) => (a: JudgeSample, b: JudgeSample) => rank(side)(a) - rank(side)(b);
    chosen.sort(byRank("chosen"));
    rejected.sort(byRank("rejected"));
    const n = pairsPerPrompt === "one" ? 1 : Math.min(chosen.length, rejected.length);
    const prompt = renderJudgePrompt(template, ps.pair, order);
    for (let i = 0; i < n; i++) {
      const w = chosen[i]!;
      const l = rejected[i]!;
      rows.push({
        prompt,
        chosen: [{ role: "assistant", content: prefix + w.text }],
        rejected: [{ role: "assistant", content: prefix + l.text }],
        lineage: { chosen: lineageOf(ps, w), rejected: lineageOf(ps, l), gold },
      });
    }
  }
  return rows;
}
