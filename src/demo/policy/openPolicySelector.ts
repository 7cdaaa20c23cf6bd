/**
 * One selector of the policy stage, opened once and used for any number of questions: a demo judge
 * (its model loaded: an engine for LLM judges, the head's worker for BT and PairRM) or a reference
 * (oracle, random, longest). Best-of-N and expert iteration both pick through it.
 */
import path from "node:path";
import pLimit from "p-limit";
import { openLlamaCppEngine } from "../../engine/llamacpp/openLlamaCppEngine.js";
import type { SamplingConfig } from "../../engine/types.js";
import { openHeadJudge } from "../../heads/openHeadJudge.js";
import { createLlmJudge } from "../../judge/createLlmJudge.js";
import { worldTemplates } from "../../judge/templates/worldTemplates.js";
import type { Judge, SampleCache, VerdictProbabilityCache } from "../../judge/types.js";
import type { DemoMethodResult } from "../types.js";
import type { PolicyPreset } from "./policyPresets.js";
import { btRewards, referenceScores, selectByKnockout, selectByScores } from "./policySelectors.js";
import type { PolicyAnswers, PolicyReferenceId, PolicySelection, PolicySelectorResult } from "./types.js";

export interface SelectorContext {
  seed: number;
  settings: PolicyPreset;
  /** The sampling of chain-of-thought judges (the demo's). */
  judgeSampling: SamplingConfig;
  engine: { threads: number; contextSize: number; parallelSequences: number };
  cache: SampleCache;
  probabilityCache: VerdictProbabilityCache;
  signal?: AbortSignal;
}

export interface PolicySelector {
  id: PolicySelectorResult["id"];
  name: string;
  scheme: PolicySelectorResult["scheme"];
  /** What its picks depend on besides the answers: the judge's model id, "none" for references. */
  modelId: string;
  /** Picks for every N of `ns` (each ≤ the answers per question), per question. */
  select(items: readonly PolicyAnswers[], ns: readonly number[]): Promise<PolicySelection[]>;
  dispose(): Promise<void>;
}

export const policyReferences: { id: PolicyReferenceId; name: string }[] = [
  { id: "oracle", name: "oracle (the hidden rule)" },
  { id: "random", name: "random" },
  { id: "longest", name: "longest answer" },
];

/** Questions judged at once (the engine batches their games). */
const questionConcurrency = 8;

export function openReferenceSelector(id: PolicyReferenceId, ctx: SelectorContext): PolicySelector {
  const name = policyReferences.find((r) => r.id === id)!.name;
  return {
    id,
    name,
    scheme: "scalar",
    modelId: "none",
    select: async (items, ns) =>
      items.map((item) => selectByScores(id, item, referenceScores(id, item), { ns, seed: ctx.seed })),
    dispose: async () => {},
  };
}

/** A demo judge as a selector; null for a method without a model. */
export async function openMethodSelector(
  method: DemoMethodResult,
  ctx: SelectorContext,
): Promise<PolicySelector | null> {
  if (method.model === null) return null;
  const { seed, signal } = ctx;
  const modelPath = method.model.path;
  const modelId = method.model.id;
  const limit = pLimit(questionConcurrency);
  const knockout = (judge: Judge) => (items: readonly PolicyAnswers[], ns: readonly number[]) =>
    Promise.all(
      items.map((item) =>
        limit(() =>
          selectByKnockout(judge, item, { ns, seed, concurrency: 8, ...(signal ? { signal } : {}) }),
        ),
      ),
    );
  if (method.id === "bt" || method.id === "pairrm") {
    const judge = await openHeadJudge({
      headFile: path.join(path.dirname(modelPath), "head.ckpt"),
      modelPath,
      template: worldTemplates.direct,
      orderMode: "both",
      seed,
    });
    const base = { id: method.id, name: method.name, modelId, dispose: () => judge.dispose() };
    if (method.id === "pairrm") return { ...base, scheme: "knockout", select: knockout(judge) };
    return {
      ...base,
      scheme: "scalar",
      select: (items, ns) =>
        Promise.all(
          items.map((item) =>
            limit(async () =>
              selectByScores(method.id, item, await btRewards(judge, item, signal), { ns, seed }),
            ),
          ),
        ),
    };
  }
  const engine = await openLlamaCppEngine({ modelPath, ...ctx.engine, ...(signal ? { signal } : {}) });
  const cot = method.reasoning;
  const judge = createLlmJudge(engine, {
    protocol: cot ? "cot" : "direct",
    template: cot ? worldTemplates.cot : worldTemplates.direct,
    orderMode: "both",
    seed,
    k: cot ? ctx.settings.cotKPerOrder : 1,
    sampling: ctx.judgeSampling,
    cache: ctx.cache,
    probabilityCache: ctx.probabilityCache,
  });
  return {
    id: method.id,
    name: method.name,
    scheme: "knockout",
    modelId,
    select: knockout(judge),
    dispose: () => engine.dispose(),
  };
}
