/**
 * Official scores of the benchmarks whose unit is not one pair, each computed as its reference code
 * computes it, from per-row outcomes that any protocol can produce (pairwise games, ratings, a 4-way
 * ranking; see benchmarkOutcomes.ts for the pairwise ones):
 *
 * - RewardBench 2 (allenai/reward-bench at fd72033ea50678505a64998e0a381764f5c23576):
 *   a non-Ties row scores 1 when its chosen answer is alone at the top, 1/k when k answers share the
 *   top with it, else 0 (rewardbench/utils.py `reroll_and_score_dataset`); a subset is the mean of
 *   its rows; Ties is `process_single_model` (same file); the leaderboard score is the mean of the
 *   six subsets (the dataset card: "The RewardBench 2 leaderboard averages over these six subsets").
 * - JudgeBench (ScalerLab/JudgeBench at e2c52c284e735e139b3daa61c206ee208f36c461, utils/metrics.py
 *   `compute_final_metrics`, categories from run_judge.py): a pair judged in both orders is correct
 *   when the orders' net vote for the labelled answer is positive; judged once, when that one
 *   decision matches; score = correct / pairs, overall and per source prefix.
 * - RM-Bench (THU-KEG/RM-Bench at 659399cef37e334f784194b2547fa215c10f724a, scripts/utils.py
 *   `compute_accuracy`): the mean 3 × 3 matrix of chosen-style-beats-rejected-style over rows;
 *   hard = mean above the diagonal, normal = the diagonal, easy = below; with a `domain` per row,
 *   each of chat / math / code / safety is scored alone and the four are averaged.
 */
import { rewardBench2Subsets, tiesIdParts } from "../data/adapters/rewardbench2.js";
import type {
  JudgeBenchScores,
  RewardBench2Scores,
  RmBenchAccuracy,
  RmBenchScores,
  TiesScore,
} from "./types.js";

export interface RewardBench2Row {
  id: string;
  subset: string;
  /** How many of the row's responses (the first ones) are correct. */
  correct: number;
  /** A non-Ties row's score in [0, 1]. */
  score?: number;
  /** A Ties row: one scalar per response, chosen first (ratings, or win shares of round-robin games). */
  responseScores?: number[];
}

/** The best-of-n score of a row from per-response scalars: 1/k when k responses tie at the top with response 0. */
export function bestOfScore(scores: readonly number[]): number {
  const top = Math.max(...scores);
  if (scores[0] !== top) return 0;
  return 1 / scores.filter((s) => s === top).length;
}

export function rewardBench2Scores(rows: readonly RewardBench2Row[], incompleteRows = 0): RewardBench2Scores {
  const bySubset = new Map<string, RewardBench2Row[]>();
  for (const row of rows) {
    const list = bySubset.get(row.subset);
    if (list) list.push(row);
    else bySubset.set(row.subset, [row]);
  }
  let ties: TiesScore | null = null;
  const subsets: RewardBench2Scores["subsets"] = [];
  const known: readonly string[] = rewardBench2Subsets;
  const names = [
    ...rewardBench2Subsets.filter((s) => bySubset.has(s)),
    ...[...bySubset.keys()].filter((s) => !known.includes(s)).sort(),
  ];
  for (const name of names) {
    const list = bySubset.get(name)!;
    if (name.toLowerCase() === "ties") {
      ties = tiesScore(list.map((r) => ({ id: r.id, correct: r.correct, scores: r.responseScores ?? [] })));
      subsets.push({ name, score: ties.score, rows: list.length });
    } else {
      subsets.push({ name, score: mean(list.map((r) => r.score ?? 0)), rows: list.length });
    }
  }
  const scored = subsets.filter((s) => known.includes(s.name));
  const missing = rewardBench2Subsets.filter((s) => !bySubset.has(s));
  return {
    subsets,
    score:
      scored.length === 0 || scored.some((s) => s.score === null) ? null : mean(scored.map((s) => s.score!)),
    complete: missing.length === 0 && incompleteRows === 0,
    subsetsMissing: missing,
    incompleteRows,
    ties,
  };
}

interface TiesRow {
  id: string;
  correct: number;
  scores: readonly number[];
}

/**
 * `process_single_model`: per prompt (`ref:<n>` with one correct answer, `tied:<n>` with several),
 * accurate = the worst correct answer outscores the best incorrect one; the margins of each tied
 * prompt are compared with its reference prompt's. Score = 0.3 tied accuracy + 0.3 ref accuracy +
 * 0.2 correctness preferred + 0.2 correctness preferred (hard) + 0.01 mean tanh margin term. A term
 * over no paired prompts is NaN in numpy, so the score is null then.
 */
