/**
 * A model-free Engine for reward-server tests: the length baseline behind the Engine interface.
 * The real LLM judge (direct or CoT protocol, built-in templates or any template that keeps the
 * "[The Start of Assistant A's Answer]" layout), the scheduler and the routes all run unchanged,
 * without llama.cpp, in milliseconds. The longer shown answer wins; every prompt the judge sent is
 * recorded, so a test can read what the judge was actually asked to compare.
 */
import type { Engine, GenerateRequest, TokenProbabilitiesRequest } from "../../../src/engine/types.js";
import { AbortedError } from "../../../src/errors.js";
import type { ChatMessage, ModelId } from "../../../src/types.js";

export interface LengthEngine extends Engine {
  /** The judge's messages of every call, in arrival order. */
  readonly seen: ChatMessage[][];
  /** The two answers shown in a judge prompt (display order), or null when the layout is unknown. */
  shown(messages: readonly ChatMessage[]): { a: string; b: string } | null;
}

export function lengthEngine(
  options: { delayMs?: number; contextSize?: number; record?: boolean } = {},
): LengthEngine {
  // `record: false` keeps `seen` empty: a soak's memory must be the server's, not the test's log.
  const { delayMs = 0, contextSize, record = true } = options;
  const seen: ChatMessage[][] = [];
  const shown = (messages: readonly ChatMessage[]) => {
    const user = messages.at(-1)?.content ?? "";
    const answer = (slot: "A" | "B") =>
      new RegExp(
        `\\[The Start of Assistant ${slot}'s Answer\\]\\n([\\s\\S]*)\\n\\[The End of Assistant ${slot}'s Answer\\]`,
      ).exec(user)?.[1];
    const a = answer("A");
    const b = answer("B");
    return a === undefined || b === undefined ? null : { a, b };
  };
  const verdict = async (messages: ChatMessage[], signal: AbortSignal | undefined) => {
    if (record) seen.push(messages);
    if (delayMs > 0) await sleep(delayMs, signal);
    const answers = shown(messages);
    if (!answers) throw new Error("lengthEngine: no answers in the judge prompt");
    const diff = answers.a.length - answers.b.length;
    return { pShownA: diff > 0 ? 0.9 : diff < 0 ? 0.1 : 0.5, promptTokens: messages.at(-1)!.content.length };
  };
  const engine: LengthEngine = {
    info: {
      kind: "length-test",
      modelId: "test:length" as ModelId,
      modelName: "length",
      supportsTokenProbabilities: true,
      deterministicSeeds: true,
      // The server sizes its input bound from the engine's context, as it does for the embedded engine.
      ...(contextSize !== undefined ? { contextSize } : {}),
    },
    seen,
    shown,
    async tokenProbabilities(request: TokenProbabilitiesRequest) {
      const { pShownA, promptTokens } = await verdict(request.messages, request.signal);
      return { logprobs: { A: Math.log(pShownA), B: Math.log(1 - pShownA) }, promptTokens };
    },
    async generate(request: GenerateRequest) {
      const { pShownA, promptTokens } = await verdict(request.messages, request.signal);
      const letter = pShownA >= 0.5 ? "A" : "B";
      return {
        samples: request.seeds.map((seed) => ({
          text: `The longer one is better. [[${letter}]]`,
          completionTokens: 8,
          stopReason: "eos" as const,
          seed,
        })),
        promptTokens,
      };
    },
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  return engine;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(signal.reason));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(signal?.reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
