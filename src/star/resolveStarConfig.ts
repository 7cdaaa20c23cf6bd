/**
 * Options of a STaR run and their one place of resolution. Defaults follow the paper where it says
 * something (paper-spec §1.8–1.11, §3.4) and its open-question recommendations where it does not
 * (§6: OQ-1 K = 8, OQ-2 reference = sampler, OQ-3 one pair per prompt, OQ-4 continue from
 * M_{t−1}, OQ-5 keep every correct chain, OQ-6 rationalise all prompts, OQ-12 one seeded order per
 * pair, OQ-13 truncated chains never train). Deviations forced by scale are in docs/star.md.
 */
import type { SamplingConfig } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import { defaultTemplates } from "../judge/templates/builtinTemplates.js";
import { templateHash } from "../judge/templates/templateHash.js";
import { validateTemplate } from "../judge/templates/validateTemplate.js";
import type { JudgeTemplate, OrderMode } from "../judge/types.js";
import { resolveTrainConfig, type TrainConfig, type TrainOptions } from "../train/config.js";
import type { CommandTrainer } from "./runCommandTrainer.js";
import { defaultStarOptions, defaultStarTrain, rationalizerLrFull } from "./starDefaults.js";
import type { StarSampler } from "./starSampler.js";
import { type StarMethod, starMethods } from "./types.js";

export { defaultStarOptions, defaultStarTrain, rationalizerLrFull } from "./starDefaults.js";

export interface StarOptions {
  method: StarMethod;
  /** STaR iterations, each on its own disjoint slice of the pairs (App. A.3). Defaults to 3. */
  iterations?: number;
  /** Rationales sampled per pair per iteration (OQ-1). Defaults to 8. */
  k?: number;
  /**
   * A/B display order of the samples (OQ-12). "random": all K samples of a pair in one order drawn
   * from hash(seed, pair id), so the slice is balanced about 50/50 and a DPO pair always shares its
   * prompt; "both": K/2 samples in each order (K must be even), DPO pairs formed within one order.
   * Defaults to "random".
   */
  orders?: "random" | "both";
  /** Seeds slices, orders, samples, DPO pairing, caps and training. Defaults to 0. */
  seed?: number;
  /** CoT judge template used to sample and as the training prompt. Defaults to the built-in CoT template. */
  template?: JudgeTemplate;
  /** star-rationalizer: the template whose hint tells the gold winner. Defaults to the built-in rationalizer template, or `template` plus the built-in hint when `template` is given. */
  rationalizerTemplate?: JudgeTemplate;
  /** Defaults to temperature 1.0, top-p 0.95 (App. A.2.2), 1024 new tokens. */
  sampling?: SamplingConfig;
  /** star-sft and star-rationalizer: keep at most this many chains per pair (OQ-5). Defaults to no cap. */
  maxPerPair?: number | null;
  /** star-sft: drop correct chains whose text repeats a kept one of the same pair (OQ-5). Defaults to false. */
  dedupe?: boolean;
  /** star-dpo: "one" random correct × random wrong per prompt, or "max" min(#correct, #wrong) disjoint pairs (OQ-3). Defaults to "one". */
  pairsPerPrompt?: "one" | "max";
  /** star-dpo: the frozen reference: the model that sampled the pairs, or the base model (OQ-2). Defaults to "sampler". */
  reference?: "sampler" | "base";
  /** star-dpo: a chain that finished without a verdict may be the rejected side (§1.8: unparseable is wrong). Defaults to true. */
  rejectUnparseable?: boolean;
  /** star-rationalizer: rationalise "all" prompts (paper) or only those self-sampling "failed" (classic STaR, OQ-6). Defaults to "all". */
  rationalize?: "all" | "failed";
  /** star-rationalizer: also keep rationales whose verdict contradicts the hint. Defaults to false. */
  keepInconsistent?: boolean;
  /** Train each iteration from the base model on all data so far (classic STaR) instead of continuing from M_{t−1} (OQ-4). Defaults to false. */
  restartFromBase?: boolean;
  /**
   * A diagnostic: whether a training row's rationale (SFT completion, DPO chosen) is well formed in
   * the task's grammar. When given, each iteration counts the rows it is not (`counts.malformedRows`).
   * It never filters. Defaults to none (not counted).
   */
  rationaleCheck?: (text: string) => boolean;
  /** Trainer options (method is set by STaR). Defaults: LoRA r 8, 3 epochs (UltraFeedback, Table 3), DPO β 1.0, checkpoint every 10 steps. */
  train?: Omit<TrainOptions, "method">;
  /** Samples per order when evaluating each iteration's model. Defaults to 1. */
  evalK?: number;
  /** Display order when evaluating. Defaults to "random" (paper-comparable). */
  evalOrder?: OrderMode;
  /** Pairs sampled at once (the engine batches their samples). Defaults to 4. */
  concurrency?: number;
  /** Embedded engine settings. Defaults: the engine's (real core count, 8 sequences, 4096 context). */
  engine?: { threads?: number; contextSize?: number; parallelSequences?: number };
  /** Who trains each iteration. Defaults to genrm's embedded trainer. */
  trainer?: { kind: "embedded" } | CommandTrainer;
  /** Where samples come from and how each new model gets there. Defaults to the embedded engine. */
  sampler?: StarSampler;
}

