import type { Engine } from "../engine/types.js";
import { UnsupportedError } from "../errors.js";
import { judgeWithConfig } from "./judgePair.js";
import { type JudgeOptions, resolveJudgeConfig } from "./resolveJudgeConfig.js";
import type { Judge } from "./types.js";

/**
 * An LLM judge over an engine. Options are resolved once, so a bad option fails here, before the
 * first pair, and every Judgment of the judge carries the same provenance.
 */
export function createLlmJudge(engine: Engine, options: JudgeOptions = {}): Judge {
  const config = resolveJudgeConfig(options);
  if (config.protocol === "direct" && !engine.info.supportsTokenProbabilities) {
    throw new UnsupportedError(
      `engine ${engine.info.modelName} (${engine.info.kind}) cannot read token probabilities`,
      {
        hint: 'use protocol "cot", or an engine that returns logprobs',
      },
    );
  }
  return {
    info: {
      name: `${engine.info.modelName} ${config.protocol} ${config.template.id}`,
      modelId: engine.info.modelId,
      modelName: engine.info.modelName,
      protocol: config.protocol,
      templateId: config.template.id,
      templateHash: config.templateHash,
    },
    judge: (pair, { signal } = {}) => judgeWithConfig(engine, pair, config, signal),
  };
}
