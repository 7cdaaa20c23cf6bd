/**
 * Post-rationalisation (paper-spec §1.9, §2.3): the judge is told the gold winner and writes a
 * rationale for it. The training example keeps the prompt WITHOUT the hint, followed by the
 * rationale, so the trained judge learns to reach the verdict unaided.
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import { throwIfAborted } from "../errors.js";
import type { ChatMessage, PairId, Slot } from "../types.js";
import { buildJudgment, llmProvenance } from "./buildJudgment.js";
import { combineOrders } from "./combineOrders.js";
import { undoOrder } from "./drawJudgeSamples.js";
import type { JudgePairOptions } from "./judgePair.js";
import { ordersFor } from "./orderFor.js";
import { type JudgeConfig, resolveJudgeConfig } from "./resolveJudgeConfig.js";
import { sampleVerdicts } from "./sampleVerdicts.js";
import { renderJudgePrompt } from "./templates/renderJudgePrompt.js";
import type { Judgment, Order } from "./types.js";

export interface RationaleExample {
  pairId: PairId;
  order: Order;
  index: number;
  seed: number;
  /** The judge prompt without the hint: what the trained judge will see. */
  prompt: ChatMessage[];
  /** The assistant's answer as trained on: the template's forced prefix, if any, plus the text. */
  completion: string;
  /** The gold winner's display slot, i.e. the verdict the completion should end with. */
  winner: Slot;
  /** The completion's parsed verdict is the hinted winner (inconsistent ones are usually dropped). */
  consistent: boolean;
}

export interface RationalizeResult {
  /** Votes over the hinted samples: how often the rationalizer followed its hint. */
  judgment: Judgment;
  examples: RationaleExample[];
}

/** Rationales for the pair's gold label. Options as `judgePair`; protocol defaults to "rationalizer". */
export async function rationalizePair(
  engine: Engine,
  pair: PreferencePair,
  options: JudgePairOptions = {},
): Promise<RationalizeResult> {
  const config = resolveJudgeConfig({
    ...options,
    protocol: options.protocol ?? options.template?.protocol ?? "rationalizer",
  });
  return rationalizeWithConfig(engine, pair, config, options.signal);
}

export async function rationalizeWithConfig(
  engine: Engine,
  pair: PreferencePair,
  config: JudgeConfig,
  signal?: AbortSignal,
): Promise<RationalizeResult> {
  throwIfAborted(signal);
  const startedAt = performance.now();
  const orders = ordersFor(pair.id, {
    mode: config.orderMode,
    seed: config.seed,
    fixedOrder: config.fixedOrder,
  });
  const provenance = llmProvenance(engine.info, config);
  const gold = pair.label;
  if (gold === "tie") {
    const judgment = buildJudgment({
      pairId: pair.id,
      verdict: "error",
      pA: null,
      orders,
      samples: [],
      stoppedEarly: false,
      promptTokens: 0,
      errors: [`pair ${pair.id}: the rationalizer needs a gold winner, but the label is "tie"`],
      provenance,
      startedAt,
    });
    return { judgment, examples: [] };
  }

  const sampled = await sampleVerdicts(engine, pair, orders, config, { signal, hint: gold });
  const combined = combineOrders(sampled.perOrder, {
    tiePolicy: config.tiePolicy,
    errorPolicy: config.errorPolicy,
  });
  const judgment = buildJudgment({
    pairId: pair.id,
    verdict: combined.verdict,
    pA: combined.pA,
    orders,
    samples: sampled.samples,
    stoppedEarly: sampled.stoppedEarly,
    promptTokens: sampled.promptTokens,
    errors: sampled.errors,
    provenance,
    startedAt,
  });

  const prefix = config.template.assistantPrefix ?? "";
  const examples = sampled.samples
    .filter((s) => s.stopReason !== "error" && s.stopReason !== "abort")
    .map(
      (s): RationaleExample => ({
        pairId: pair.id,
        order: s.order,
        index: s.index,
        seed: s.seed,
        prompt: renderJudgePrompt(config.template, pair, s.order),
        completion: prefix + s.text,
        winner: undoOrder(gold, s.order),
        consistent: s.verdict === gold,
      }),
    );
  return { judgment, examples };
}
