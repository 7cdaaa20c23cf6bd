/**
 * Assembles a Judgment so every protocol and baseline fills it the same way. An engine error
 * anywhere makes the verdict "error" with pA null: a judgment never silently rests on part of
 * its samples.
 */
import type { SamplingConfig } from "../engine/types.js";
import type { ModelId, PairId, TemplateHash } from "../types.js";
import { countVotes } from "./majorityVote.js";
import type {
  JudgeProvenance,
  JudgeSample,
  Judgment,
  Order,
  OrderProbability,
  PairVerdict,
} from "./types.js";

export interface JudgmentParts {
  pairId: PairId;
  verdict: PairVerdict;
  pA: number | null;
  orders: Order[];
  samples: JudgeSample[];
  votes?: Judgment["votes"];
  probabilities?: OrderProbability[];
  stoppedEarly: boolean;
  promptTokens: number;
  errors: string[];
  provenance: JudgeProvenance;
  startedAt: number;
}

export function buildJudgment(parts: JudgmentParts): Judgment {
  const { samples, errors } = parts;
  const failed = errors.length > 0;
  const judgment: Judgment = {
    pairId: parts.pairId,
    verdict: failed ? "error" : parts.verdict,
    pA: failed ? null : parts.pA,
    votes: parts.votes ?? countVotes(samples.map((s) => s.verdict)),
    orders: parts.orders,
    // Token ids stay in the sample store: judgments.jsonl keeps the readable record.
    samples: samples.map(({ tokens: _tokens, ...sample }) => sample),
    stoppedEarly: parts.stoppedEarly,
    usage: {
      promptTokens: parts.promptTokens,
      completionTokens: samples.reduce((sum, s) => sum + s.completionTokens, 0),
      samples: samples.length,
      cachedSamples: samples.filter((s) => s.cached).length,
      wallMs: performance.now() - parts.startedAt,
    },
    errors,
    provenance: parts.provenance,
  };
  if (parts.probabilities && parts.probabilities.length > 0) judgment.probabilities = parts.probabilities;
  return judgment;
}

export function llmProvenance(
  engineInfo: { modelId: ModelId; modelName: string },
  config: {
    protocol: JudgeProvenance["protocol"];
    template: { id: string };
    templateHash: TemplateHash;
    seed: number;
    sampling: SamplingConfig;
    orderMode: string;
    k: number;
    adaptive: unknown;
  },
): JudgeProvenance {
  return {
    modelId: engineInfo.modelId,
    modelName: engineInfo.modelName,
    protocol: config.protocol,
    templateId: config.template.id,
    templateHash: config.templateHash,
    seed: config.seed,
    sampling: config.sampling,
    orderMode: config.orderMode,
    k: config.k,
    adaptive: config.adaptive !== null,
  };
}
