/**
 * The sampling half of the CoT and rationalizer protocols: draw each display order's samples
 * (adaptively, on the orders' combined vote, when asked), then vote within each order. Orders are
 * combined by the caller.
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import type { ChatMessage, Slot } from "../types.js";
import type { OrderResult } from "./combineOrders.js";
import { drawJudgeSamples } from "./drawJudgeSamples.js";
import { countVotes, voteFromCounts } from "./majorityVote.js";
import type { JudgeConfig } from "./resolveJudgeConfig.js";
import { fewestSamplesToStop, shouldStopOrders } from "./shouldStop.js";
import { renderJudgePrompt } from "./templates/renderJudgePrompt.js";
import type { JudgeSample, Order } from "./types.js";

export interface SampledOrders {
  samples: JudgeSample[];
  /** Per-order vote with ties left as ties; the tie policy applies after orders are combined. */
  perOrder: OrderResult[];
  messages: Map<Order, ChatMessage[]>;
  promptTokens: number;
  errors: string[];
  stoppedEarly: boolean;
}

export async function sampleVerdicts(
  engine: Engine,
  pair: PreferencePair,
  orders: readonly Order[],
  config: JudgeConfig,
  options: { signal?: AbortSignal; hint?: Slot } = {},
): Promise<SampledOrders> {
  const { k, adaptive, chunkSize } = config;
  const out: SampledOrders = {
    samples: [],
    perOrder: [],
    messages: new Map(),
    promptTokens: 0,
    errors: [],
    stoppedEarly: false,
  };
  for (const order of orders) {
    out.messages.set(order, renderJudgePrompt(config.template, pair, order, { hint: options.hint }));
  }
  const drawn = new Map<Order, JudgeSample[]>(orders.map((order) => [order, []]));
  const countsOf = (order: Order) => countVotes(drawn.get(order)!.map((s) => s.verdict));

  // Adaptive voting draws the orders in interleaved rounds (the first as long as the fewest samples
  // the rule could stop on, then `chunkSize` each) and decides on their combined vote after every
  // round; a full run draws each order's k in one call. Either
  // way the samples (by seed) and the stopping point depend only on the verdicts, never on timing.
  let next = 0;
  rounds: while (next < k) {
    if (adaptive && next > 0 && shouldStopOrders(orders.map(countsOf), k, adaptive)) break;
    const end = !adaptive
      ? k
      : next === 0
        ? fewestSamplesToStop(orders.length, k, adaptive)
        : Math.min(k, next + chunkSize);
    for (const order of orders) {
      const range = { from: next, to: end };
      const result = await drawJudgeSamples(
        engine,
        pair,
        order,
        out.messages.get(order)!,
        config,
        range,
        options.signal,
      );
      drawn.get(order)!.push(...result.samples);
      out.promptTokens += result.promptTokens;
      if (result.errors.length > 0) {
        out.errors.push(...result.errors);
        break rounds;
      }
    }
    next = end;
  }

  for (const order of orders) out.samples.push(...drawn.get(order)!);
  if (out.errors.length > 0) return out;
  out.stoppedEarly = next < k;
  for (const order of orders) {
    out.perOrder.push(
      voteFromCounts(countsOf(order), {
        tiePolicy: "half",
        errorPolicy: config.errorPolicy,
        smoothing: config.smoothing,
      }),
    );
  }
  return out;
}
