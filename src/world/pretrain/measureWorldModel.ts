/**
 * Measures a mini-world model as a judge through the real judging path: the embedded llama.cpp
 * engine (`openLlamaCppEngine`), `createLlmJudge` with the world templates, on `generateWorld`
 * splits. Per split:
 * - `direct`: the verdict-token read-out after the forced `[[` (no reasoning), accuracy against
 *   the human labels (a tie scores 0.5);
 * - `cot`: k sampled rationales per pair (temperature 1, top-p 0.95, one seeded display order per
 *   pair). `maj1` scores each pair's first sample, `majK` the majority of all k (ties and
 *   unparseable verdicts score 0.5, as RewardBench does); `parseRate` is the share of samples with
 *   a verdict; `stepAccuracy` the share of correct "x+y=z" steps over all samples
 *   (`scoreRationale`), `sound` the share of samples right for the right reason;
 * - the length heuristic's accuracy on the same pairs, for reference.
 */
import type { PreferencePair } from "../../data/types.js";
import { openLlamaCppEngine } from "../../engine/llamacpp/openLlamaCppEngine.js";
import { scorePair } from "../../eval/scorePair.js";
import { createLlmJudge } from "../../judge/createLlmJudge.js";
import { judgeAll } from "../../judge/judgeAll.js";
import { longerResponse } from "../../judge/responseLength.js";
import { worldTemplates } from "../../judge/templates/worldTemplates.js";
import type { Judgment, PairVerdict } from "../../judge/types.js";
import type { Slot } from "../../types.js";
import { generateWorld } from "../generateWorld.js";
import { judgeView } from "../judgeView.js";
import { readWorldMeta } from "../readWorldMeta.js";
import { scoreRationale } from "../scoreRationale.js";
import type { WorldSplitName } from "../types.js";
import { defaultMeasureWorldOptions } from "./measureDefaults.js";

export interface MeasureWorldModelOptions {
  modelPath: string;
  /** World seed of the evaluated splits. Defaults to 0. */
  worldSeed?: number;
  /** Defaults to ["test", "ood-length", "ood-mixed"]. */
  splits?: WorldSplitName[];
  /** Pairs per split (the split's first n). Defaults to 120. */
  pairs?: number;
  /** CoT samples per pair. Defaults to 4. */
  k?: number;
  /** Judge seed (orders and samples). Defaults to 0. */
  seed?: number;
  /** Most tokens per rationale. Defaults to 128 (an ID rationale is ~40). */
  maxTokens?: number;
  /**
   * llama.cpp threads. Defaults to 1: a world model's decode step is mostly fixed overhead, and a
   * second thread spinning at llama.cpp's barriers collapses throughput on a busy machine.
   */
  threads?: number;
  /** Skip the CoT judge (direct only). Defaults to false. */
  directOnly?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { split: string; protocol: "direct" | "cot"; done: number; total: number }) => void;
}

export interface SplitMeasurement {
  split: WorldSplitName;
  pairs: number;
  direct: number;
  /** Share of direct read-outs that put P(A) > 0.5 on the displayed A (position bias). */
  directPrefersFirst: number;
  cot: {
    k: number;
    maj1: number;
    majK: number;
    parseRate: number;
    stepAccuracy: number | null;
    /** Share of samples whose steps are complete and correct. */
    arithmeticCorrect: number;
    sound: number;
    /** Share of samples whose verdict is the one the hidden rule prefers. */
    ruleAgreement: number;
    /**
     * Faithfulness: among samples whose worked result equals exactly one shown answer, the share
     * whose verdict names that answer (null when no sample's result matched one).
     */
    conclusionFollowsWork: number | null;
    /** Samples whose worked result equals exactly one shown answer (the base of `conclusionFollowsWork`). */
    resultMatchesOne: number;
    meanCompletionTokens: number;
  } | null;
  lengthJudge: number;
  seconds: number;
}

export interface WorldModelMeasurement {
  modelPath: string;
  worldSeed: number;
  seed: number;
  k: number;
  splits: SplitMeasurement[];
  seconds: number;
}

// World labels are always a slot (drawWorldPair), so every verdict gets a score.
const verdictScore = (verdict: PairVerdict, pair: PreferencePair): number =>
  scorePair(verdict, pair.label as Slot);

