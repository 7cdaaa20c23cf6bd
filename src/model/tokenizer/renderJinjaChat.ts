/**
 * A GGUF's Jinja chat template rendered as llama-server renders it (llama.cpp common/chat.cpp at
 * 80fb11ac73e66d89eae2c6a91d8a77428fa733ed, the source node-llama-cpp 3.21.1 bundles):
 *
 * - the template sees `messages`, `bos_token`, `eos_token` (the vocabulary's BOS / EOS text),
 *   `add_generation_prompt`, `enable_thinking` (true, the server's default) and today's local date as
 *   `date_string` ("07 Dec 2026") and `datetime` ("Dec 07 2026") (`common_chat_template_direct_apply_impl`,
 *   `common_chat_extra_context`): a template that prints the date (Llama 3.1) renders a prompt
 *   that changes at midnight, on llama-server as here;
 * - a template that cannot show a system message (it raises, or the message's text does not
 *   appear) gets the system text merged into the next message, joined by "\n", as llama.cpp's
 *   `workaround::system_message_not_supported` does (capability probed as llama.cpp's
 *   `caps.supports_system_role`: a system message's text rendered or not);
 * - a prefilled assistant message (`continue_final_message`) is the rest of the chat rendered with
 *   the generation prompt, then the prefix's text (`generate_parser`: prompt + generation prompt +
 *   `msg.render_content()`).
 *
 * node-llama-cpp's JinjaTemplateChatWrapper renders an open assistant turn differently (it keeps the
 * text a template puts before the reply, e.g. Llama 2's space after `[/INST]`) and folds system
 * messages in its own words, so genrm renders the template itself, with the Jinja engine
 * node-llama-cpp uses (@huggingface/jinja).
 */
import { Template } from "@huggingface/jinja";
import { InputError, UnsupportedError } from "../../errors.js";
import type { ChatMessage } from "../../types.js";

export interface JinjaChatTemplate {
  /** Renders messages; `addGenerationPrompt` opens the assistant turn. */
  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string;
  /** Whether the template shows a system message (else it is merged into the next message). */
  readonly supportsSystemRole: boolean;
}

export function compileJinjaChatTemplate(
  source: string,
  specialText: { bos: string; eos: string },
): JinjaChatTemplate {
  let template: Template;
  try {
    template = new Template(source);
  } catch (error) {
    throw new UnsupportedError(`the chat template does not parse: ${(error as Error).message}`);
  }
  const run = (messages: readonly { role: string; content: string }[], addGenerationPrompt: boolean) =>
    template.render({
      messages,
      bos_token: specialText.bos,
      eos_token: specialText.eos,
      add_generation_prompt: addGenerationPrompt,
      enable_thinking: true,
      ...todayContext(new Date()),
    });
  const needle = "<System Needle>";
  let supportsSystemRole: boolean;
  try {
    supportsSystemRole = run(
      [
        { role: "system", content: needle },
        { role: "user", content: "Hey" },
      ],
      false,
    ).includes(needle);
  } catch {
    supportsSystemRole = false;
  }
  return {
    supportsSystemRole,
    render(messages, addGenerationPrompt) {
      let shown = messages.map((m) => ({ role: m.role, content: m.content }));
      if (!supportsSystemRole && shown[0]?.role === "system") {
        const [system, next, ...rest] = shown;
        shown = next ? [{ ...next, content: `${system!.content}\n${next.content}` }, ...rest] : [];
      }
      try {
        return run(shown, addGenerationPrompt);
      } catch (error) {
        // Templates reject chats they cannot show (`raise_exception`: roles out of order, ...).
        throw new InputError(`the chat template cannot render these messages: ${(error as Error).message}`, {
          field: "messages",
          got: shown.map((m) => m.role).join(", "),
        });
      }
    },
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** llama.cpp's `date_string` ("%d %b %Y") and `datetime` ("%b %d %Y"), local time, C locale. */
function todayContext(now: Date): { date_string: string; datetime: string } {
  const day = String(now.getDate()).padStart(2, "0");
  const month = MONTHS[now.getMonth()]!;
  const year = now.getFullYear();
  return { date_string: `${day} ${month} ${year}`, datetime: `${month} ${day} ${year}` };
}
