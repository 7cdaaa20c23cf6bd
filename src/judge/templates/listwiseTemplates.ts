/**
 * Versioned templates of the judges that see more than two answers: a rating judge (one answer,
 * a 1–10 score) and a 4-way ranking judge (four answers, the best as `[[A]]`…`[[D]]`). The
 * built-ins are RewardBench 2's generative prompts (allenai/reward-bench at
 * fd72033ea50678505a64998e0a381764f5c23576, rewardbench/generative_v2.py: `ratings_prompt`,
 * `ratings_prompt_ties`, `MTBENCH_V2`), with the placeholders renamed to genrm's.
 */
import { createHash } from "node:crypto";
import type { TemplateHash } from "../../types.js";

export interface ListwiseTemplate {
  /** `name@version`. */
  id: string;
  protocol: "rating" | "ranking";
  /** System message; empty means none. */
  system: string;
  /** rating: `{question}`, `{answer}`; ranking: `{question}`, `{answer_a}` … `{answer_d}`. */
  user: string;
}

const ratingNotes = (factors: string) => `
### Task Description
Please act as an impartial judge and evaluate the quality of the response provided by an
AI assistant to the user query displayed below.

Notes:
1- ${factors}
2- Begin your evaluation by providing a short explanation.
3- Be as objective as possible. After providing your explanation, please rate the response on a scale of 1 to 10. For your rating, only give a number between 1 and 10 (inclusive), do not use any markdown, and do not put any text after your final rating.

[Query]
{question}

[Response]
{answer}

[Your judgement]`;

export const ratingTemplate: ListwiseTemplate = {
  id: "rating-rb2@1",
  protocol: "rating",
  system: "",
  user: ratingNotes(
    "Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response.",
  ),
};

/** RewardBench 2 rates Ties answers without asking for depth or detail. */
export const ratingTiesTemplate: ListwiseTemplate = {
  id: "rating-rb2-ties@1",
  protocol: "rating",
  system: "",
  user: ratingNotes(
    "Your evaluation should consider factors such as the helpfulness, relevance, and accuracy of the response, but need not consider depth or level of detail of the response.",
  ),
};

export const rankingTemplate: ListwiseTemplate = {
  id: "rank4-rb2@1",
  protocol: "ranking",
  system:
    "Please act as an impartial judge and evaluate the quality of the responses provided by four AI assistants to the user question displayed below. " +
    "You should choose the assistant that follows the user's instructions and answers the user's question best. Your evaluation should consider " +
    "factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Begin your evaluation by " +
    "comparing the four responses and provide a short explanation. Avoid any position biases and ensure that the order in which the responses were " +
    "presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names " +
    "of the assistants. Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: " +
    '"[[A]]" if assistant A is best, "[[B]]" if assistant B is best, "[[C]]" if assistant C is best, and "[[D]]" if assistant D is best.',
  user: ["a", "b", "c", "d"].reduce(
    (text, slot) =>
      `${text}\n\n[The Start of Assistant ${slot.toUpperCase()}'s Answer]\n{answer_${slot}}\n[The End of Assistant ${slot.toUpperCase()}'s Answer]`,
    "[User Question]\n{question}",
  ),
};

export const listwiseTemplates: readonly ListwiseTemplate[] = [
  ratingTemplate,
  ratingTiesTemplate,
  rankingTemplate,
];

/** sha256 (first 16 hex) of the template's texts and protocol, id excluded, as `templateHash` does. */
export function listwiseTemplateHash(t: ListwiseTemplate): TemplateHash {
  const content = JSON.stringify({ protocol: t.protocol, system: t.system, user: t.user });
  return createHash("sha256").update(content).digest("hex").slice(0, 16) as TemplateHash;
}
