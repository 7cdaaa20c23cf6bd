/**
 * Parsers of the listwise judges, as RewardBench 2 parses (allenai/reward-bench at
 * fd72033ea50678505a64998e0a381764f5c23576, rewardbench/generative_v2.py): a rating is the integer
 * 1–10 that ends the text (`get_single_rating`), anything else is unparseable; a ranking is the
 * first of `[[A]]`, `[[B]]`, `[[C]]`, `[[D]]` found, checked in that order of letters, not of
 * position in the text (`process_judgement`).
 */

export const rankingSlots = ["A", "B", "C", "D"] as const;
export type RankingSlot = (typeof rankingSlots)[number];

/** The trailing rating, or null. */
export function parseRating(text: string): number | null {
  const match = /\b([1-9]|10)\b\s*$/.exec(text.trim());
  return match ? Number(match[1]) : null;
}

/** The slot named best, or null. */
export function parseRanking(text: string): RankingSlot | null {
  return rankingSlots.find((slot) => text.includes(`[[${slot}]]`)) ?? null;
}
