/**
 * Pretraining-corpus defaults and their validation. The defaults aim at a base model whose
 * zero-shot CoT judge is clearly above chance and far from perfect, whose verdict-only judge has
 * little to go on, and which has never seen a human label (docs/mini-world.md, "The corpus").
 */
import { ConfigError } from "../errors.js";
import { checkCount, checkRate, checkTerms, checkWeights, resolveWorldConfig } from "./resolveWorldConfig.js";
import type {
  CorpusKind,
  DirectVerdictSource,
  PretrainCorpusConfig,
  PretrainCorpusOptions,
  ReasonerConfig,
} from "./types.js";

/**
 * Worked drills teach the arithmetic; CoT transcripts teach the judge format and that the verdict
 * follows the work; direct and rationalizer transcripts teach those two prompt formats; a few
 * chat answers teach the assistant turn that BT and PairRM score.
 */
export const defaultCorpusMix = {
  drill: 0.3,
  answer: 0.05,
  cot: 0.45,
  direct: 0.1,
  rationalizer: 0.1,
  lookup: 0,
} as const satisfies Record<CorpusKind, number>;

/**
 * The corpus's imperfect judge. One step in five is slipped, so about half of the worked chains of
 * a 3–4-term problem contain a mistake; one rationale in ten skips the work and names a surface
 * feature; when a worked result matches neither answer the judge falls back on length, position or
 * closeness.
 */
export const defaultTeacher = {
  stepErrorRate: 0.1,
  misconceptionShare: 0.15,
  misconceptionRate: 0.9,
  heuristicRate: 0.1,
  heuristic: { longer: 0.6, first: 0.4 },
  fallback: { longer: 0.5, first: 0.5 },
} as const satisfies Omit<ReasonerConfig, "slip">;

/**
 * Verdict-only transcripts follow the teacher's worked verdict half the time, which a tiny model
 * cannot reproduce without writing the work down, so from the outside they look mostly like coin
 * flips with a mild pull towards length and position.
 */
export const defaultDirectVerdict = {
  reasoner: 0.6,
  longer: 0,
  first: 0,
  closer: 0,
  random: 0.4,
} as const satisfies Record<DirectVerdictSource, number>;

export const defaultPretrainCorpusOptions = {
  seed: 0,
  size: 20000,
  answerErrorRate: 0.3,
  wrongHintRate: 0.05,
  mixedRate: 0.3,
  terms: [2, 6],
  cueRate: 0.5,
  stepFormat: "compact",
} as const satisfies PretrainCorpusOptions;

export function resolvePretrainCorpusConfig(options: PretrainCorpusOptions = {}): PretrainCorpusConfig {
  const d = defaultPretrainCorpusOptions;
  const {
    seed = d.seed,
    size = d.size,
    answerErrorRate = d.answerErrorRate,
    wrongHintRate = d.wrongHintRate,
    mixedRate = d.mixedRate,
    terms = [...d.terms] as [number, number],
    cueRate = d.cueRate,
    stepFormat = d.stepFormat,
  } = options;
  const issues: string[] = [];
  let world: PretrainCorpusConfig["world"];
  try {
    world = resolveWorldConfig(options.world);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues.map((i) => `world.${i}`));
    world = resolveWorldConfig();
  }
  const mix = { ...defaultCorpusMix, ...options.mix };
  const teacher: ReasonerConfig = {
    ...defaultTeacher,
    ...options.teacher,
    heuristic: { ...(options.teacher?.heuristic ?? defaultTeacher.heuristic) },
    fallback: { ...(options.teacher?.fallback ?? defaultTeacher.fallback) },
    slip: world.slip,
  };
  const directVerdict = { ...defaultDirectVerdict, ...options.directVerdict };
  if (!Number.isSafeInteger(seed)) issues.push(`seed: must be an integer, got ${seed}`);
  checkCount(issues, "size", size);
  checkWeights(issues, "mix", mix);
  checkRate(issues, "teacher.stepErrorRate", teacher.stepErrorRate);
  checkRate(issues, "teacher.misconceptionShare", teacher.misconceptionShare);
  checkRate(issues, "teacher.misconceptionRate", teacher.misconceptionRate);
  checkRate(issues, "teacher.heuristicRate", teacher.heuristicRate);
  checkWeights(issues, "teacher.heuristic", teacher.heuristic);
  checkWeights(issues, "teacher.fallback", teacher.fallback);
  checkWeights(issues, "directVerdict", directVerdict);
  checkRate(issues, "answerErrorRate", answerErrorRate);
  checkRate(issues, "wrongHintRate", wrongHintRate);
  checkRate(issues, "mixedRate", mixedRate);
  checkTerms(issues, "terms", terms);
  checkRate(issues, "cueRate", cueRate);
  if (stepFormat !== "compact" && stepFormat !== "spaced") {
    issues.push(`stepFormat: must be "compact" or "spaced", got ${JSON.stringify(stepFormat)}`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    seed,
    size,
    mix,
    teacher,
    directVerdict,
    answerErrorRate,
    wrongHintRate,
    mixedRate,
    terms: [terms[0], terms[1]],
    cueRate,
    // Recorded only when it is not the default, so corpora recorded before the option resolve alike.
    ...(stepFormat !== d.stepFormat ? { stepFormat } : {}),
    world,
  };
}
