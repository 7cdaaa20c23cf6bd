/**
 * `genrm judge`: one pair from the command line, for trying a judge or a template by hand.
 */
import { buildPair } from "../../data/index.js";
import { openEngine } from "../../engine/openEngine.js";
import { createLlmJudge, loadTemplate } from "../../judge/index.js";
import type { Judgment, OrderMode, Protocol } from "../../judge/types.js";

export interface JudgeCommandOptions {
  prompt: string;
  a: string;
  b: string;
  model?: string;
  baseUrl?: string[];
  lora?: string[];
  threads?: number;
  parallel?: number;
  contextSize?: number;
  protocol?: Protocol;
  template?: string;
  k?: number;
  order?: OrderMode;
  seed?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  json?: boolean;
}

export async function runJudgeCommand(options: JudgeCommandOptions): Promise<Judgment> {
  const pair = buildPair({
    source: "cli",
    prompt: [{ role: "user", content: options.prompt }],
    responseA: options.a,
    responseB: options.b,
    label: "tie",
  });
  const engine = await openEngine({
    ...(options.model ? { model: options.model } : {}),
    ...(options.baseUrl ? { baseUrls: options.baseUrl } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.parallel !== undefined ? { parallelSequences: options.parallel } : {}),
    ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
    ...(options.lora ? { lora: options.lora.map((p) => ({ path: p })) } : {}),
  });
  try {
    const template = options.template ? await loadTemplate(options.template) : undefined;
    const judge = createLlmJudge(engine, {
      protocol: options.protocol ?? "cot",
      ...(template ? { template } : {}),
      k: options.k ?? 1,
      orderMode: options.order ?? "both",
      seed: options.seed ?? 0,
      sampling: {
        temperature: options.temperature ?? 1.0,
        topP: options.topP ?? 0.95,
        maxTokens: options.maxTokens ?? 1024,
      },
    });
    const judgment = await judge.judge(pair);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(judgment, null, 2)}\n`);
    } else {
      for (const s of judgment.samples) {
        process.stdout.write(
          `--- sample ${s.order} #${s.index} (seed ${s.seed}) → ${s.verdict}\n${s.text}\n`,
        );
      }
      process.stdout.write(
        `verdict ${judgment.verdict}  P(A better) ${judgment.pA === null ? "-" : judgment.pA.toFixed(3)}  votes A ${judgment.votes.A} / B ${judgment.votes.B} / error ${judgment.votes.error}\n`,
      );
    }
    return judgment;
  } finally {
    await engine.dispose();
  }
}
