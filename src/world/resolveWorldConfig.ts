/**
 * World defaults and their validation, in one place. Every issue is reported as `dot.path: message`.
 */
import { ConfigError } from "../errors.js";
import type { SlipWeights, WorldConfig, WorldOptions, WorldSplitName, WorldSplitSpec } from "./types.js";

export const worldSplitNames: readonly WorldSplitName[] = [
  "train",
  "test",
  "ood-length",
  "ood-mixed",
  "ood-long",
];

/** Sized for the demo: enough training pairs for 3 STaR slices, test sets that resolve ±3 points. */
export const defaultWorldSizes = {
  train: 1500,
  test: 400,
  "ood-length": 400,
  "ood-mixed": 400,
  "ood-long": 0,
} as const satisfies Record<WorldSplitName, number>;

/**
 * In distribution, the verbose (longer) response is the correct one 85% of the time, like length in
 * UltraFeedback: a length judge scores ~0.81 there and a verdict-only model trained on labels can
 * lean on it. "ood-length" reverses it (0.15, RewardBench's length-adversarial subsets: a length
 * judge scores ~0.19). "ood-mixed" adds subtraction, a sub-task absent from the preference data
 * but present in the pretraining corpus, with a cue that carries nothing. "ood-long" (off by
 * default) asks for 5–6 terms.
 */
export const defaultWorldSplits = {
  train: { subset: "world-id", terms: [3, 4], ops: "add", cueRate: 0.85, questions: "train" },
  test: { subset: "world-id", terms: [3, 4], ops: "add", cueRate: 0.85, questions: "eval" },
  "ood-length": { subset: "world-ood-length", terms: [3, 4], ops: "add", cueRate: 0.15, questions: "eval" },
  "ood-mixed": { subset: "world-ood-mixed", terms: [3, 4], ops: "mixed", cueRate: 0.5, questions: "eval" },
  "ood-long": { subset: "world-ood-long", terms: [5, 6], ops: "add", cueRate: 0.5, questions: "eval" },
} as const satisfies Record<WorldSplitName, WorldSplitSpec>;

/** Carry errors are common among slips, so a weak reasoner's mistakes often look like the wrong answer. */
export const defaultSlipWeights = { one: 0.4, two: 0.2, ten: 0.4 } as const satisfies SlipWeights;

export const defaultWorldOptions = {
  seed: 0,
  noise: 0.05,
  maxTerm: 9,
  evalQuestionShare: 0.25,
} as const satisfies WorldOptions;

export function resolveWorldConfig(options: WorldOptions = {}): WorldConfig {
  const {
    seed = defaultWorldOptions.seed,
    noise = defaultWorldOptions.noise,
    maxTerm = defaultWorldOptions.maxTerm,
    evalQuestionShare = defaultWorldOptions.evalQuestionShare,
  } = options;
  const issues: string[] = [];
  for (const name of Object.keys(options.sizes ?? {})) {
    if (!worldSplitNames.includes(name as WorldSplitName))
      issues.push(`sizes.${name}: unknown split (known: ${worldSplitNames.join(", ")})`);
  }
  for (const name of Object.keys(options.splits ?? {})) {
    if (!worldSplitNames.includes(name as WorldSplitName))
      issues.push(`splits.${name}: unknown split (known: ${worldSplitNames.join(", ")})`);
  }
  const sizes = {} as Record<WorldSplitName, number>;
  const splits = {} as Record<WorldSplitName, WorldSplitSpec>;
  for (const name of worldSplitNames) {
    sizes[name] = options.sizes?.[name] ?? defaultWorldSizes[name];
    const base = defaultWorldSplits[name];
    const spec: WorldSplitSpec = { ...base, terms: [...base.terms], ...options.splits?.[name] };
    splits[name] = spec;
    checkCount(issues, `sizes.${name}`, sizes[name]);
    checkSplit(issues, `splits.${name}`, spec);
  }
  const slip: SlipWeights = { ...defaultSlipWeights, ...options.slip };
  checkWeights(issues, "slip", slip);
  if (!Number.isSafeInteger(seed)) issues.push(`seed: must be an integer, got ${seed}`);
  checkRate(issues, "noise", noise);
  if (!(Number.isInteger(maxTerm) && maxTerm >= 1 && maxTerm <= 99))
    issues.push(`maxTerm: must be an integer in [1, 99], got ${maxTerm}`);
  if (!(typeof evalQuestionShare === "number" && evalQuestionShare > 0 && evalQuestionShare < 1))
    issues.push(`evalQuestionShare: must be in (0, 1), got ${evalQuestionShare}`);
  if (issues.length > 0) throw new ConfigError(issues);
  return { seed, sizes, noise, splits, maxTerm, evalQuestionShare, slip };
}

function checkSplit(issues: string[], path: string, spec: WorldSplitSpec): void {
  if (typeof spec.subset !== "string" || spec.subset === "") issues.push(`${path}.subset: must be a name`);
  checkTerms(issues, `${path}.terms`, spec.terms);
  if (spec.ops !== "add" && spec.ops !== "mixed")
    issues.push(`${path}.ops: must be "add" or "mixed", got ${spec.ops}`);
  checkRate(issues, `${path}.cueRate`, spec.cueRate);
  if (spec.questions !== "train" && spec.questions !== "eval")
    issues.push(`${path}.questions: must be "train" or "eval", got ${spec.questions}`);
}

/** At least two terms (one step of work); at most 12 keeps prompts inside the token budget. */
export function checkTerms(issues: string[], path: string, terms: unknown): void {
  const ok =
    Array.isArray(terms) &&
    terms.length === 2 &&
    terms.every((t) => Number.isInteger(t) && t >= 2 && t <= 12) &&
    terms[0] <= terms[1];
  if (!ok)
    issues.push(`${path}: must be [min, max] integers with 2 ≤ min ≤ max ≤ 12, got ${JSON.stringify(terms)}`);
}

export function checkRate(issues: string[], path: string, value: unknown): void {
  if (!(typeof value === "number" && value >= 0 && value <= 1))
    issues.push(`${path}: must be a number in [0, 1], got ${value}`);
}

export function checkCount(issues: string[], path: string, value: unknown): void {
  if (!(Number.isInteger(value) && (value as number) >= 0))
    issues.push(`${path}: must be an integer ≥ 0, got ${value}`);
}

export function checkWeights(issues: string[], path: string, weights: object): void {
  let total = 0;
  for (const [key, w] of Object.entries(weights)) {
    if (!(typeof w === "number" && Number.isFinite(w) && w >= 0))
      issues.push(`${path}.${key}: must be a weight ≥ 0, got ${w}`);
    else total += w;
  }
  if (total <= 0) issues.push(`${path}: at least one weight must be > 0`);
}
