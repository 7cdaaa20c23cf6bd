/**
 * The numbers of the policy stage from its stored answers and selections: per selector, question set
 * and N, the share of picks that are right and that are verbose, with bootstrap 95% intervals over
 * questions (`bootstrapCI`), and the per-question bits the paired tests read. A pure function of the
 * files, so a test recomputes it from them.
 */
import { bootstrapCI } from "../../eval/bootstrapCI.js";
import { answerTraits } from "./answerTraits.js";
import type {
  PolicyAnswerSet,
  PolicyAnswers,
  PolicyCurvePoint,
  PolicySelection,
  PolicyShare,
} from "./types.js";

function share(bits: readonly number[]): PolicyShare {
  const ci = bootstrapCI(bits);
  if (ci === null) return { share: Number.NaN, ci: [Number.NaN, Number.NaN] };
  return { share: ci.estimate, ci: [ci.lower, ci.upper] };
}

/** One selector's curve on one question set; selections are matched to answers by question. */
export function policyCurve(
  answers: readonly PolicyAnswers[],
  selections: readonly PolicySelection[],
  ns: readonly number[],
): PolicyCurvePoint[] {
  const byQuestion = new Map(selections.map((s) => [s.question, s]));
  const traits = answers.map((item) => {
    const selection = byQuestion.get(item.question);
    if (!selection)
      throw new Error(`no selection for question ${JSON.stringify(item.question)} (${item.set})`);
    if (selection.picks.length !== ns.length) {
      throw new Error(
        `selection of ${JSON.stringify(item.question)} has ${selection.picks.length} picks, expected ${ns.length}`,
      );
    }
    return selection.picks.map((pick) => answerTraits(item.value, item.answers[pick]!));
  });
  return ns.map((n, k) => {
    const right = traits.map((t) => (t[k]!.right ? 1 : 0));
    const verbose = traits.map((t) => (t[k]!.verbose ? 1 : 0));
    return {
      n,
      right: share(right),
      verbose: share(verbose),
      rightBits: right.join(""),
      verboseBits: verbose.join(""),
    };
  });
}

/** The policy's own rates over every answer it sampled. */
export function policyBaseRates(answers: readonly PolicyAnswers[]): {
  answers: number;
  right: number;
  verbose: number;
} {
  let total = 0;
  let right = 0;
  let verbose = 0;
  for (const item of answers) {
    for (const a of item.answers) {
      const t = answerTraits(item.value, a);
      total++;
      right += t.right ? 1 : 0;
      verbose += t.verbose ? 1 : 0;
    }
  }
  return {
    answers: total,
    right: total ? right / total : Number.NaN,
    verbose: total ? verbose / total : Number.NaN,
  };
}

export function bySet<T extends { set: PolicyAnswerSet }>(rows: readonly T[], set: PolicyAnswerSet): T[] {
  return rows.filter((r) => r.set === set);
}
