/**
 * Accuracy of a simulated reasoner judging world pairs against their labels, with one sample
 * (maj@1) and a majority of k (maj@k), each pair shown in a seeded random order. It is what a base
 * model that had learned the corpus teacher exactly would score, so it is the yardstick for the
 * pretrained model's zero-shot CoT judge, and with `perfectReasoner` it measures the noise ceiling.
 */
import type { PreferencePair } from "../data/types.js";
import { scorePair } from "../eval/scorePair.js";
import { voteFromCounts } from "../judge/majorityVote.js";
import type { Slot } from "../types.js";
import { createWorldRng } from "./createWorldRng.js";
import { judgeView } from "./judgeView.js";
import type { RationaleRoute, ReasonerConfig } from "./types.js";
import { writeRationale } from "./writeRationale.js";

export interface SimulateReasonerOptions {
  /** Samples per pair for maj@k. Defaults to 8. */
  k?: number;
  /** Defaults to 0. */
  seed?: number;
}

export interface SimulateReasonerResult {
  /** Accuracy of the first sample's verdict. */
  maj1: number;
  /** Accuracy of the majority of k verdicts; an even split scores 0.5 (RewardBench convention). */
  majK: number;
  k: number;
  /** Share of samples by route. */
  routes: Record<RationaleRoute, number>;
}

export function simulateReasoner(
  pairs: readonly PreferencePair[],
  reasoner: ReasonerConfig,
  options: SimulateReasonerOptions = {},
): SimulateReasonerResult {
  const { k = 8, seed = 0 } = options;
  const rng = createWorldRng(seed, "simulate");
  const routes: Record<RationaleRoute, number> = { worked: 0, fallback: 0, heuristic: 0 };
  let maj1 = 0;
  let majK = 0;
  for (const pair of pairs) {
    const order = rng.chance(0.5) ? "AB" : "BA";
    const view = judgeView(pair, order);
    const labelShown: Slot = order === "AB" ? (pair.label as Slot) : pair.label === "A" ? "B" : "A";
    const counts = { A: 0, B: 0, error: 0 };
    for (let i = 0; i < k; i++) {
      const r = writeRationale(view, rng, reasoner);
      routes[r.route]++;
      counts[r.verdict]++;
      if (i === 0) maj1 += scorePair(r.verdict, labelShown);
    }
    majK += scorePair(voteFromCounts(counts, { tiePolicy: "half" }).verdict, labelShown);
  }
  const n = Math.max(pairs.length, 1);
  const samples = Math.max(pairs.length * k, 1);
  return {
    maj1: maj1 / n,
    majK: majK / n,
    k,
    routes: {
      worked: routes.worked / samples,
      fallback: routes.fallback / samples,
      heuristic: routes.heuristic / samples,
    },
  };
}
