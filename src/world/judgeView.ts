/**
 * What a judge sees of a world pair in one display order: the parsed question and the two shown
 * answers. Built from the text alone (not `meta`), so the rationale writer and checker work on
 * anything rendered from a world pair, including pairs read back from JSONL.
 */
import type { PreferencePair } from "../data/types.js";
import { InputError } from "../errors.js";
import type { Order } from "../judge/types.js";
import { statedValue } from "./renderResponse.js";
import { parseQuestion } from "./sampleProblem.js";
import type { JudgeView } from "./types.js";

export function judgeView(pair: PreferencePair, order: Order = "AB"): JudgeView {
  const question = pair.prompt.findLast((m) => m.role === "user")?.content ?? "";
  const parsed = parseQuestion(question);
  if (!parsed) {
    throw new InputError(`pair ${pair.id} does not ask a mini-world question`, {
      field: "prompt",
      expected: '"What is 3+4-2?"',
      got: question,
    });
  }
  const [a, b] = order === "AB" ? [pair.responseA, pair.responseB] : [pair.responseB, pair.responseA];
  return {
    problem: parsed.problem,
    expression: parsed.expression,
    shown: { A: { text: a, value: statedValue(a) }, B: { text: b, value: statedValue(b) } },
  };
}
