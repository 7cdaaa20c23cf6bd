/**
 * Draws an arithmetic problem and names it. A problem is one-digit terms (by default) joined by
 * + (and − in "mixed" mode), evaluated left to right with every running total ≥ 0, so each step is
 * one of a few hundred facts ("17+5=22") that a tiny model can learn from text.
 */
import type { WorldRng } from "./createWorldRng.js";
import { questionPartition } from "./questionPartition.js";
import type { OpsMode, Problem, QuestionPartition } from "./types.js";

export interface SampleProblemSpec {
  terms: [number, number];
  ops: OpsMode;
  maxTerm: number;
  /** Draw only questions of this partition. */
  partition: QuestionPartition;
  evalQuestionShare: number;
}

export function sampleProblem(rng: WorldRng, spec: SampleProblemSpec): Problem {
  for (;;) {
    const problem = drawProblem(rng, spec);
    if (questionPartition(expressionOf(problem), spec.evalQuestionShare) === spec.partition) return problem;
  }
}

function drawProblem(rng: WorldRng, spec: SampleProblemSpec): Problem {
  const count = rng.int(spec.terms[0], spec.terms[1]);
  for (;;) {
    const terms = [rng.int(1, spec.maxTerm)];
    const ops: ("+" | "-")[] = [];
    let value = terms[0]!;
    for (let i = 1; i < count; i++) {
      const term = rng.int(1, spec.maxTerm);
      const op = spec.ops === "mixed" && value - term >= 0 && rng.chance(0.5) ? "-" : "+";
      terms.push(term);
      ops.push(op);
      value = op === "+" ? value + term : value - term;
    }
    // A "mixed" problem without a minus would just be a sum, not the sub-task it stands for.
    if (spec.ops === "add" || ops.includes("-")) return { terms, ops, value };
  }
}

/** "3+4-2". */
export function expressionOf(problem: Pick<Problem, "terms" | "ops">): string {
  let text = `${problem.terms[0]}`;
  for (let i = 1; i < problem.terms.length; i++) text += `${problem.ops[i - 1]}${problem.terms[i]}`;
  return text;
}

/** The user's question for a problem: "What is 3+4-2?". */
export function questionOf(problem: Pick<Problem, "terms" | "ops">): string {
  return `What is ${expressionOf(problem)}?`;
}

const questionPattern = /^What is (\d+(?:[+-]\d+)+)\?$/;

/** The problem a world question asks; null when the text is not one. */
export function parseQuestion(question: string): { problem: Problem; expression: string } | null {
  const match = questionPattern.exec(question.trim());
  if (!match) return null;
  const expression = match[1]!;
  const terms = expression.split(/[+-]/).map(Number);
  const ops = [...expression.matchAll(/[+-]/g)].map((m) => m[0] as "+" | "-");
  let value = terms[0]!;
  for (let i = 1; i < terms.length; i++) value = ops[i - 1] === "+" ? value + terms[i]! : value - terms[i]!;
  return { problem: { terms, ops, value }, expression };
}
