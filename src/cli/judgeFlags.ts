/**
 * The engine and judge flags shared by `eval`, `judge`, `bon` and `serve` (added to commands by
 * `addEngineOptions` / `addJudgeOptions` in main.ts), turned into an Engine and JudgeOptions in one
 * place so every command resolves them the same way.
 */
import { openEngine } from "../engine/openEngine.js";
import type { Engine } from "../engine/types.js";
import { loadTemplate } from "../judge/index.js";
import type { JudgeOptions } from "../judge/resolveJudgeConfig.js";
import type { ErrorPolicy, OrderMode, Protocol, TiePolicy } from "../judge/types.js";

/** The judge and engine flags `addEngineOptions` / `addJudgeOptions` produce (shared with `serve`). */
export interface JudgeFlags {
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
  adaptive?: "decided" | "confidence";
  confidence?: number;
  seed?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  tiePolicy?: TiePolicy;
  errorPolicy?: ErrorPolicy;
}

export async function openJudgeEngine(flags: JudgeFlags): Promise<Engine> {
  return openEngine({
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.baseUrl ? { baseUrls: flags.baseUrl } : {}),
    ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
    ...(flags.parallel !== undefined ? { parallelSequences: flags.parallel } : {}),
    ...(flags.contextSize !== undefined ? { contextSize: flags.contextSize } : {}),
    ...(flags.lora ? { lora: flags.lora.map((p) => ({ path: p })) } : {}),
  });
}

export async function judgeOptionsFromFlags(flags: JudgeFlags): Promise<JudgeOptions> {
  const template = flags.template ? await loadTemplate(flags.template) : undefined;
  return {
    protocol: flags.protocol ?? "cot",
    ...(template ? { template } : {}),
    k: flags.k ?? 1,
    orderMode: flags.order ?? "both",
    seed: flags.seed ?? 0,
    sampling: {
      temperature: flags.temperature ?? 1.0,
      topP: flags.topP ?? 0.95,
      maxTokens: flags.maxTokens ?? 1024,
    },
    ...(flags.adaptive
      ? { adaptive: { mode: flags.adaptive, ...(flags.confidence ? { confidence: flags.confidence } : {}) } }
      : {}),
    ...(flags.tiePolicy ? { tiePolicy: flags.tiePolicy } : {}),
    ...(flags.errorPolicy ? { errorPolicy: flags.errorPolicy } : {}),
  };
}
