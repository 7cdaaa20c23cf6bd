/**
 * A simulated judge's rationale for a world pair in display slots: the steps of the sum ("3+4=7.
 * 7+2=9."), the two stated answers ("A says 9. B says 8."), and a conclusion with the verdict
 * ("A is right. [[A]]"). With `stepErrorRate` 0 and no heuristics it is a perfect reasoner; the
 * pretraining corpus uses an imperfect one, whose slips propagate down the chain, whose verdict
 * follows its own (possibly wrong) result, and who falls back on a heuristic (length, position)
 * when its result matches neither answer or when it skips the work.
 *
 * With a `hint` (rationalizer) the work is done the same way, but a final result that misses the
 * hinted answer is overwritten with it, so the conclusion always names the hint: a rationalised
 * chain, plausible on the surface, with a wrong step `scoreRationale` can find.
 */
import { longerResponse } from "../judge/responseLength.js";
import type { Slot } from "../types.js";
import type { WorldRng } from "./createWorldRng.js";
import { defaultSlipWeights } from "./resolveWorldConfig.js";
import type { Heuristic, JudgeView, ReasonerConfig, StepFormat, WrittenRationale } from "./types.js";
import { formatSteps, workProblem } from "./workProblem.js";

/** Never slips, never skips the work (a matching answer always exists in a world pair). */
export const perfectReasoner = {
  stepErrorRate: 0,
  misconceptionShare: 0,
  misconceptionRate: 0,
  heuristicRate: 0,
  heuristic: { longer: 1 },
  fallback: { longer: 1 },
  slip: defaultSlipWeights,
} as const satisfies ReasonerConfig;

export interface WriteRationaleOptions {
  /** Rationalizer: the display slot to conclude for. Defaults to none. */
  hint?: Slot;
  /** How the worked steps are written. Defaults to "compact" (`3+4=7.`). */
  stepFormat?: StepFormat;
}

export const heuristicPhrases: Readonly<Record<Heuristic, string>> = {
  longer: "{X} is more detailed.",
  first: "{X} comes first.",
  closer: "{X} is closer.",
  random: "{X} seems better.",
};

export function writeRationale(
  view: JudgeView,
  rng: WorldRng,
  reasoner: ReasonerConfig,
  options: WriteRationaleOptions = {},
): WrittenRationale {
  const { hint, stepFormat = "compact" } = options;
  if (hint === undefined && reasoner.heuristicRate > 0 && rng.chance(reasoner.heuristicRate)) {
    const heuristic = rng.weighted<Heuristic>(reasoner.heuristic);
    const slot = applyHeuristic(heuristic, view, null, rng);
    return {
      text: `${phrase(heuristic, slot)} [[${slot}]]`,
      verdict: slot,
      route: "heuristic",
      stepErrors: 0,
      steps: 0,
    };
  }

  const { claimed, slipped } = workProblem(view.problem, rng, reasoner);
  const last = claimed.length - 1;
  const hinted = hint === undefined ? null : view.shown[hint].value;
  if (hinted !== null && claimed[last] !== hinted) {
    claimed[last] = hinted;
    slipped[last] = true;
  }
  const final = claimed[last]!;

  const a = view.shown.A.value;
  const b = view.shown.B.value;
  const quotes = `A says ${a ?? "nothing"}. B says ${b ?? "nothing"}.`;
  const matchA = a === final;
  const matchB = b === final;
  let verdict: Slot;
  let conclusion: string;
  let route: WrittenRationale["route"] = "worked";
  if (matchA !== matchB) {
    verdict = matchA ? "A" : "B";
    conclusion = `${verdict} is right.`;
  } else {
    route = "fallback";
    const heuristic = rng.weighted<Heuristic>(reasoner.fallback);
    verdict = applyHeuristic(heuristic, view, final, rng);
    conclusion = `${matchA ? "Both are" : "Neither is"} right; ${phrase(heuristic, verdict)}`;
  }
  return {
    text: `${formatSteps(view.problem, claimed, stepFormat)} ${quotes} ${conclusion} [[${verdict}]]`,
    verdict,
    route,
    stepErrors: slipped.filter(Boolean).length,
    steps: claimed.length,
  };
}

/** The slot a heuristic picks; ties (equal lengths, equal distances) are a coin flip. */
export function applyHeuristic(
  heuristic: Heuristic,
  view: JudgeView,
  result: number | null,
  rng: WorldRng,
): Slot {
  const coin = (): Slot => (rng.chance(0.5) ? "A" : "B");
  switch (heuristic) {
    case "longer": {
      const longer = longerResponse(view.shown.A.text, view.shown.B.text);
      return longer === "tie" ? coin() : longer;
    }
    case "first":
      return "A";
    case "closer": {
      const a = view.shown.A.value;
      const b = view.shown.B.value;
      if (result === null || a === null || b === null) return coin();
      const da = Math.abs(a - result);
      const db = Math.abs(b - result);
      return da === db ? coin() : da < db ? "A" : "B";
    }
    case "random":
      return coin();
  }
}

function phrase(heuristic: Heuristic, slot: Slot): string {
  return heuristicPhrases[heuristic].replace("{X}", slot);
}
