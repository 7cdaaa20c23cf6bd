/**
 * Works a problem out step by step, left to right, with a reasoner's errors: a fact it holds a
 * misconception about is (usually) given its believed result, any other step is slipped with
 * probability `stepErrorRate`. A wrong result is carried into the next step, as it is when a person
 * (or a sampled model) continues from its own mistake.
 */
import { applySlip } from "./applySlip.js";
import type { WorldRng } from "./createWorldRng.js";
import { misconceptionOf } from "./misconceptionOf.js";
import type { Problem, SlipWeights, StepFormat } from "./types.js";

export interface WorkedSteps {
  /** Claimed result of each step. */
  claimed: number[];
  /** Whether each step's result is wrong. */
  slipped: boolean[];
}

/** The error model of a reasoner: random slips plus fixed misconceptions (see `misconceptionOf`). */
export interface StepErrorModel {
  /** P(a step's result is slipped at random). */
  stepErrorRate: number;
  /** Share of facts the reasoner holds a wrong belief about. */
  misconceptionShare: number;
  /** P(it uses its wrong belief, when the fact is one). */
  misconceptionRate: number;
  slip: SlipWeights;
}

export function workProblem(
  problem: Pick<Problem, "terms" | "ops">,
  rng: WorldRng,
  errors: StepErrorModel,
): WorkedSteps {
  const { terms, ops } = problem;
  const { stepErrorRate, misconceptionShare, misconceptionRate, slip } = errors;
  const claimed: number[] = [];
  const slipped: boolean[] = [];
  let running = terms[0]!;
  for (let i = 1; i < terms.length; i++) {
    const op = ops[i - 1]!;
    const exact = op === "+" ? running + terms[i]! : running - terms[i]!;
    const believed = misconceptionOf(running, op, terms[i]!, misconceptionShare, slip);
    if (believed !== null && rng.chance(misconceptionRate)) running = believed;
    else if (stepErrorRate > 0 && rng.chance(stepErrorRate)) running = applySlip(exact, rng, slip);
    else running = exact;
    claimed.push(running);
    slipped.push(running !== exact);
  }
  return { claimed, slipped };
}

/** "3+4=7. 7+2=9." ("compact") or "3 + 4 = 7. 7 + 2 = 9." ("spaced"). */
export function formatSteps(
  problem: Pick<Problem, "terms" | "ops">,
  claimed: readonly number[],
  format: StepFormat = "compact",
): string {
  const sep = format === "spaced" ? " " : "";
  return claimed
    .map(
      (c, i) =>
        `${i === 0 ? problem.terms[0] : claimed[i - 1]}${sep}${problem.ops[i]}${sep}${problem.terms[i + 1]}${sep}=${sep}${c}.`,
    )
    .join(" ");
}
