/**
 * Accuracy by how much longer the preferred answer is than the other one: a judge with a length
 * bias is right where the preferred answer is the longer one and wrong where it is the shorter.
 * Lengths are `responseLength` (code points), the measure of every length baseline in genrm.
 */
import type { PreferencePair } from "../../data/types.js";
import { accuracyWithCI } from "../../eval/bootstrapCI.js";
import { scorePair } from "../../eval/scorePair.js";
import type { AccuracyResult, BootstrapOptions, ScoreOptions } from "../../eval/types.js";
import { longerResponse, responseLength } from "../../judge/responseLength.js";
import type { Judgment } from "../../judge/types.js";

/**
 * Bins of d = (len(preferred) − len(other)) / max of the two, in (−1, 1): symmetric around 0, so
 * "much shorter" and "much longer" hold pairs of the same length ratio.
 */
export const lengthDifferenceBins = [
  { id: "much-shorter", label: "preferred ≥50% shorter", lo: -1, hi: -0.5 },
  { id: "shorter", label: "preferred 10–50% shorter", lo: -0.5, hi: -0.1 },
  { id: "similar", label: "within ±10%", lo: -0.1, hi: 0.1 },
  { id: "longer", label: "preferred 10–50% longer", lo: 0.1, hi: 0.5 },
  { id: "much-longer", label: "preferred ≥50% longer", lo: 0.5, hi: 1 },
] as const;

export type LengthBinId = (typeof lengthDifferenceBins)[number]["id"];

/** The bin of a relative difference; each boundary belongs to the bin further from 0. */
export function lengthBinOf(d: number): LengthBinId {
  if (d <= -0.5) return "much-shorter";
  if (d <= -0.1) return "shorter";
  if (d < 0.1) return "similar";
  if (d < 0.5) return "longer";
  return "much-longer";
}

export interface LengthBiasResult {
  bins: { id: LengthBinId; label: string; result: AccuracyResult }[];
  /** Scored judgments whose pair was found. */
  scored: number;
  /** Of the verdicts that picked A or B on pairs of unequal length, the share that picked the longer. */
  longerPickRate: number | null;
  /** Of the labelled pairs of unequal length, the share where the preferred answer is the longer. */
  longerPreferredRate: number | null;
}

export function lengthBias(
  judgments: readonly Judgment[],
  pairs: ReadonlyMap<string, PreferencePair>,
  options: ScoreOptions & { bootstrap?: BootstrapOptions } = {},
): LengthBiasResult {
  const scores = new Map<LengthBinId, number[]>(lengthDifferenceBins.map((b) => [b.id, []]));
  let scored = 0;
  let picks = 0;
  let longerPicks = 0;
  let unequal = 0;
  let longerPreferred = 0;
  for (const j of judgments) {
    const pair = pairs.get(j.pairId);
    if (!pair || pair.label === "tie") continue;
    const score = scorePair(j.verdict, pair.label, options);
    if (score === null) continue;
    scored++;
    const [preferred, other] =
      pair.label === "A" ? [pair.responseA, pair.responseB] : [pair.responseB, pair.responseA];
    const lp = responseLength(preferred);
    const lo = responseLength(other);
    scores.get(lengthBinOf((lp - lo) / Math.max(lp, lo)))!.push(score);
    const longer = longerResponse(pair.responseA, pair.responseB);
    if (longer === "tie") continue;
    unequal++;
    if (longer === pair.label) longerPreferred++;
    if (j.verdict === "A" || j.verdict === "B") {
      picks++;
      if (j.verdict === longer) longerPicks++;
    }
  }
  return {
    bins: lengthDifferenceBins.map((b) => ({
      id: b.id,
      label: b.label,
      result: accuracyWithCI(scores.get(b.id)!, options.bootstrap),
    })),
    scored,
    longerPickRate: picks === 0 ? null : longerPicks / picks,
    longerPreferredRate: unequal === 0 ? null : longerPreferred / unequal,
  };
}
