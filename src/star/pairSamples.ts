/**
 * The samples of one pair in one iteration, with what every training row needs to name its source.
 * `tallySamples` fills the per-sample and per-pair counts of the manifest.
 */
import type { PreferencePair } from "../data/types.js";
import type { JudgeSample } from "../judge/types.js";
import { classifySample } from "./classifySample.js";
import type { SampleLineage, StarCounts } from "./types.js";

export interface PairSamples {
  pair: PreferencePair;
  samples: JudgeSample[];
  /** Shared by every sample of the pair: who sampled, with which template and settings. */
  source: Pick<SampleLineage, "iteration" | "modelId" | "templateId" | "templateHash" | "samplingKey">;
}

export function lineageOf(ps: PairSamples, sample: JudgeSample): SampleLineage {
  return {
    pairId: ps.pair.id,
    ...ps.source,
    order: sample.order,
    index: sample.index,
    seed: sample.seed,
    verdict: sample.verdict,
  };
}

/** Adds one pair's samples to the counts. `rejectUnparseable` decides whether a no-verdict chain is "wrong" for the pair tallies. */
export function tallySamples(counts: StarCounts, ps: PairSamples, rejectUnparseable = true): void {
  counts.pairs++;
  const gold = ps.pair.label;
  if (gold === "tie") {
    counts.tiePairs++;
    return;
  }
  let correct = 0;
  let wrong = 0;
  for (const s of ps.samples) {
    counts.samples++;
    if (s.cached) counts.cachedSamples++;
    const c = classifySample(s, gold);
    if (c === "correct") {
      counts.correct++;
      correct++;
    } else if (c === "wrong") {
      counts.wrongVerdict++;
      wrong++;
    } else if (c === "unparseable") {
      counts.unparseable++;
      if (rejectUnparseable) wrong++;
    } else if (c === "truncated") counts.truncated++;
    else counts.engineErrors++;
  }
  if (correct > 0 && wrong > 0) counts.pairsMixed++;
  else if (correct > 0) counts.pairsAllCorrect++;
  else counts.pairsAllWrong++;
}
