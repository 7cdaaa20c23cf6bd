/**
 * Adaptive-voting rules replayed over the samples of one full run (every pair judged with all k
 * samples), so stopping rules can be compared on the same draws, offline and for free: each rule
 * re-judges every pair through the judge's own code (`judgeWithConfig`), with an engine that
 * generates nothing and a sample cache that serves the run's samples by (pair, order, index).
 * A rule therefore stops exactly where a live run with that rule and seed would have stopped, and
 * sees the same verdicts (sample i's seed never depends on how many samples were drawn).
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import { InputError } from "../errors.js";
import { judgeWithConfig } from "../judge/judgePair.js";
import { type JudgeOptions, resolveJudgeConfig } from "../judge/resolveJudgeConfig.js";
import type { AdaptiveOptions, JudgeSample, Judgment, SampleCache, SampleKey } from "../judge/types.js";
import type { ModelId, PairId } from "../types.js";
import { scorePair } from "./scorePair.js";
import type { ScoreOptions } from "./types.js";

/** One setting to replay: a budget k (≤ the run's), and an adaptive rule or none. */
export interface ReplayRule {
  name: string;
  k: number;
  adaptive: false | AdaptiveOptions;
  chunkSize?: number;
}

export interface ReplayPoint {
  name: string;
  /** Mean score over the scored pairs (`scorePair`, as `eval/accuracy`). */
  accuracy: number;
  /** Mean samples drawn per pair (all orders). */
  meanSamples: number;
  /** meanSamples over the full run's samples per pair (k × orders): the share of the budget spent. */
  sampleRatio: number;
  /** Pairs that stopped before the rule's k. */
  stoppedEarly: number;
  n: number;
}

/** The judge settings of the full run (from its config.json) that every replay keeps. */
export type ReplaySettings = Omit<
  JudgeOptions,
  "k" | "adaptive" | "chunkSize" | "cache" | "probabilityCache"
> & {
  modelId: ModelId;
  /** The run's k per order: what sampleRatio is relative to. */
  k: number;
};

export async function replayAdaptiveVoting(
  judgments: readonly Judgment[],
  pairs: readonly PreferencePair[],
  settings: ReplaySettings,
  rules: readonly ReplayRule[],
  score: ScoreOptions = {},
): Promise<ReplayPoint[]> {
  const pairById = new Map(pairs.map((p) => [p.id, p]));
  const stored = new Map<string, JudgeSample>();
  const judged: { pair: PreferencePair; orders: number }[] = [];
  for (const j of judgments) {
    const pair = pairById.get(j.pairId);
    if (!pair || pair.label === "tie") continue;
    if (j.errors.length > 0 || j.stoppedEarly) {
      throw new InputError("a replay needs every sample of a full run", {
        field: `judgment ${j.pairId}`,
        expected: "a judgment with all k samples and no engine error",
        got: j.errors.length > 0 ? `engine errors: ${j.errors.join("; ")}` : "a judgment that stopped early",
      });
    }
    for (const s of j.samples) stored.set(sampleId(j.pairId, s.order, s.index), s);
    judged.push({ pair, orders: j.orders.length });
  }
  const { modelId, k: runK, ...judgeSettings } = settings;
  const engine = replayEngine(modelId);
  const cache: SampleCache = {
    get: (key: SampleKey) => stored.get(sampleId(key.pairId, key.order, key.index)),
    put: () => {},
  };
  const budget = judged.reduce((s, x) => s + runK * x.orders, 0);

  const points: ReplayPoint[] = [];
  for (const rule of rules) {
    if (rule.k > runK)
      throw new RangeError(`replay rule ${rule.name}: k ${rule.k} exceeds the run's k ${runK}`);
    const config = resolveJudgeConfig({
      ...judgeSettings,
      k: rule.k,
      adaptive: rule.adaptive,
      ...(rule.chunkSize ? { chunkSize: rule.chunkSize } : {}),
      cache,
    });
    let total = 0;
    let samples = 0;
    let stoppedEarly = 0;
    for (const { pair } of judged) {
      const j = await judgeWithConfig(engine, pair, config);
      if (j.errors.length > 0) throw new Error(`replay of ${pair.id}: ${j.errors.join("; ")}`);
      total += scorePair(j.verdict, pair.label, score) ?? 0;
      samples += j.samples.length;
      if (j.stoppedEarly) stoppedEarly++;
    }
    const n = judged.length;
    points.push({
      name: rule.name,
      accuracy: n === 0 ? 0 : total / n,
      meanSamples: n === 0 ? 0 : samples / n,
      sampleRatio: budget === 0 ? 0 : samples / budget,
      stoppedEarly,
      n,
    });
  }
  return points;
}

function sampleId(pairId: PairId, order: string, index: number): string {
  return `${order}#${index}#${pairId}`;
}

/** An engine for a judge whose every sample is in its cache: asked to generate, it fails loudly. */
function replayEngine(modelId: ModelId): Engine {
  const refuse = async (): Promise<never> => {
    throw new Error("replay: a sample the run did not draw was asked for");
  };
  return {
    info: {
      kind: "replay",
      modelId,
      modelName: "replay",
      supportsTokenProbabilities: false,
      deterministicSeeds: true,
    },
    generate: refuse,
    tokenProbabilities: refuse,
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
}
