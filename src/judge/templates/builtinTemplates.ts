/**
 * The judge prompts genrm ships. The texts are data and must stay byte-exact: the CoT prompt is
 * MT-Bench `pair-v2` with the tie option removed, worded as RewardBench's `prompt_v2` /
 * `prompt_multi_v2` (paper-spec §2.1); the direct prompt is RewardBench's verdict-only Gemini
 * wording (§2.2); the rationalizer adds the gold-winner hint of App. A.1 Fig. 7 (§2.3). Changing a
 * text means a new `@version`, since results and the sample cache are keyed by the content hash.
 */
import type { JudgeTemplate } from "../types.js";

const judgeOpening =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. ";

// RewardBench's multi-turn prompt judges the second user question only (its items have 2 turns).
const judgeOpeningMultiTurn =
  "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user questions. " +
  "You should focus on who provides a better answer to the second user question. ";

const criteria =
  "You should choose the assistant that follows the user's instructions and answers the user's question better. " +
  "Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. ";

const fairness =
  "Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. " +
  "Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. " +
  "Be as objective as possible. ";

const cotBody =
  criteria +
  "Begin your evaluation by comparing the two responses and provide a short explanation. " +
  fairness +
  "After providing your explanation, output your final verdict by strictly following this format: " +
  '"[[A]]" if assistant A is better, "[[B]]" if assistant B is better.';

const directBody =
  criteria +
  fairness +
  "Your output should only consist of '[[A]]' if assistant A is better, or '[[B]]' if assistant B is better. Omit any other output.";

/** FastChat `pair-v2` / RewardBench `MTBENCH_V2` user template. */
const pairUser =
  "[User Question]\n{question}\n\n" +
  "[The Start of Assistant A's Answer]\n{answer_a}\n[The End of Assistant A's Answer]\n\n" +
  "[The Start of Assistant B's Answer]\n{answer_b}\n[The End of Assistant B's Answer]";

/**
 * RewardBench `MTBENCH_MULTI_V2` layout. `{conversation_a}` renders every turn as
 * "### User:\n…\n\n### Assistant A:\n…", so a 2-turn pair gives RewardBench's text exactly.
 */
const pairUserMultiTurn =
  "<|The Start of Assistant A's Conversation with User|>\n\n{conversation_a}\n\n<|The End of Assistant A's Conversation with User|>\n\n\n" +
  "<|The Start of Assistant B's Conversation with User|>\n\n{conversation_b}\n\n<|The End of Assistant B's Conversation with User|>";

export const cotPairV2: JudgeTemplate = {
  id: "cot-pair-v2@1",
  protocol: "cot",
  system: judgeOpening + cotBody,
  systemMultiTurn: judgeOpeningMultiTurn + cotBody,
  user: pairUser,
  userMultiTurn: pairUserMultiTurn,
};

export const directPairV2: JudgeTemplate = {
  id: "direct-pair-v2@1",
  protocol: "direct",
  system: judgeOpening + directBody,
  systemMultiTurn: judgeOpeningMultiTurn + directBody,
  user: pairUser,
  userMultiTurn: pairUserMultiTurn,
  assistantPrefix: "[[",
};

export const rationalizerPairV2: JudgeTemplate = {
  id: "rationalizer-pair-v2@1",
  protocol: "rationalizer",
  system: judgeOpening + cotBody,
  systemMultiTurn: judgeOpeningMultiTurn + cotBody,
  user: pairUser,
  userMultiTurn: pairUserMultiTurn,
  // The confirmed instruction of Fig. 7 plus the verdict requirement (paper-spec §2.3, [I]).
  hint:
    "Explain why Assistant {winner}'s response is better than Assistant {loser}'s response. " +
    'After providing your explanation, output your final verdict as "[[{winner}]]".',
};

export const builtinTemplates: readonly JudgeTemplate[] = [cotPairV2, directPairV2, rationalizerPairV2];

/** The built-in template each protocol uses when none is given. */
export const defaultTemplates = {
  cot: cotPairV2,
  direct: directPairV2,
  rationalizer: rationalizerPairV2,
} as const satisfies Record<JudgeTemplate["protocol"], JudgeTemplate>;
