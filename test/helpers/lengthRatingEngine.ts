/**
 * A model-free engine that answers genrm's judge prompts by length: a rating prompt (RewardBench 2's
 * `[Response] … [Your judgement]`) gets the answer's length in characters, capped at 10; a 4-way
 * ranking prompt names the longest answer (the first on a tie); any other prompt (a pairwise judge's)
 * gets `[[A]]`. It logs every call, so tests can tell generated samples from stored ones, and can be
 * told to fail at a given call as an aborted engine does.
 */
import type { Engine, GenerateRequest, GenerateResult } from "../../src/engine/types.js";
import { AbortedError } from "../../src/errors.js";
import type { ModelId } from "../../src/types.js";

export interface LengthEngineCall {
  prompt: string;
  seeds: number[];
}

export type LengthRatingEngine = Engine & {
  /** The user message of every call, generated or failed. */
  prompts: string[];
  /** Every call that returned samples. */
  calls: LengthEngineCall[];
  /** Samples returned so far. */
  generated(): number;
};

export function lengthReply(user: string): string {
  const rated = /\[Response\]\n([\s\S]*)\n\n\[Your judgement\]$/.exec(user);
  if (rated) return `Explanation.\n\n${Math.max(1, Math.min(10, rated[1]!.length))}`;
  const answers = ["A", "B", "C", "D"].map(
    (s) =>
      new RegExp(`\\[The Start of Assistant ${s}'s Answer\\]\\n([\\s\\S]*?)\\n\\[The End`).exec(user)?.[1],
  );
  if (answers.every((a) => a !== undefined)) {
    const best = answers.reduce((b, a, i) => (a!.length > answers[b]!.length ? i : b), 0);
    return `Comparing. [[${"ABCD"[best]}]]`;
  }
  return "Assistant A is better. [[A]]";
}

export function lengthRatingEngine(
  options: {
    /** Before call number `at` (1-based) returns, `onCall` runs; throwing from it fails the call. */
    onCall?: (call: number, request: GenerateRequest) => void;
    reply?: (user: string) => string;
    modelId?: string;
  } = {},
): LengthRatingEngine {
  const prompts: string[] = [];
  const calls: LengthEngineCall[] = [];
  const reply = options.reply ?? lengthReply;
  return {
    info: {
      kind: "test",
      modelId: (options.modelId ?? "test:length") as ModelId,
      modelName: "length",
      supportsTokenProbabilities: false,
      deterministicSeeds: true,
    },
    prompts,
    calls,
    generated: () => calls.reduce((n, c) => n + c.seeds.length, 0),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const user = request.messages.at(-1)!.content;
      prompts.push(user);
      options.onCall?.(prompts.length, request);
      if (request.signal?.aborted) throw new AbortedError(request.signal.reason);
      const text = reply(user);
      calls.push({ prompt: user, seeds: [...request.seeds] });
      return {
        samples: request.seeds.map((seed) => ({
          text,
          completionTokens: 3,
          stopReason: "eos" as const,
          seed,
        })),
        promptTokens: 10,
      };
    },
    async tokenProbabilities(): Promise<never> {
      throw new Error("not used");
    },
    async dispose() {},
    async [Symbol.asyncDispose]() {},
  };
}
