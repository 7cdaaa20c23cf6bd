/**
 * The sampling half of the CoT and rationalizer protocols: for each display order, draw the
 * samples, then vote within the order. Orders are combined by the caller.
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import type { ChatMessage, Slot } from "../types.js";
import type { OrderResult } from "./combineOrders.js";
import { drawJudgeSamples } from "./drawJudgeSamples.js";
import { countVotes, voteFromCounts } from "./majorityVote.js";
import type { JudgeConfig } from "./resolveJudgeConfig.js";
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
  const out: SampledOrders = {
    samples: [],
    perOrder: [],
    messages: new Map(),
    promptTokens: 0,
    errors: [],
    stoppedEarly: false,
  };
  for (const order of orders) {
    const messages = renderJudgePrompt(config.template, pair, order, { hint: options.hint });
    out.messages.set(order, messages);
    const drawn = await drawJudgeSamples(engine, pair, order, messages, config, options.signal);
    out.samples.push(...drawn.samples);
    out.promptTokens += drawn.promptTokens;
    out.stoppedEarly ||= drawn.stoppedEarly;
    if (drawn.errors.length > 0) {
      out.errors.push(...drawn.errors);
      break;
    }
    const counts = countVotes(drawn.samples.map((s) => s.verdict));
    out.perOrder.push(
      voteFromCounts(counts, {
        tiePolicy: "half",
        errorPolicy: config.errorPolicy,
        smoothing: config.smoothing,
      }),
    );
  }
  return out;
}
