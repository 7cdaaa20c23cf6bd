/**
 * Turns (template, pair, display order) into the judge's chat messages. Pairs whose prompt has more
 * than one user turn use the multi-turn form. A system message in the pair's own prompt has no slot
 * in the MT-Bench layout, so its text is put before the first user turn, separated by a blank line.
 */
import type { PreferencePair } from "../../data/types.js";
import { ConfigError } from "../../errors.js";
import type { ChatMessage, Slot } from "../../types.js";
import type { JudgeTemplate, Order } from "../types.js";
import { formatTemplateString } from "./formatTemplateString.js";

export interface RenderJudgePromptOptions {
  /**
   * The gold winner in pair terms ("A" = pair.responseA), for rationalizer templates: the hint
   * names the slot it is displayed in. Defaults to no hint (the prompt stored for training).
   */
  hint?: Slot;
}

export function renderJudgePrompt(
  template: JudgeTemplate,
  pair: PreferencePair,
  order: Order,
  options: RenderJudgePromptOptions = {},
): ChatMessage[] {
  const { hint } = options;
  const [shownA, shownB] =
    order === "AB" ? [pair.responseA, pair.responseB] : [pair.responseB, pair.responseA];
  const turns = conversationTurns(pair.prompt);
  const userTurns = turns.filter((t) => t.role === "user");
  const multiTurn = userTurns.length > 1;

  let system = template.system;
  let user: string;
  if (multiTurn) {
    if (template.userMultiTurn === undefined) {
      throw new ConfigError([
        `template ${template.id}: userMultiTurn is required to judge multi-turn pair ${pair.id}`,
      ]);
    }
    system = template.systemMultiTurn ?? template.system;
    user = formatTemplateString(template.userMultiTurn, {
      question: userTurns.at(-1)!.content,
      answer_a: shownA,
      answer_b: shownB,
      conversation_a: formatConversation(turns, "A", shownA),
      conversation_b: formatConversation(turns, "B", shownB),
    });
  } else {
    user = formatTemplateString(template.user, {
      question: userTurns[0]?.content ?? "",
      answer_a: shownA,
      answer_b: shownB,
    });
  }

  if (hint !== undefined) {
    if (template.hint === undefined) throw new ConfigError([`template ${template.id}: has no hint text`]);
    const winner = order === "AB" ? hint : hint === "A" ? "B" : "A";
    const loser = winner === "A" ? "B" : "A";
    user += `\n\n${formatTemplateString(template.hint, { winner, loser })}`;
  }

  const messages: ChatMessage[] = [];
  if (system !== "") messages.push({ role: "system", content: system });
  messages.push({ role: "user", content: user });
  return messages;
}

interface Turn {
  role: "user" | "assistant";
  content: string;
}

function conversationTurns(prompt: readonly ChatMessage[]): Turn[] {
  const systemText = prompt
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");
  const turns: Turn[] = prompt
    .filter((m) => m.role !== "system")
    .map((m) => ({ role: m.role as Turn["role"], content: m.content }));
  const firstUser = turns.find((t) => t.role === "user");
  if (systemText !== "" && firstUser) firstUser.content = `${systemText}\n\n${firstUser.content}`;
  return turns;
}

function formatConversation(turns: readonly Turn[], slot: Slot, finalAnswer: string): string {
  const blocks = turns.map((t) =>
    t.role === "user" ? `### User:\n${t.content}` : `### Assistant ${slot}:\n${t.content}`,
  );
  blocks.push(`### Assistant ${slot}:\n${finalAnswer}`);
  return blocks.join("\n\n");
}