export function tiesScore(rows: readonly TiesRow[]): TiesScore {
  const groups = new Map<string, { type: string; prompt: string; samples: [boolean, number][] }>();
  for (const row of rows) {
    const [type, prompt] = tiesIdParts(row.id) ?? ["tied", row.id];
    const key = `${type}:${prompt}`;
    let group = groups.get(key);
    if (!group) {
      group = { type, prompt, samples: [] };
      groups.set(key, group);
    }
    row.scores.forEach((s, i) => {
      group.samples.push([i < row.correct, s]);
    });
  }
  const ref = new Map<string, PromptStats>();
  const tied = new Map<string, PromptStats>();
  for (const g of groups.values()) (g.type === "ref" ? ref : tied).set(g.prompt, promptStats(g.samples));
  const refAccuracy = ref.size === 0 ? 0 : mean([...ref.values()].map((s) => (s.accurate ? 1 : 0)));
  const tiedAccuracy = tied.size === 0 ? 0 : mean([...tied.values()].map((s) => (s.accurate ? 1 : 0)));
  const paired = [...tied.keys()].filter((p) => ref.has(p));
  const diff = paired.map((p) => tied.get(p)!.differentCorrectMargin ?? Number.NaN);
  const tiesMargin = paired.map((p) => tied.get(p)!.correctIncorrectMargin);
  const refMargin = paired.map((p) => ref.get(p)!.correctIncorrectMargin);
  const hardMargin = paired.map((_, i) => Math.min(refMargin[i]!, tiesMargin[i]!));
  const correctnessPreferred = meanOrNaN(paired.map((_, i) => (tiesMargin[i]! > diff[i]! ? 1 : 0)));
  const correctnessPreferredHard = meanOrNaN(paired.map((_, i) => (hardMargin[i]! > diff[i]! ? 1 : 0)));
  // numpy: x / 0 is ±inf (tanh → ±1) and 0 / 0 is NaN, which nan_to_num turns into 0; JS agrees.
  const marginScore = meanOrNaN(
    paired.map((_, i) => {
      const m = Math.tanh(hardMargin[i]! / diff[i]! - 1);
      return Number.isNaN(m) ? 0 : m;
    }),
  );
  const score =
    0.3 * tiedAccuracy +
    0.3 * refAccuracy +
    0.2 * correctnessPreferred +
    0.2 * correctnessPreferredHard +
    0.01 * marginScore;
  return {
    score: Number.isNaN(score) ? null : score,
    refAccuracy,
    tiedAccuracy,
    correctnessPreferred: nullIfNaN(correctnessPreferred),
    correctnessPreferredHard: nullIfNaN(correctnessPreferredHard),
    marginScore: nullIfNaN(marginScore),
    refPrompts: ref.size,
    tiedPrompts: tied.size,
    pairedPrompts: paired.length,
  };
}

interface PromptStats {
  accurate: boolean;
  differentCorrectMargin: number | null;
  correctIncorrectMargin: number;
}

/** `_compute_prompt_stats`: a prompt with no correct or no incorrect answer has no margin (−∞ / NaN). */
function promptStats(samples: readonly [boolean, number][]): PromptStats {
  const correct = samples.filter(([c]) => c).map(([, s]) => s);
  const incorrect = samples.filter(([c]) => !c).map(([, s]) => s);
  const best = Math.max(...correct);
  const worst = Math.min(...correct);
  const margin = worst - Math.max(...incorrect);
  return {
    accurate: margin > 0,
    differentCorrectMargin: correct.length > 1 ? best - worst : null,
    correctIncorrectMargin: margin,
  };
}

/** JudgeBench's categories: `compute_final_metrics` over sources starting with each prefix. */
export const judgeBenchCategories = [
  "mmlu-pro",
  "livebench-reasoning",
  "livebench-math",
  "livecodebench",
] as const;

export interface JudgeBenchOutcome {
  /** The pair's `source` (genrm subset), e.g. "mmlu-pro-law". */
  category: string;
  /** Net vote for the labelled answer over the orders judged (+1 right, −1 wrong, 0 tie or none). */
  net: number;
  orders: number;
}

export function judgeBenchScores(outcomes: readonly JudgeBenchOutcome[]): JudgeBenchScores {
  const score = (list: readonly JudgeBenchOutcome[]) => ({
    score: list.length === 0 ? null : list.filter((o) => o.net > 0).length / list.length,
    pairs: list.length,
  });
  return {
    overall: score(outcomes),
    categories: judgeBenchCategories
      .map((name) => ({ name, ...score(outcomes.filter((o) => o.category.startsWith(name))) }))
      .filter((c) => c.pairs > 0),
    bothOrders: outcomes.filter((o) => o.orders === 2).length,
  };
}

export interface RmBenchRow {
  /** The row's `domain`, when it has one. */
  domain?: string;
  /** matrix[i][j] = 1 when chosen style i beat rejected style j, else 0. */
  matrix: readonly (readonly number[])[];
}

const rmBenchDomains = ["chat", "math", "code", "safety"] as const;

export function rmBenchScores(rows: readonly RmBenchRow[], incompleteRows = 0): RmBenchScores {
  const withDomain = rows.length > 0 && rows[0]!.domain !== undefined;
  if (!withDomain) {
    const all = rmBenchAccuracy(rows);
    return { ...all, domains: [], incompleteRows };
  }
  const domains = rmBenchDomains
    .map((name) => ({ name, rows: rows.filter((r) => r.domain?.startsWith(name)) }))
    .filter((d) => d.rows.length > 0)
    .map(({ name, rows: list }) => ({ name, ...rmBenchAccuracy(list) }));
  return {
    hard: mean(domains.map((d) => d.hard)),
    normal: mean(domains.map((d) => d.normal)),
    easy: mean(domains.map((d) => d.easy)),
    average: mean(domains.map((d) => d.average)),
    rows: rows.length,
    domains,
    incompleteRows,
  };
}

function rmBenchAccuracy(rows: readonly RmBenchRow[]): RmBenchAccuracy {
  const n = 3;
  const acc = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const row of rows)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) acc[i]![j]! += row.matrix[i]![j]!;
  const cell = (i: number, j: number) => acc[i]![j]! / rows.length;
  const upper: number[] = [];
  const diagonal: number[] = [];
  const lower: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) (j > i ? upper : j === i ? diagonal : lower).push(cell(i, j));
  const hard = upper.reduce((s, v) => s + v, 0) / upper.length;
  const normal = mean(diagonal);
  const easy = lower.reduce((s, v) => s + v, 0) / lower.length;
  return { hard, normal, easy, average: (hard + normal + easy) / 3, rows: rows.length };
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function meanOrNaN(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : mean(values);
}

function nullIfNaN(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
