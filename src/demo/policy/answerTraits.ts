/**
 * What a policy answer to a world question is, read the way the world reads answers: right when the
 * number it states (its last integer, `statedValue`) is the question's true result; verbose when it
 * is at least 40 UTF-8 bytes long. The world writes terse answers in ≤ 13 bytes and verbose ones in
 * ≥ 40 (`renderResponse`), so on its own answers the classifier is exact; a model-written answer of
 * 14–39 bytes (a terse phrase run on, a verbose one cut short) counts as not verbose.
 */
import { InputError } from "../../errors.js";
import { statedValue } from "../../world/renderResponse.js";
import { parseQuestion } from "../../world/sampleProblem.js";

export const verboseMinBytes = 40;

export interface AnswerTraits {
  right: boolean;
  verbose: boolean;
}

/** The true result of a world question ("What is 3+4-2?"), or an InputError naming it. */
export function questionValue(question: string): number {
  const parsed = parseQuestion(question);
  if (parsed === null) {
    throw new InputError("not a mini-world question", {
      field: "question",
      expected: 'a world question, e.g. "What is 3+4-2?"',
      got: question,
    });
  }
  return parsed.problem.value;
}

export function answerTraits(value: number, answer: string): AnswerTraits {
  return {
    right: statedValue(answer) === value,
    verbose: Buffer.byteLength(answer, "utf8") >= verboseMinBytes,
  };
}
