/**
 * Checks a rationale's reasoning against the question it judges: each "x+y=z." step is checked for
 * arithmetic and for being the step the question asks for next; the "A says n. B says m." quotes
 * against the shown answers; the verdict against the worked result (consistency) and against the
 * hidden rule (correctness). Works on any text, so it scores model samples as well as the
 * simulated reasoner's (STaR diagnostics: are the kept rationales right for the right reasons?).
 */
import { parseVerdict } from "../judge/parseVerdict.js";
import type { Slot } from "../types.js";
import type { JudgeView, RationaleScore, StepScore } from "./types.js";

// Results may be negative: a reasoner that slipped can run below zero on a "mixed" problem.
const stepPattern = /(-?\d+)\s*([+-])\s*(\d+)\s*=\s*(-?\d+)/g;

export function scoreRationale(text: string, view: JudgeView): RationaleScore {
  const { terms, ops, value } = view.problem;
  const expectedSteps = terms.length - 1;
  const steps: StepScore[] = [];
  for (const match of text.matchAll(stepPattern)) {
    const left = Number(match[1]);
    const op = match[2] as "+" | "-";
    const right = Number(match[3]);
    const claimed = Number(match[4]);
    const i = steps.length;
    const expectedLeft = i === 0 ? terms[0] : steps[i - 1]!.claimed;
    steps.push({
      text: match[0],
      left,
      op,
      right,
      claimed,
      correct: (op === "+" ? left + right : left - right) === claimed,
      onPath: i < expectedSteps && left === expectedLeft && op === ops[i] && right === terms[i + 1],
    });
  }
  const complete = steps.length === expectedSteps && steps.every((s) => s.onPath);
  const arithmeticCorrect = complete && steps.every((s) => s.correct);
  const finalValue = steps.length > 0 ? steps[steps.length - 1]!.claimed : null;

  const quoteA = lastNumberAfter(text, /\bA says (\d+)/g);
  const quoteB = lastNumberAfter(text, /\bB says (\d+)/g);
  const quotesCorrect =
    quoteA === null && quoteB === null
      ? null
      : quoteA === view.shown.A.value && quoteB === view.shown.B.value;

  const parsed = parseVerdict(text);
  const verdict: Slot | null = parsed.verdict === "error" ? null : parsed.verdict;
  const impliedVerdict = soleMatch(view, finalValue);
  const ruleVerdict = soleMatch(view, value);
  const verdictCorrect = verdict !== null && verdict === ruleVerdict;
  const route =
    steps.length === 0
      ? verdict === null
        ? "none"
        : "heuristic"
      : impliedVerdict === null
        ? "fallback"
        : "worked";
  return {
    steps,
    expectedSteps,
    complete,
    arithmeticCorrect,
    stepAccuracy: steps.length > 0 ? steps.filter((s) => s.correct).length / steps.length : null,
    finalValue,
    quotesCorrect,
    route,
    verdict,
    impliedVerdict,
    consistent: impliedVerdict === null ? null : verdict === impliedVerdict,
    ruleVerdict,
    verdictCorrect,
    sound: arithmeticCorrect && quotesCorrect === true && verdictCorrect,
  };
}

/** The display slot whose stated answer equals `target`, when exactly one does. */
function soleMatch(view: JudgeView, target: number | null): Slot | null {
  if (target === null) return null;
  const a = view.shown.A.value === target;
  const b = view.shown.B.value === target;
  return a === b ? null : a ? "A" : "B";
}

function lastNumberAfter(text: string, pattern: RegExp): number | null {
  let last: number | null = null;
  for (const match of text.matchAll(pattern)) last = Number(match[1]);
  return last;
}
