/**
 * Step 1 of a STaR iteration (paper-spec §1.8): K chains per pair from the current model, through
 * `judgePair` (self-sampling) or `rationalizePair` (gold hint), with the SQLite store as cache: a
 * sample is stored the moment it exists, so a killed iteration resumes without regenerating, and
 * sample i of (pair, order) always has seed `sampleSeed(seed, pair, order, i)`.
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import { throwIfAborted } from "../errors.js";
import { judgePair } from "../judge/judgePair.js";
import { rationalizePair } from "../judge/rationalizePair.js";
import { samplingKey } from "../judge/samplingKey.js";
import { templateHash } from "../judge/templates/templateHash.js";
import type { JudgeTemplate, SampleCache } from "../judge/types.js";
import type { PairSamples } from "./pairSamples.js";
import type { StarConfig } from "./resolveStarConfig.js";

export interface SampleSliceOptions {
  iteration: number;
  /** "self": the CoT template; "hinted": the rationalizer template with the gold winner. */
  kind: "self" | "hinted";
  cache: SampleCache;
  signal?: AbortSignal;
  onPair?: (done: number, total: number) => void;
}

export async function sampleSlice(
  engine: Engine,
  pairs: readonly PreferencePair[],
  config: StarConfig,
  options: SampleSliceOptions,
): Promise<PairSamples[]> {
  const { iteration, kind, cache, signal, onPair } = options;
  const template: JudgeTemplate = kind === "hinted" ? config.rationalizerTemplate! : config.template;
  const judgeOptions = {
    template,
    // "both" splits K between the orders so a pair costs K samples either way.
    k: config.orders === "both" ? config.k / 2 : config.k,
    orderMode: config.orders,
    seed: config.seed,
    sampling: config.sampling,
    cache,
    ...(signal ? { signal } : {}),
  };
  const source = {
    iteration,
    modelId: engine.info.modelId,
    templateId: template.id,
    templateHash: templateHash(template),
    samplingKey: samplingKey(config.sampling),
  };
  const out: PairSamples[] = new Array(pairs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < pairs.length) {
      throwIfAborted(signal);
      const i = next++;
      const pair = pairs[i]!;
      const samples =
        kind === "hinted"
          ? (await rationalizePair(engine, pair, judgeOptions)).judgment.samples
          : (await judgePair(engine, pair, { ...judgeOptions, protocol: "cot" })).samples;
      out[i] = { pair, samples, source };
      onPair?.(++done, pairs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, pairs.length) }, worker));
  return out;
}
