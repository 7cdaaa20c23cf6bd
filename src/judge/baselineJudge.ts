/**
 * Shared shape of the model-free baselines: a real Judgment with no samples, whose provenance
 * names the baseline, so evaluation, reports and McNemar tests treat them like any judge.
 */
import { createHash } from "node:crypto";
import type { PreferencePair } from "../data/types.js";
import type { ModelId, TemplateHash } from "../types.js";
import { buildJudgment } from "./buildJudgment.js";
import type { Judge, JudgeProvenance, PairVerdict } from "./types.js";

export function baselineJudge(
  baseline: "length" | "random",
  description: string,
  seed: number,
  decide: (pair: PreferencePair) => { verdict: PairVerdict; pA: number },
): Judge {
  const templateId = `baseline:${baseline}@1`;
  // Hash the rule's description so two differently configured baselines never share results.
  const templateHash = createHash("sha256").update(description).digest("hex").slice(0, 16) as TemplateHash;
  const provenance: JudgeProvenance = {
    modelId: `baseline:${baseline}` as ModelId,
    modelName: `${baseline} baseline`,
    protocol: "direct",
    templateId,
    templateHash,
    seed,
    sampling: { temperature: 0, topP: 1, maxTokens: 0 },
    orderMode: "fixed",
    k: 0,
    adaptive: false,
    baseline,
  };
  return {
    info: {
      name: `${baseline} baseline`,
      modelId: provenance.modelId,
      modelName: provenance.modelName,
      protocol: "direct",
      templateId,
      templateHash,
      baseline,
    },
    judge: async (pair) => {
      const startedAt = performance.now();
      const { verdict, pA } = decide(pair);
      return buildJudgment({
        pairId: pair.id,
        verdict,
        pA,
        orders: ["AB"],
        samples: [],
        votes: { A: 0, B: 0, error: 0 },
        stoppedEarly: false,
        promptTokens: 0,
        errors: [],
        provenance: { ...provenance },
        startedAt,
      });
    },
  };
}
