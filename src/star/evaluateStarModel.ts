/**
 * Evaluates one model of a STaR run on one eval set through the normal eval path (`createLlmJudge`,
 * `evaluateInDir`: a resumable judgments.jsonl and summary.json), with the run's CoT template and
 * sampling. Samples go to the run's store, so a killed evaluation resumes too.
 */
import { createLlmJudge } from "../judge/createLlmJudge.js";
import type { SampleCache } from "../judge/types.js";
import { evaluateInDir } from "../run/evaluateInDir.js";
import type { StarConfig } from "./resolveStarConfig.js";
import type { StarSamplerSession } from "./starSampler.js";
import type { StarModelRef } from "./trainSpec.js";
import type { StarEvalRecord, StarEvalSet } from "./types.js";

export async function evaluateStarModel(
  model: StarModelRef,
  sampler: StarSamplerSession,
  set: StarEvalSet,
  dir: string,
  config: StarConfig,
  cache: SampleCache,
  signal?: AbortSignal,
): Promise<StarEvalRecord> {
  const engine = await sampler.open(model, signal);
  try {
    const judge = createLlmJudge(engine, {
      protocol: "cot",
      template: config.template,
      k: config.evalK,
      orderMode: config.evalOrder,
      seed: config.seed,
      sampling: config.sampling,
      cache,
    });
    const { summary, summaryFile } = await evaluateInDir(judge, set.pairs, dir, {
      concurrency: config.concurrency,
      ...(signal ? { signal } : {}),
      summary: { bootstrap: { seed: config.seed } },
      extra: {
        evalSet: set.name,
        model: model.path,
        ...(model.adapter ? { adapter: model.adapter.path } : {}),
      },
    });
    return {
      name: set.name,
      modelId: engine.info.modelId,
      summaryFile,
      accuracy: summary.accuracy.accuracy,
      n: summary.accuracy.n,
      parseErrorRate: summary.parse.parseErrorRate,
    };
  } finally {
    await engine.dispose();
  }
}
