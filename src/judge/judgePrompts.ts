/**
 * The prompts a judge sends for a pair, one per order it would use: the rendered messages, the
 * forced assistant prefix, their hash (the one stored with each sample), and where the engine
 * applies the chat template itself, the exact text and token ids the model reads. Behind
 * `genrm judge --show-prompt` and `genrm eval --dump-prompts`.
 */
import type { PreferencePair } from "../data/types.js";
import type { Engine } from "../engine/types.js";
import type { ChatMessage } from "../types.js";
import { ordersFor } from "./orderFor.js";
import { promptHash } from "./promptHash.js";
import { renderJudgePrompt } from "./templates/renderJudgePrompt.js";
import type { JudgeTemplate, Order, OrderMode } from "./types.js";

export interface JudgePrompt {
  pairId: string;
  order: Order;
  promptHash: string;
  messages: ChatMessage[];
  assistantPrefix: string;
  /** What the model reads (chat template applied), where the engine knows it (embedded). */
  rendered?: { text: string; tokens: number[] };
}

export async function judgePrompts(
  engine: Pick<Engine, "renderPrompt">,
  pair: PreferencePair,
  options: { template: JudgeTemplate; orderMode: OrderMode; seed: number; fixedOrder?: Order },
): Promise<JudgePrompt[]> {
  const { template } = options;
  const orders = ordersFor(pair.id, {
    mode: options.orderMode,
    seed: options.seed,
    ...(options.fixedOrder ? { fixedOrder: options.fixedOrder } : {}),
  });
  const out: JudgePrompt[] = [];
  for (const order of orders) {
    const messages = renderJudgePrompt(template, pair, order);
    const assistantPrefix = template.assistantPrefix ?? "";
    const rendered = engine.renderPrompt ? await engine.renderPrompt(messages, assistantPrefix) : undefined;
    out.push({
      pairId: pair.id,
      order,
      promptHash: promptHash({ messages, assistantPrefix: template.assistantPrefix }),
      messages,
      assistantPrefix,
      ...(rendered ? { rendered } : {}),
    });
  }
  return out;
}
