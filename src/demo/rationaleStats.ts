/**
 * What a CoT judge's rationales do on mini-world pairs (`scoreRationale` routes): whether they
 * work the sum out to a result one answer states, to a result neither states (where the verdict
 * cannot follow from the work; the taught move is a cue, "Neither is right; B is more detailed"),
 * or skip the work for a cue ("B is more detailed"), how many are right for the right reason, and
 * how often the verdict names the answer the worked result matches. Accuracy alone cannot tell a
 * judge that reasons from one that learned the length cue; these shares can (docs/mini-world.md).
 */
import type { PreferencePair } from "../data/types.js";
import type { Judgment } from "../judge/types.js";
import { judgeView } from "../world/judgeView.js";
import { scoreRationale } from "../world/scoreRationale.js";
import type { DemoRationaleStats } from "./types.js";

export function rationaleStats(
  judgments: readonly Judgment[],
  pairs: readonly PreferencePair[],
): DemoRationaleStats {
  const byId = new Map(pairs.map((p) => [p.id, p]));
  let samples = 0;
  let worked = 0;
  let fallback = 0;
  let heuristic = 0;
  let sound = 0;
  let matchesOne = 0;
  let follows = 0;
  for (const j of judgments) {
    const pair = byId.get(j.pairId);
    if (pair === undefined) continue;
    for (const s of j.samples) {
      const score = scoreRationale(s.text, judgeView(pair, s.order));
      samples++;
      if (score.route === "worked") worked++;
      else if (score.route === "fallback") fallback++;
      else if (score.route === "heuristic") heuristic++;
      if (score.sound) sound++;
      if (score.impliedVerdict !== null) {
        matchesOne++;
        if (score.consistent) follows++;
      }
    }
  }
  const share = (n: number) => (samples === 0 ? 0 : n / samples);
  return {
    samples,
    worked: share(worked),
    fallback: share(fallback),
    heuristic: share(heuristic),
    sound: share(sound),
    followsWork: matchesOne === 0 ? null : follows / matchesOne,
  };
}
