/**
 * Judges one pair with an LLM. Protocols (paper-spec §1.5–1.7, §1.12):
 * - "cot": k sampled rationales per display order, verdicts parsed, display order undone, majority
 *   vote within each order, orders combined by p_sym.
 * - "direct": verdict-token probabilities after the forced "[[" prefix, one read-out per order.
 * - "rationalizer": rationales written with the gold winner as a hint (see `rationalizePair`).
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import { AbortedError, throwIfAborted, UnsupportedError } from "../errors.js";
import { buildJudgment, llmProvenance } from "./buildJudgment.js";
import { combineOrders, type OrderResult } from "./combineOrders.js";
import { breakTie } from "./majorityVote.js";
import { ordersFor } from "./orderFor.js";
import { rationalizeWithConfig } from "./rationalizePair.js";
import { readVerdictProbabilities } from "./readVerdictProbabilities.js";
import { type JudgeConfig, type JudgeOptions, resolveJudgeConfig } from "./resolveJudgeConfig.js";
import { sampleVerdicts } from "./sampleVerdicts.js";
import { renderJudgePrompt } from "./templates/renderJudgePrompt.js";
import type { Judgment, Order, OrderProbability } from "./types.js";

export interface JudgePairOptions extends JudgeOptions {
  signal?: AbortSignal;
}

export async function judgePair(
  engine: Engine,
  pair: PreferencePair,
  options: JudgePairOptions = {},
): Promise<Judgment> {
  return judgeWithConfig(engine, pair, resolveJudgeConfig(options), options.signal);
}

/** `judgePair` with options already resolved (a judge resolves once, then judges many pairs). */
export async function judgeWithConfig(
  engine: Engine,
  pair: PreferencePair,
  config: JudgeConfig,
  signal?: AbortSignal,
): Promise<Judgment> {
  throwIfAborted(signal);
  switch (config.protocol) {
    case "cot":
      return judgeCot(engine, pair, config, signal);
    case "direct":
      return judgeDirect(engine, pair, config, signal);
    case "rationalizer":
      return (await rationalizeWithConfig(engine, pair, config, signal)).judgment;
  }
}

async function judgeCot(engine: Engine, pair: PreferencePair, config: JudgeConfig, signal?: AbortSignal) {
  const startedAt = performance.now();
  const orders = ordersFor(pair.id, {
    mode: config.orderMode,
    seed: config.seed,
    fixedOrder: config.fixedOrder,
  });
  const sampled = await sampleVerdicts(engine, pair, orders, config, { signal });
  const errors = [...sampled.errors];
  let promptTokens = sampled.promptTokens;
  const { tiePolicy, errorPolicy } = config;
  let combined = combineOrders(sampled.perOrder, {
    tiePolicy: tiePolicy === "logprob" ? "half" : tiePolicy,
    errorPolicy,
  });

  const probabilities: OrderProbability[] = [];
  // OQ-7's product-mode tie-break: ask the same prompt for the verdict token directly.
  if (
    errors.length === 0 &&
    combined.verdict === "tie" &&
    tiePolicy === "logprob" &&
    engine.info.supportsTokenProbabilities
  ) {
    const readout = await readOrders(
      engine,
      pair,
      config,
      orders,
      (order) => sampled.messages.get(order)!,
      undefined,
      signal,
    );
    promptTokens += readout.promptTokens;
    errors.push(...readout.errors);
    probabilities.push(...readout.probabilities);
    if (readout.probabilities.length > 0) {
      const tieBreakPA = readout.probabilities.reduce((s, p) => s + p.pA, 0) / readout.probabilities.length;
      combined = { verdict: breakTie("logprob", tieBreakPA), pA: combined.pA };
    }
  }

  return buildJudgment({
    pairId: pair.id,
    verdict: combined.verdict,
    pA: combined.pA,
    orders,
    samples: sampled.samples,
    probabilities,
    stoppedEarly: sampled.stoppedEarly,
    promptTokens,
    errors,
    provenance: llmProvenance(engine.info, config),
    startedAt,
  });
}

async function judgeDirect(engine: Engine, pair: PreferencePair, config: JudgeConfig, signal?: AbortSignal) {
  if (!engine.info.supportsTokenProbabilities) {
    throw new UnsupportedError(
      `engine ${engine.info.modelName} (${engine.info.kind}) cannot read token probabilities`,
      {
        hint: 'use protocol "cot", or an engine that returns logprobs',
      },
    );
  }
  const startedAt = performance.now();
  const orders = ordersFor(pair.id, {
    mode: config.orderMode,
    seed: config.seed,
    fixedOrder: config.fixedOrder,
  });
  const readout = await readOrders(
    engine,
    pair,
    config,
    orders,
    (order) => renderJudgePrompt(config.template, pair, order),
    config.template.assistantPrefix,
    signal,
  );
  const perOrder: OrderResult[] = orders.map((order) => {
    const p = readout.probabilities.find((x) => x.order === order);
    return p
      ? { verdict: p.pA > 0.5 ? "A" : p.pA < 0.5 ? "B" : "tie", pA: p.pA }
      : { verdict: "error", pA: null };
  });
  const combined = combineOrders(perOrder, { tiePolicy: config.tiePolicy, errorPolicy: config.errorPolicy });
  return buildJudgment({
    pairId: pair.id,
    verdict: combined.verdict,
    pA: combined.pA,
    orders,
    samples: [],
    votes: {
      A: perOrder.filter((o) => o.verdict === "A").length,
      B: perOrder.filter((o) => o.verdict === "B").length,
      error: perOrder.filter((o) => o.verdict === "error").length,
    },
    probabilities: readout.probabilities,
    stoppedEarly: false,
    promptTokens: readout.promptTokens,
    errors: readout.errors,
    provenance: llmProvenance(engine.info, config),
    startedAt,
  });
}

/**
 * Verdict-token read-out per order. A transport failure is an engine error; a read-out where
 * neither letter is possible is an unparseable vote, so that order is simply missing.
 */
async function readOrders(
  engine: Engine,
  pair: PreferencePair,
  config: JudgeConfig,
  orders: readonly Order[],
  messagesFor: (order: Order) => ReturnType<typeof renderJudgePrompt>,
  assistantPrefix: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ probabilities: OrderProbability[]; promptTokens: number; errors: string[] }> {
  const out = { probabilities: [] as OrderProbability[], promptTokens: 0, errors: [] as string[] };
  for (const order of orders) {
    throwIfAborted(signal);
    try {
      const store = config.probabilityCache;
      const key = { modelId: engine.info.modelId, templateHash: config.templateHash, pairId: pair.id, order };
      const r = await readVerdictProbabilities(engine, messagesFor(order), order, {
        assistantPrefix,
        signal,
        ...(store ? { cache: { store, key } } : {}),
      });
      out.promptTokens += r.promptTokens;
      if (r.probability) out.probabilities.push(r.probability);
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      if (error instanceof AbortedError) throw error;
      out.errors.push(`${order}: ${error instanceof Error ? error.message : String(error)}`);
      break;
    }
  }
  return out;
}