export interface StarConfig {
  method: StarMethod;
  iterations: number;
  k: number;
  orders: "random" | "both";
  seed: number;
  template: JudgeTemplate;
  templateHash: string;
  rationalizerTemplate: JudgeTemplate | null;
  sampling: SamplingConfig;
  maxPerPair: number | null;
  dedupe: boolean;
  pairsPerPrompt: "one" | "max";
  reference: "sampler" | "base";
  rejectUnparseable: boolean;
  rationalize: "all" | "failed";
  keepInconsistent: boolean;
  restartFromBase: boolean;
  rationaleCheck?: (text: string) => boolean;
  train: TrainConfig;
  evalK: number;
  evalOrder: OrderMode;
  concurrency: number;
  engine: { threads?: number; contextSize?: number; parallelSequences?: number };
  /** Absent: the embedded trainer (kept out of the config, so embedded runs hash as before). */
  trainer?: CommandTrainer;
  /** Absent: the embedded engine. */
  sampler?: Extract<StarSampler, { kind: "http" }>;
}

export function resolveStarConfig(options: StarOptions): StarConfig {
  const d = defaultStarOptions;
  const {
    method,
    iterations = d.iterations,
    k = d.k,
    orders = d.orders,
    seed = d.seed,
    sampling = d.sampling,
    maxPerPair = d.maxPerPair,
    dedupe = d.dedupe,
    pairsPerPrompt = d.pairsPerPrompt,
    reference = d.reference,
    rejectUnparseable = d.rejectUnparseable,
    rationalize = d.rationalize,
    keepInconsistent = d.keepInconsistent,
    restartFromBase = d.restartFromBase,
    evalK = d.evalK,
    evalOrder = d.evalOrder,
    concurrency = d.concurrency,
  } = options;
  const issues: string[] = [];
  if (!(starMethods as readonly string[]).includes(method)) {
    issues.push(`method: must be one of ${starMethods.join(", ")}, got ${String(method)}`);
  }
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) issues.push(`${name}: must be a positive integer, got ${v}`);
  };
  positiveInt("iterations", iterations);
  positiveInt("k", k);
  positiveInt("evalK", evalK);
  positiveInt("concurrency", concurrency);
  if (!Number.isInteger(seed) || seed < 0) issues.push(`seed: must be a non-negative integer, got ${seed}`);
  if (orders === "both" && k % 2 !== 0) {
    issues.push(
      `k: orders "both" splits the K samples evenly between AB and BA, so K must be even, got ${k}`,
    );
  }
  if (maxPerPair !== null) positiveInt("maxPerPair", maxPerPair);
  if (!(sampling.temperature >= 0))
    issues.push(`sampling.temperature: must be ≥ 0, got ${sampling.temperature}`);
  if (!(sampling.topP > 0 && sampling.topP <= 1))
    issues.push(`sampling.topP: must be in (0, 1], got ${sampling.topP}`);
  positiveInt("sampling.maxTokens", sampling.maxTokens);

  const template = options.template ?? defaultTemplates.cot;
  if (template.protocol !== "cot") {
    issues.push(
      `template: ${template.id} is a ${template.protocol} template; STaR samples rationales with a cot template`,
    );
  }
  issues.push(...validateTemplate(template).map((i) => `template.${i}`));
  let rationalizerTemplate: JudgeTemplate | null = null;
  if (method === "star-rationalizer") {
    // Without its own, the hinted template is the CoT template plus the built-in hint, so the
    // rationalizer writes for the same prompt it is trained on.
    rationalizerTemplate =
      options.rationalizerTemplate ??
      (options.template === undefined
        ? defaultTemplates.rationalizer
        : {
            ...template,
            id: `${template.id}+hint`,
            protocol: "rationalizer",
            hint: defaultTemplates.rationalizer.hint,
          });
    if (rationalizerTemplate.protocol !== "rationalizer" || !rationalizerTemplate.hint) {
      issues.push(
        `rationalizerTemplate: ${rationalizerTemplate.id} must be a rationalizer template with a hint`,
      );
    }
    issues.push(...validateTemplate(rationalizerTemplate).map((i) => `rationalizerTemplate.${i}`));
  }

  let train: TrainConfig | null = null;
  try {
    const full = options.train?.lora === false;
    train = resolveTrainConfig({
      ...defaultStarTrain,
      ...(method === "star-rationalizer" && full ? { lr: rationalizerLrFull } : {}),
      ...options.train,
      seed: options.train?.seed ?? seed,
      method: method === "star-dpo" ? "dpo" : "sft",
    } as TrainOptions);
  } catch (error) {
    if (error instanceof ConfigError) issues.push(...error.issues.map((i) => `train.${i}`));
    else throw error;
  }
  const trainer = options.trainer?.kind === "command" ? options.trainer : undefined;
  if (trainer !== undefined) {
    if (trainer.command.trim() === "") issues.push("trainer.command: an empty --trainer-cmd");
    if (trainer.timeoutMs !== undefined) positiveInt("trainer.timeoutMs", trainer.timeoutMs);
  }
  const sampler = options.sampler?.kind === "http" ? options.sampler : undefined;
  if (sampler !== undefined) {
    if (sampler.baseUrls.length === 0) issues.push("sampler.baseUrls: at least one --base-url");
    if (sampler.handoff === "restart" && !sampler.serveCmd)
      issues.push("sampler.serveCmd: the restart hand-off needs --serve-cmd");
    if (sampler.handoff === "lora" && sampler.serveCmd)
      issues.push(
        "sampler.serveCmd: --serve-cmd restarts the server per model; it does not go with --handoff lora",
      );
    if (sampler.handoff === "lora" && trainer === undefined)
      issues.push(
        "sampler.handoff: LoRA hot-loading serves adapters on the base model, which the embedded trainer merges away; use --trainer command, or --serve-cmd",
      );
    if (sampler.handoff === "lora" && options.train?.lora === false)
      issues.push(
        "train.lora: --handoff lora hot-loads LoRA adapters, so training must be LoRA (drop --full)",
      );
  }
  if (issues.length > 0 || train === null) throw new ConfigError(issues);

  return {
    method,
    iterations,
    k,
    orders,
    seed,
    template,
    templateHash: templateHash(template),
    rationalizerTemplate,
    sampling,
    maxPerPair,
    dedupe,
    pairsPerPrompt,
    reference,
    rejectUnparseable,
    rationalize,
    keepInconsistent,
    restartFromBase,
    ...(options.rationaleCheck ? { rationaleCheck: options.rationaleCheck } : {}),
    train,
    evalK,
    evalOrder,
    concurrency,
    engine: options.engine ?? {},
    ...(trainer ? { trainer } : {}),
    ...(sampler ? { sampler } : {}),
  };
}
