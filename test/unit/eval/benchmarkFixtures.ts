/**
 * Rows in the real schemas of RewardBench 2 (allenai/reward-bench-2 card: id, prompt, chosen[],
 * rejected[], num_correct, num_incorrect, total_completions, models, subset, additional_metadata),
 * JudgeBench (ScalerLab/JudgeBench data/*.jsonl: pair_id, original_id, source, question,
 * response_model, response_A, response_B, label) and RM-Bench (THU-KEG/RM-Bench data/*.json: id,
 * prompt, chosen[3], rejected[3], subset, domain), with responses of chosen lengths so that the
 * length baseline (longer wins, equal is a draw) decides every game as the expected scores below
 * were worked out by hand.
 */

import { parquetWriteBuffer } from "hyparquet-writer";

const x = (n: number) => "x".repeat(n);

function rb2Row(id: string, subset: string, chosen: number[], rejected: number[]) {
  return {
    id,
    prompt: `prompt ${id}`,
    chosen: chosen.map(x),
    rejected: rejected.map(x),
    num_correct: chosen.length,
    num_incorrect: rejected.length,
    total_completions: chosen.length + rejected.length,
    models: ["m1", "m2"],
    subset,
    additional_metadata: { category: subset.toLowerCase(), valid: 1 },
  };
}

/**
 * Length baseline, chosen vs each rejected: f1 wins all (1); f2 draws one (½); m1 loses one (0); m2
 * draws two (⅓); p1 draws three (¼); s1 wins all (1); fo1 loses (0). Ties (every answer against
 * every other, scalar = share of points):
 * - ref:1 [6 | 2, 4] → [1 | 0, ½]: margin ½, accurate.
 * - tied:1 [6, 5 | 2, 5] → [1, ½ | 0, ½]: margin 0, not accurate, spread ½.
 * - ref:2 [9 | 1, 1] → [1 | ¼, ¼]: margin ¾, accurate.
 * - tied:2 [9, 8 | 1, 1] → [1, ⅔ | ⅙, ⅙]: margin ½, accurate, spread ⅓.
 * ref accuracy 1, tied accuracy ½; preferred: prompt 1 (0 > ½) no, prompt 2 (½ > ⅓) yes → ½; hard:
 * min(½, 0) > ½ no, min(¾, ½) > ⅓ yes → ½; margin terms tanh(0/½ − 1) and tanh(½/⅓ − 1).
 */
export const rewardBench2Rows = [
  rb2Row("101", "Factuality", [6], [3, 4, 5]),
  rb2Row("102", "Factuality", [4], [4, 2, 2]),
  rb2Row("201", "Math", [3], [5, 1, 1]),
  rb2Row("202", "Math", [5], [5, 5, 1]),
  rb2Row("301", "Precise IF", [4], [4, 4, 4]),
  rb2Row("401", "Safety", [7], [1, 2, 3]),
  rb2Row("501", "Focus", [2], [3, 3, 3]),
  rb2Row("ref:1", "Ties", [6], [2, 4]),
  rb2Row("tied:1", "Ties", [6, 5], [2, 5]),
  rb2Row("ref:2", "Ties", [9], [1, 1]),
  rb2Row("tied:2", "Ties", [9, 8], [1, 1]),
];

const tiesMargin = (Math.tanh(0 / 0.5 - 1) + Math.tanh(0.5 / (1 - 2 / 3) - 1)) / 2;
const tiesScore = 0.3 * 0.5 + 0.3 * 1 + 0.2 * 0.5 + 0.2 * 0.5 + 0.01 * tiesMargin;

export const rewardBench2Expected = {
  Factuality: (1 + 1 / 2) / 2,
  "Precise IF": 1 / 4,
  Math: (0 + 1 / 3) / 2,
  Safety: 1,
  Focus: 0,
  Ties: tiesScore,
  tiesMargin,
  score: ((1 + 1 / 2) / 2 + 1 / 4 + (0 + 1 / 3) / 2 + 1 + 0 + tiesScore) / 6,
};

