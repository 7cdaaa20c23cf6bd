/**
 * RewardBench 2, JudgeBench and RM-Bench: adapters on rows in their real schemas, the official
 * scores on hand-worked fixtures (benchmarkFixtures.ts), and `genrm eval` printing them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidRecordError, loadPairs } from "../../../src/data/index.js";
import { bestOfScore, tiesScore } from "../../../src/eval/benchmarkScores.js";
import { summarizeEval } from "../../../src/eval/summarizeEval.js";
import { runCli } from "../../helpers/cli.js";
import {
  jsonl,
  judgeBenchExpected,
  judgeBenchRows,
  rewardBench2Expected,
  rewardBench2Parquet,
  rewardBench2Rows,
  rmBenchExpected,
  rmBenchRows,
} from "./benchmarkFixtures.js";
import { judgmentOf, pairOf, samplesOf } from "./fixtures.js";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-bench-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

describe("adapters", () => {
  it("reads RewardBench 2 JSONL and Parquet alike: the chosen answer against each other one, Ties round robin", async () => {
    for (const file of [
      write("rb2.jsonl", jsonl(rewardBench2Rows)),
      write("rb2.parquet", rewardBench2Parquet(rewardBench2Rows)),
    ]) {
      const { pairs, format } = await loadPairs(file);
      expect(format).toBe("rewardbench2");
      // 7 best-of-4 rows × 3 games; Ties rows of 3, 4, 3, 4 answers: 3 + 6 + 3 + 6 games.
      expect(pairs).toHaveLength(21 + 18);
      const f1 = pairs.filter((p) => p.item?.id === "101");
      expect(f1.map((p) => [p.id, p.label, p.item!.a, p.item!.b])).toEqual([
        ["rewardbench2:101:0-1", "A", 0, 1],
        ["rewardbench2:101:0-2", "A", 0, 2],
        ["rewardbench2:101:0-3", "A", 0, 3],
      ]);
      const tied = pairs.filter((p) => p.item?.id === "tied:1");
      expect(tied.map((p) => `${p.item!.a}-${p.item!.b}:${p.label}`)).toEqual([
        "0-1:tie",
        "0-2:A",
        "0-3:A",
        "1-2:A",
        "1-3:A",
        "2-3:tie",
      ]);
      expect(tied[0]!.item).toMatchObject({ benchmark: "rewardbench2", correct: 2, total: 4 });
    }
  });

  it("refuses a Ties row whose id does not name its prompt, and num_correct that disagrees with chosen", async () => {
    const bad = write("rb2-bad.jsonl", jsonl([{ ...rewardBench2Rows[7], id: "7" }]));
    const e1 = await loadPairs(bad).catch((e) => e);
    expect(e1).toBeInstanceOf(InvalidRecordError);
    expect(e1.message).toContain('field "id"');
    expect(e1.message).toContain("ref:<n>");
    const count = write("rb2-count.jsonl", jsonl([{ ...rewardBench2Rows[0], num_correct: 2 }]));
    const e2 = await loadPairs(count).catch((e) => e);
    expect(e2.message).toContain('field "num_correct"');
  });

  it("reads JudgeBench pairs with the source as subset", async () => {
    const { pairs, format } = await loadPairs(write("jb.jsonl", jsonl(judgeBenchRows)));
    expect(format).toBe("judgebench");
    expect(pairs.map((p) => [p.label, p.subset])).toEqual([
      ["A", "mmlu-pro-law"],
      ["B", "mmlu-pro-math"],
      ["A", "livebench-math"],
      ["B", "livebench-reasoning"],
      ["A", "livecodebench"],
    ]);
    expect(pairs[0]!.id).toBe("judgebench:00000000-0000-0000-0000-000000000001");
    const bad = write("jb-bad.jsonl", jsonl([{ ...judgeBenchRows[0], label: "A=B" }]));
    expect((await loadPairs(bad).catch((e) => e)).reason).toBe("invalid-label");
  });

  it("reads RM-Bench rows (a JSON array) as the 3 × 3 style games, the domain as subset", async () => {
    const { pairs, format } = await loadPairs(write("rm.json", JSON.stringify(rmBenchRows)));
    expect(format).toBe("rm-bench");
    expect(pairs).toHaveLength(27);
    expect(pairs.slice(0, 9).map((p) => `${p.item!.a}-${p.item!.b}`)).toEqual([
      "0-3",
      "0-4",
      "0-5",
      "1-3",
      "1-4",
      "1-5",
      "2-3",
      "2-4",
      "2-5",
    ]);
    expect(new Set(pairs.map((p) => p.subset))).toEqual(new Set(["chat", "safety-refuse"]));
    // Rows numbered per domain stay distinct rows.
    expect(new Set(pairs.map((p) => p.item!.id))).toEqual(new Set(["chat/1", "chat/2", "safety-refuse/1"]));
  });

  it("reads a JSON object of arrays with each key as subset, unless a row names its own", async () => {
    const file = write(
      "bias.json",
      JSON.stringify({
        "length bias": [{ prompt: "q1", chosen: "short", rejected: "long long", chosen_model: "m" }],
        concreteness: [
          { prompt: "q2", chosen: "a", rejected: "b", chosen_model: "m" },
          { prompt: "q3", chosen: "c", rejected: "d", chosen_model: "m", subset: "own" },
        ],
      }),
    );
    const { pairs } = await loadPairs(file);
    expect(pairs.map((p) => p.subset)).toEqual(["length bias", "concreteness", "own"]);
  });
});

describe("official scores", () => {
  it("best-of-n: 1 alone at the top, 1/k when k answers share it, 0 below", () => {
    expect(bestOfScore([7, 3, 5, 1])).toBe(1);
    expect(bestOfScore([7, 7, 5, 7])).toBeCloseTo(1 / 3, 12);
    expect(bestOfScore([6, 7, 5, 1])).toBe(0);
  });

  it("Ties on ratings as the rating judge returns them (−1 = unparseable), with an infinite margin ratio", () => {
    // ref:5 [8 | 3, 5] margin 3; tied:5 [9, 7 | 4, −1] margin 3, spread 2; ref:6 [4 | 6, 2] margin −2;
    // tied:6 [6, 6 | 6, 1] margin 0, spread 0 → min(−2, 0) / 0 = −∞, tanh → −1.
    const t = tiesScore([
      { id: "ref:5", correct: 1, scores: [8, 3, 5] },
      { id: "tied:5", correct: 2, scores: [9, 7, 4, -1] },
      { id: "ref:6", correct: 1, scores: [4, 6, 2] },
      { id: "tied:6", correct: 2, scores: [6, 6, 6, 1] },
    ]);
    expect(t).toMatchObject({
      refAccuracy: 0.5,
      tiedAccuracy: 0.5,
      correctnessPreferred: 0.5,
      pairedPrompts: 2,
    });
    expect(t.correctnessPreferredHard).toBe(0.5);
    expect(t.marginScore).toBeCloseTo((Math.tanh(0.5) - 1) / 2, 12);
    expect(t.score).toBeCloseTo(
      0.3 * 0.5 + 0.3 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5 + (0.01 * (Math.tanh(0.5) - 1)) / 2,
      12,
    );
    // A tied prompt without its reference prompt leaves the margin terms over nothing: numpy's NaN.
    expect(tiesScore([{ id: "tied:9", correct: 2, scores: [3, 2, 1] }]).score).toBeNull();
  });

  it("JudgeBench: each order's verdict votes; correct only when the net vote is positive", () => {
    const jb = (id: string, label: "A" | "B", subset: string) => ({
      ...pairOf(id, label, subset),
      source: "judgebench",
    });
    const pairs = [
      jb("j1", "A", "mmlu-pro-law"),
      jb("j2", "A", "mmlu-pro-law"),
      jb("j3", "B", "livebench-math"),
      jb("j4", "B", "livebench-math"),
      jb("j5", "A", "livecodebench"),
    ];
    const judgments = [
      judgmentOf("j1", "A", { samples: samplesOf("AB:A|BA:A") }), // +2
      judgmentOf("j2", "tie", { samples: samplesOf("AB:A|BA:B") }), // 0: inconsistent
      judgmentOf("j3", "B", { samples: samplesOf("AB:x|BA:B") }), // +1: one order unparsed
      judgmentOf("j4", "A", { samples: samplesOf("AB:AAB|BA:AB") }), // −1 + 0
      judgmentOf("j5", "A", { samples: samplesOf("AB:A") }), // one order: single game, right
    ];
    const jbScores = summarizeEval(judgments, pairs).benchmarks!.judgeBench!;
    expect(jbScores.overall).toEqual({ score: 3 / 5, pairs: 5 });
    expect(jbScores.categories).toEqual([
      { name: "mmlu-pro", score: 1 / 2, pairs: 2 },
      { name: "livebench-math", score: 1 / 2, pairs: 2 },
      { name: "livecodebench", score: 1, pairs: 1 },
    ]);
    expect(jbScores.bothOrders).toBe(4);
  });

  it("a plain pairwise file gets no benchmark block", () => {
    const summary = summarizeEval([judgmentOf("p1", "A")], [pairOf("p1", "A", "alpacaeval-easy")]);
    expect("benchmarks" in summary).toBe(false);
    expect(summary.rewardBench).not.toBeNull();
  });
});

describe("genrm eval prints the official scores (length baseline)", () => {
  async function evalFile(file: string) {
    const out = path.join(dir, `run-${path.basename(file)}`);
    const res = await runCli(["eval", "--data", file, "--baseline", "length", "--out", out], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    return { stdout: res.stdout, summary };
  }

  it("RewardBench 2 (Parquet): six subsets, Ties weighted, score = their mean", async () => {
    const { stdout, summary } = await evalFile(
      write("rb2-e2e.parquet", rewardBench2Parquet(rewardBench2Rows)),
    );
    const rb2 = summary.benchmarks.rewardBench2;
    const e = rewardBench2Expected;
    const got = Object.fromEntries(
      rb2.subsets.map((s: { name: string; score: number }) => [s.name, s.score]),
    );
    for (const name of ["Factuality", "Precise IF", "Math", "Safety", "Focus", "Ties"] as const) {
      expect(got[name], name).toBeCloseTo(e[name], 12);
      expect(stdout).toMatch(new RegExp(`  ${name}\\s+${pct(e[name]).replace(".", "\\.")}  \\(`));
    }
    expect(rb2.ties.marginScore).toBeCloseTo(e.tiesMargin, 12);
    expect(rb2.score).toBeCloseTo(e.score, 12);
    expect(summary.metrics["rewardbench2/score"]).toBeCloseTo(e.score, 12);
    expect(summary.metrics["rewardbench2/precise_if"]).toBeCloseTo(e["Precise IF"], 12);
    expect(stdout).toContain("RewardBench 2 (best-of-4");
    expect(stdout).toMatch(new RegExp(`  Score\\s+${pct(e.score).replace(".", "\\.")}\\n`));
    // The pairwise table is still there, and RewardBench v1 sections are not.
    expect(stdout).toMatch(/^accuracy /m);
    expect(stdout).not.toContain("EXAMPLE_COUNTS");
  });

  it("JudgeBench: overall and per category", async () => {
    const { stdout, summary } = await evalFile(write("jb-e2e.jsonl", jsonl(judgeBenchRows)));
    const jb = summary.benchmarks.judgeBench;
    expect(jb.overall.score).toBeCloseTo(judgeBenchExpected.overall, 12);
    for (const c of jb.categories) {
      expect(c.score, c.name).toBeCloseTo(judgeBenchExpected[c.name as keyof typeof judgeBenchExpected], 12);
      expect(stdout).toMatch(new RegExp(`  ${c.name}\\s+${pct(c.score).replace(".", "\\.")}`));
    }
    expect(jb.categories).toHaveLength(4);
    expect(stdout).toMatch(/ {2}Overall\s+60\.0% {2}\(5 pairs\)/);
    expect(stdout).toContain("5 pairs judged in one order only");
  });

  it("RM-Bench: hard / normal / easy per domain and overall", async () => {
    const { stdout, summary } = await evalFile(write("rm-e2e.json", JSON.stringify(rmBenchRows)));
    const rm = summary.benchmarks.rmBench;
    for (const level of ["hard", "normal", "easy", "average"] as const) {
      expect(rm[level], level).toBeCloseTo(rmBenchExpected.overall[level], 12);
      expect(rm.domains[0][level]).toBeCloseTo(rmBenchExpected.chat[level], 12);
      expect(rm.domains[1][level]).toBeCloseTo(rmBenchExpected.safety[level], 12);
    }
    expect(rm.domains.map((d: { name: string }) => d.name)).toEqual(["chat", "safety"]);
    expect(stdout).toMatch(/ {2}chat\s+16\.7%\s+66\.7%\s+66\.7%\s+50\.0% {2}\(2 rows\)/);
    expect(stdout).toMatch(/ {2}Overall\s+58\.3%\s+83\.3%\s+83\.3%\s+75\.0% {2}\(3 rows\)/);
    expect(summary.metrics["rmbench/hard"]).toBeCloseTo(7 / 12, 12);
    // RM-Bench's safety rows carry RewardBench subset names; they do not switch on v1 sections.
    expect(summary.rewardBench).toBeNull();
  });
});
