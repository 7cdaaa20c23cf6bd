/**
 * Options of an LLM judge and their one place of resolution. Every default is named here, and
 * cross-field problems are reported together as a ConfigError.
 */
import type { SamplingConfig } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import type { TemplateHash } from "../types.js";
import { defaultJudgeOptions, defaultProtocol } from "./judgeDefaults.js";
import { defaultAdaptive } from "./shouldStop.js";
import { defaultTemplates } from "./templates/builtinTemplates.js";
import { templateHash } from "./templates/templateHash.js";
import { validateTemplate } from "./templates/validateTemplate.js";

export { defaultJudgeOptions, defaultProtocol } from "./judgeDefaults.js";

import type {
  AdaptiveOptions,
  ErrorPolicy,
  JudgeTemplate,
  Order,
  OrderMode,
  Protocol,
  SampleCache,
  TiePolicy,
  VerdictProbabilityCache,
} from "./types.js";

export interface JudgeOptions {
  /** Defaults to the template's protocol, or "cot" when no template is given. */
  protocol?: Protocol;
  /** Defaults to the built-in template of the protocol (`defaultTemplates`). */
  template?: JudgeTemplate;
  /**
   * Samples per order for "cot" and "rationalizer" (upper bound when adaptive). Defaults to 1: one
   * rationale already costs up to `sampling.maxTokens` tokens; the paper's Maj@32 is `k: 32`.
   */
  k?: number;
  /** Defaults to "both" (PR-4); "random" is the paper/RewardBench-comparable single order. */
  orderMode?: OrderMode;
  /** Order of orderMode "fixed". Defaults to "AB". */
  fixedOrder?: Order;
  /** Seeds the order of each pair and every sample. Defaults to 0. */
  seed?: number;
  /** Defaults to `defaultSampling` (temperature 1.0, top-p 0.95: App. A.2.2). */
  sampling?: SamplingConfig;
  /** Stop sampling early (`shouldStop`); `true` means mode "decided". Defaults to false. */
  adaptive?: boolean | AdaptiveOptions;
  /** Samples requested per engine call when adaptive. Defaults to 4. */
  chunkSize?: number;
  /** Defaults to "half". */
  tiePolicy?: TiePolicy;
  /** Defaults to "ignore". */
  errorPolicy?: ErrorPolicy;
  /** Defaults to "none". */
  smoothing?: "none" | "laplace";
  /** Verdict pattern for `parseVerdict`. Defaults to `[[A]]` / `[[B]]`. */
  verdictFormat?: RegExp;
  /** Store of samples: hits are not regenerated, new samples are put as they arrive. Defaults to none. */
  cache?: SampleCache;
  /** Store of verdict-token read-outs (direct protocol, logprob tie-break). Defaults to none. */
  probabilityCache?: VerdictProbabilityCache;
}

export interface JudgeConfig {
  protocol: Protocol;
  template: JudgeTemplate;
  templateHash: TemplateHash;
  k: number;
  orderMode: OrderMode;
  fixedOrder: Order;
  seed: number;
  sampling: SamplingConfig;
  adaptive: Required<AdaptiveOptions> | null;
  chunkSize: number;
  tiePolicy: TiePolicy;
  errorPolicy: ErrorPolicy;
  smoothing: "none" | "laplace";
  verdictFormat: RegExp | undefined;
  cache: SampleCache | undefined;
  probabilityCache: VerdictProbabilityCache | undefined;
}

export function resolveJudgeConfig(options: JudgeOptions = {}): JudgeConfig {
  const {
    k = defaultJudgeOptions.k,
    orderMode = defaultJudgeOptions.orderMode,
    fixedOrder = defaultJudgeOptions.fixedOrder,
    seed = defaultJudgeOptions.seed,
    sampling = defaultJudgeOptions.sampling,
    adaptive = defaultJudgeOptions.adaptive,
    chunkSize = defaultJudgeOptions.chunkSize,
    tiePolicy = defaultJudgeOptions.tiePolicy,
    errorPolicy = defaultJudgeOptions.errorPolicy,
    smoothing = defaultJudgeOptions.smoothing,
  } = options;
  const protocol = options.protocol ?? options.template?.protocol ?? defaultProtocol;
  const template = options.template ?? defaultTemplates[protocol];

  const issues: string[] = [];
  if (template.protocol !== protocol) {
    issues.push(`template: ${template.id} is a ${template.protocol} template, but protocol is ${protocol}`);
  }
  issues.push(...validateTemplate(template).map((issue) => `template.${issue}`));
  if (!Number.isInteger(k) || k < 1) issues.push(`k: must be a positive integer, got ${k}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    issues.push(`chunkSize: must be a positive integer, got ${chunkSize}`);
  }
  if (!Number.isInteger(seed)) issues.push(`seed: must be an integer, got ${seed}`);
  const resolvedAdaptive =
    adaptive === false ? null : { ...defaultAdaptive, ...(adaptive === true ? {} : adaptive) };
  if (resolvedAdaptive && !(resolvedAdaptive.confidence > 0 && resolvedAdaptive.confidence < 1)) {
    issues.push(`adaptive.confidence: must be in (0, 1), got ${resolvedAdaptive.confidence}`);
  }
  if (resolvedAdaptive && !(resolvedAdaptive.prior > 0 && Number.isFinite(resolvedAdaptive.prior))) {
    issues.push(`adaptive.prior: must be a positive number, got ${resolvedAdaptive.prior}`);
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    protocol,
    template,
    templateHash: templateHash(template),
    k,
    orderMode,
    fixedOrder,
    seed,
    sampling,
    adaptive: resolvedAdaptive,
    chunkSize,
    tiePolicy,
    errorPolicy,
    smoothing,
    verdictFormat: options.verdictFormat,
    cache: options.cache,
    probabilityCache: options.probabilityCache,
  };
}