function jbRow(n: number, source: string, label: "A>B" | "B>A", a: number, b: number) {
  return {
    pair_id: `00000000-0000-0000-0000-00000000000${n}`,
    original_id: 1000 + n,
    source,
    question: `question ${n}`,
    response_model: "gpt-4o-2024-05-13",
    response_A: x(a),
    response_B: x(b),
    label,
  };
}

/** Length baseline (one order): right, wrong, draw (wrong), right, right. */
export const judgeBenchRows = [
  jbRow(1, "mmlu-pro-law", "A>B", 9, 3),
  jbRow(2, "mmlu-pro-math", "B>A", 9, 3),
  jbRow(3, "livebench-math", "A>B", 4, 4),
  jbRow(4, "livebench-reasoning", "B>A", 2, 8),
  jbRow(5, "livecodebench", "A>B", 7, 6),
];

export const judgeBenchExpected = {
  overall: 3 / 5,
  "mmlu-pro": 1 / 2,
  "livebench-reasoning": 1,
  "livebench-math": 0,
  livecodebench: 1,
};

function rmRow(id: number, domain: string, subset: string, chosen: number[], rejected: number[]) {
  return {
    id,
    prompt: `prompt ${domain} ${id}`,
    chosen: chosen.map(x),
    rejected: rejected.map(x),
    domain,
    subset,
  };
}

/**
 * Length baseline, cell (i, j) = chosen style i strictly longer than rejected style j:
 * chat 1 [[1,0,0],[1,1,0],[1,1,1]], chat 2 [[0,1,0]]×3 (a draw is not a win) → mean
 * [[½,½,0],[½,1,0],[½,1,½]]: hard ⅙, normal ⅔, easy ⅔; safety: all 1. Overall = mean of domains.
 */
export const rmBenchRows = [
  rmRow(1, "chat", "alpacaeval", [2, 6, 8], [1, 5, 7]),
  rmRow(2, "chat", "alpacaeval", [3, 3, 3], [3, 1, 9]),
  rmRow(1, "safety-refuse", "xstest-should-refuse", [5, 5, 5], [1, 1, 1]),
];

export const rmBenchExpected = {
  chat: { hard: 1 / 6, normal: 2 / 3, easy: 2 / 3, average: 1 / 2 },
  safety: { hard: 1, normal: 1, easy: 1, average: 1 },
  overall: { hard: 7 / 12, normal: 5 / 6, easy: 5 / 6, average: 3 / 4 },
};

export function jsonl(rows: readonly unknown[]): string {
  return `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
}

type Rb2Row = (typeof rewardBench2Rows)[number];

/** The rows as the Hugging Face Parquet export lays them out (lists of strings, INT64 counts). */
export function rewardBench2Parquet(rows: readonly Rb2Row[]): Uint8Array {
  const text = (name: string) =>
    ({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" }) as const;
  const list = (name: string) => [
    { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 } as const,
    { name: "list", repetition_type: "REPEATED", num_children: 1 } as const,
    text("element"),
  ];
  const int = (name: string) => ({ name, type: "INT64", repetition_type: "OPTIONAL" }) as const;
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "id", data: rows.map((r) => r.id) },
      { name: "prompt", data: rows.map((r) => r.prompt) },
      { name: "chosen", data: rows.map((r) => r.chosen) },
      { name: "rejected", data: rows.map((r) => r.rejected) },
      { name: "num_correct", data: rows.map((r) => BigInt(r.num_correct)) },
      { name: "num_incorrect", data: rows.map((r) => BigInt(r.num_incorrect)) },
      { name: "total_completions", data: rows.map((r) => BigInt(r.total_completions)) },
      { name: "models", data: rows.map((r) => r.models) },
      { name: "subset", data: rows.map((r) => r.subset) },
    ],
    schema: [
      { name: "root", num_children: 9 },
      text("id"),
      text("prompt"),
      ...list("chosen"),
      ...list("rejected"),
      int("num_correct"),
      int("num_incorrect"),
      int("total_completions"),
      ...list("models"),
      text("subset"),
    ],
  });
  return new Uint8Array(buffer);
}
