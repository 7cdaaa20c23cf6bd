/**
 * Evaluates one model of a STaR run on one eval set through the normal eval path (`createLlmJudge`,
 * `runJudging` with a resumable judgments.jsonl, `summarizeEval`), with the run's CoT template and
 * sampling. Samples go to the run's store, so a killed evaluation resumes too.
 */
import fs from "node:fs";
import path from "node:path";
import { openLlamaCppEngine } from "../engine/index.js";
import { throwIfAborted } from "../errors.js";
import { summarizeEval } from "../eval/summarizeEval.js";
import { createLlmJudge } from "../judge/createLlmJudge.js";
import type { SampleCache } from "../judge/types.js";
import { JudgmentLog } from "../run/JudgmentLog.js";
import { writeJson } from "../run/runDir.js";
import { runJudging } from "../run/runJudging.js";
import type { StarConfig } from "./resolveStarConfig.js";
import type { StarEvalRecord, StarEvalSet } from "./types.js";

export async function evaluateStarModel(
  modelPath: string,
  set: StarEvalSet,
  dir: string,
  config: StarConfig,
  cache: SampleCache,
  signal?: AbortSignal,
): Promise<StarEvalRecord> {
  fs.mkdirSync(dir, { recursive: true });
  const engine = await openLlamaCppEngine({ modelPath, ...config.engine });
  const log = JudgmentLog.open(path.join(dir, "judgments.jsonl"), { resume: true });
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
    const result = await runJudging(judge, set.pairs, log, {
      concurrency: config.concurrency,
      ...(signal ? { signal } : {}),
    });
    throwIfAborted(signal);
    const summary = summarizeEval(result.judgments, set.pairs, { bootstrap: { seed: config.seed } });
    const summaryFile = path.join(dir, "summary.json");
    writeJson(summaryFile, { ...summary, evalSet: set.name, model: modelPath });
    return {
      name: set.name,
      modelId: engine.info.modelId,
      summaryFile,
      accuracy: summary.accuracy.accuracy,
      n: summary.accuracy.n,
      parseErrorRate: summary.parse.parseErrorRate,
    };
  } finally {
    log.close();
    await engine.dispose();
  }
}