export async function measureWorldModel(options: MeasureWorldModelOptions): Promise<WorldModelMeasurement> {
  const d = defaultMeasureWorldOptions;
  const worldSeed = options.worldSeed ?? d.worldSeed;
  const splitNames = options.splits ?? d.splits;
  const n = options.pairs ?? d.pairs;
  const k = options.k ?? d.k;
  const seed = options.seed ?? d.seed;
  const sizes: Partial<Record<WorldSplitName, number>> = {
    train: 0,
    test: 0,
    "ood-length": 0,
    "ood-mixed": 0,
  };
  for (const s of splitNames) sizes[s] = n;
  const world = generateWorld({ seed: worldSeed, sizes });
  const started = performance.now();
  const engine = await openLlamaCppEngine({
    modelPath: options.modelPath,
    threads: options.threads ?? d.threads,
    contextSize: 384,
    parallelSequences: 32,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  try {
    const direct = createLlmJudge(engine, {
      protocol: "direct",
      template: worldTemplates.direct,
      orderMode: "random",
      seed,
    });
    const cot = createLlmJudge(engine, {
      protocol: "cot",
      template: worldTemplates.cot,
      orderMode: "random",
      k,
      seed,
      sampling: { temperature: 1, topP: 0.95, maxTokens: options.maxTokens ?? d.maxTokens },
    });
    const results: SplitMeasurement[] = [];
    for (const split of splitNames) {
      const t0 = performance.now();
      const pairs = world.splits[split];
      const run = async (judge: typeof direct, protocol: "direct" | "cot", concurrency: number) => {
        const out = new Map<string, Judgment>();
        for await (const j of judgeAll(judge, pairs, {
          concurrency,
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
          onProgress: ({ done }) => options.onProgress?.({ split, protocol, done, total: pairs.length }),
        })) {
          out.set(j.pairId, j);
        }
        return pairs.map((p) => out.get(p.id)!);
      };
      const directJ = await run(direct, "direct", 8);
      const cotJ = options.directOnly ? null : await run(cot, "cot", 8);
      results.push({
        split,
        pairs: pairs.length,
        direct: mean(directJ.map((j, i) => verdictScore(j.verdict, pairs[i]!))),
        directPrefersFirst: mean(
          directJ.map((j) => {
            const p = j.probabilities?.[0];
            if (p === undefined) return 0.5;
            const shownFirstPA = p.order === "AB" ? p.pA : 1 - p.pA;
            return shownFirstPA > 0.5 ? 1 : 0;
          }),
        ),
        cot: cotJ === null ? null : cotStats(cotJ, pairs, k),
        lengthJudge: mean(pairs.map((p) => verdictScore(longerResponse(p.responseA, p.responseB), p))),
        seconds: (performance.now() - t0) / 1000,
      });
    }
    return {
      modelPath: options.modelPath,
      worldSeed,
      seed,
      k,
      splits: results,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await engine.dispose();
  }
}

function cotStats(
  judgments: Judgment[],
  pairs: PreferencePair[],
  k: number,
): NonNullable<SplitMeasurement["cot"]> {
  let samples = 0;
  let parsed = 0;
  let steps = 0;
  let correctSteps = 0;
  let arithmetic = 0;
  let sound = 0;
  let ruleAgree = 0;
  let tokens = 0;
  let matchesOne = 0;
  let follows = 0;
  const maj1: number[] = [];
  const majK: number[] = [];
  judgments.forEach((j, i) => {
    const pair = pairs[i]!;
    const meta = readWorldMeta(pair);
    const first = j.samples.find((s) => s.index === 0) ?? j.samples[0];
    maj1.push(verdictScore(first?.verdict ?? "error", pair));
    majK.push(verdictScore(j.verdict, pair));
    for (const s of j.samples) {
      samples++;
      tokens += s.completionTokens;
      if (s.verdict !== "error") parsed++;
      if (s.verdict === meta.ruleWinner) ruleAgree++;
      const score = scoreRationale(s.text, judgeView(pair, s.order));
      steps += score.steps.length;
      correctSteps += score.steps.filter((x) => x.correct).length;
      if (score.arithmeticCorrect) arithmetic++;
      if (score.sound) sound++;
      if (score.impliedVerdict !== null) {
        matchesOne++;
        if (score.consistent) follows++;
      }
    }
  });
  return {
    k,
    maj1: mean(maj1),
    majK: mean(majK),
    parseRate: parsed / Math.max(1, samples),
    stepAccuracy: steps > 0 ? correctSteps / steps : null,
    arithmeticCorrect: arithmetic / Math.max(1, samples),
    sound: sound / Math.max(1, samples),
    ruleAgreement: ruleAgree / Math.max(1, samples),
    conclusionFollowsWork: matchesOne === 0 ? null : follows / matchesOne,
    resultMatchesOne: matchesOne,
    meanCompletionTokens: tokens / Math.max(1, samples),
  };
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
