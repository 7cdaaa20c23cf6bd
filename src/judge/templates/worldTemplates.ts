/**
 * The mini world's judge prompts. They keep the paper's structure (paper-spec §2: a judge
 * instruction that says length and order must not matter, the question, two answers, a verdict as
 * "[[A]]"/"[[B]]"; a verdict-only variant with a forced "[["; a rationalizer variant with the gold
 * winner as a hint) in a few dozen bytes instead of a thousand, so that a whole prompt, rationale
 * and verdict fit in ~150–250 tokens of a byte-level tokenizer. Changing a text means a new
 * `@version`: results and caches are keyed by the template hash. They live with the other
 * built-in templates so that a bare id resolves everywhere (`loadTemplate`).
 */
import type { JudgeTemplate } from "../types.js";

/** The three judge prompts of the mini world (src/world/). */
export interface WorldTemplates {
  /** Rationale then verdict: zero-shot CoT judge, CoT-GenRM, STaR-SFT/DPO. */
  cot: JudgeTemplate;
  /** Verdict only, forced "[[" prefix: zero-shot verdict probability, GenRM. */
  direct: JudgeTemplate;
  /** CoT with a `{winner}`/`{loser}` hint: STaR-Rationalizer. */
  rationalizer: JudgeTemplate;
}

const userText = "Q: {question}\nA: {answer_a}\nB: {answer_b}";
const cotSystem =
  "Which answer is right? Work it out step by step. Length and order do not matter. End with [[A]] or [[B]].";

export const worldCotTemplate: JudgeTemplate = {
  id: "world-cot@1",
  protocol: "cot",
  system: cotSystem,
  user: userText,
};

export const worldDirectTemplate: JudgeTemplate = {
  id: "world-direct@1",
  protocol: "direct",
  system: "Which answer is right? Length and order do not matter. Reply with [[A]] or [[B]] only.",
  user: userText,
  assistantPrefix: "[[",
};

export const worldRationalizerTemplate: JudgeTemplate = {
  id: "world-rationalizer@1",
  protocol: "rationalizer",
  system: cotSystem,
  user: userText,
  hint: "Explain why {winner} is better than {loser}.",
};

export const worldTemplates: WorldTemplates = {
  cot: worldCotTemplate,
  direct: worldDirectTemplate,
  rationalizer: worldRationalizerTemplate,
};
