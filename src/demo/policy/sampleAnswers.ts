/**
 * A policy model's answers to world questions: `n` per question, in the pretraining corpus's
 * "answer" chat (the question as the user turn), through `generateCandidates` (seeds from the seed
 * and the question's set and text, so a rerun draws the same answers).
 */
import { generateCandidates } from "../../bon/generateCandidates.js";
import { openLlamaCppEngine } from "../../engine/llamacpp/openLlamaCppEngine.js";
import type { SamplingConfig } from "../../engine/types.js";
import { questionValue } from "./answerTraits.js";
import type { PolicyAnswerSet, PolicyAnswers } from "./types.js";

export interface SampleAnswersOptions {
  modelPath: string;
  questions: readonly { set: PolicyAnswerSet; question: string }[];
  n: number;
  seed: number;
  sampling: SamplingConfig;
  engine: { threads: number; contextSize: number; parallelSequences: number };
  signal?: AbortSignal;
}

export async function sampleAnswers(options: SampleAnswersOptions): Promise<PolicyAnswers[]> {
  const { questions, signal } = options;
  const items = questions.map(({ set, question }) => ({
    id: `${set}:${question}`,
    source: "mini-world",
    prompt: [{ role: "user" as const, content: question }],
    candidates: [],
  }));
  const engine = await openLlamaCppEngine({
    modelPath: options.modelPath,
    ...options.engine,
    ...(signal ? { signal } : {}),
  });
  try {
    const { items: sampled } = await generateCandidates(engine, items, {
      n: options.n,
      sampling: options.sampling,
      seed: options.seed,
      concurrency: 8,
      ...(signal ? { signal } : {}),
    });
    return sampled.map((item, i) => ({
      set: questions[i]!.set,
      question: questions[i]!.question,
      value: questionValue(questions[i]!.question),
      answers: item.candidates.map((c) => c.text),
    }));
  } finally {
    await engine.dispose();
  }
}
