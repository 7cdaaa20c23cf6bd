/**
 * Records of the mini world: a synthetic preference domain in which a "human" prefers the response
 * that gets a small arithmetic problem right. Types only; the generators live beside this file.
 * See docs/mini-world.md for the design and why it mirrors the paper's ID/OOD setting.
 */
import type { PreferencePair } from "../data/types.js";
import type { WorldTemplates } from "../judge/templates/worldTemplates.js";
import type { ChatMessage, Slot } from "../types.js";

/** One arithmetic problem: `terms[0] ops[0] terms[1] ops[1] …`, evaluated left to right. */
export interface Problem {
  terms: number[];
  /** One operator per term after the first. */
  ops: ("+" | "-")[];
  /** The true result. Every running total is ≥ 0 by construction. */
  value: number;
}

/** "add": sums only. "mixed": + and −, at least one −. */
export type OpsMode = "add" | "mixed";

/**
 * Which share of the question space a split draws from. Test and OOD splits use "eval" questions,
 * training pairs and the pretraining corpus use "train" questions, so no evaluated question is ever
 * seen in training text (the partition is a fixed hash of the question, independent of the seed).
 */
export type QuestionPartition = "train" | "eval";

/** How a response is worded: the surface cue is "verbose" (longer), independent of correctness. */
export type ResponseStyle = "terse" | "verbose";

/**
 * Sizes of arithmetic slips, as relative weights: an off-by-one, off-by-two, or a carry error of 10
 * (only where the true result has a tens digit). The sign is a coin flip. Used both for the wrong
 * response of each pair and for the mistakes of the corpus's imperfect reasoner, so wrong answers
 * look like the errors a judge makes.
 */
export interface SlipWeights {
  one: number;
  two: number;
  ten: number;
}

/** How one split is drawn. */
export interface WorldSplitSpec {
  /** `PreferencePair.subset` of its pairs, e.g. "world-id". */
  subset: string;
  /** Number of terms, inclusive range. */
  terms: [number, number];
  ops: OpsMode;
  /**
   * P(the verbose response is the one the hidden rule prefers). 0.5: the cue carries no signal;
   * above: it goes with the label (as length does in UltraFeedback); below: it is reversed (as in
   * RewardBench's length-adversarial subsets).
   */
  cueRate: number;
  questions: QuestionPartition;
}

/** The named splits. "ood-long" is off (size 0) unless asked for. */
export type WorldSplitName = "train" | "test" | "ood-length" | "ood-mixed" | "ood-long";

export interface WorldOptions {
  /** Seed of every random choice. Defaults to 0. */
  seed?: number;
  /** Pairs per split. Defaults to `defaultWorldSizes`. */
  sizes?: Partial<Record<WorldSplitName, number>>;
  /** Probability that a pair's label is flipped away from the hidden rule. Defaults to 0.05. */
  noise?: number;
  /** Overrides of the split definitions. Defaults to `defaultWorldSplits`. */
  splits?: Partial<Record<WorldSplitName, Partial<WorldSplitSpec>>>;
  /** Largest term. Defaults to 9 (one-digit terms, so every step is a fact a tiny model can learn). */
  maxTerm?: number;
  /** Share of the question space reserved for test/OOD splits. Defaults to 0.25. */
  evalQuestionShare?: number;
  /** Defaults to `defaultSlipWeights`. */
  slip?: Partial<SlipWeights>;
}

/** `WorldOptions` resolved: every field set and validated. */
export interface WorldConfig {
  seed: number;
  sizes: Record<WorldSplitName, number>;
  noise: number;
  splits: Record<WorldSplitName, WorldSplitSpec>;
  maxTerm: number;
  evalQuestionShare: number;
  slip: SlipWeights;
}

/**
 * The hidden facts of a world pair, in `pair.meta`. Judges never see them; tests, diagnostics and
 * reports do. Slots are pair slots (A = `pair.responseA`), not display slots.
 */
export interface WorldPairMeta {
  /** Marks a world pair; the value is the format version. */
  world: 1;
  split: WorldSplitName;
  /** The expression as it appears in the question, e.g. "3+4-2". */
  expression: string;
  terms: number[];
  ops: ("+" | "-")[];
  /** The true result. */
  answer: number;
  /** The number each response states. */
  answerA: number;
  answerB: number;
  /** Which response the hidden rule prefers (the correct one). */
  ruleWinner: Slot;
  /** The label was flipped away from `ruleWinner` by label noise. */
  flipped: boolean;
  styleA: ResponseStyle;
  styleB: ResponseStyle;
  /** The response carrying the surface cue (the longer, verbose one). */
  cueSlot: Slot;
  /** The cue is on the rule winner. */
  cueOnWinner: boolean;
}

export type { WorldTemplates };

export interface World {
  splits: Record<WorldSplitName, PreferencePair[]>;
  templates: WorldTemplates;
  config: WorldConfig;
}

/** A heuristic a judge falls back on when it does not (or cannot) work the problem out. */
export type Heuristic = "longer" | "first" | "closer" | "random";
export type HeuristicWeights = Partial<Record<Heuristic, number>>;

/**
 * How the simulated reasoner writes a rationale. The defaults (`perfectReasoner`) make no mistakes;
 * the pretraining corpus uses `defaultTeacher`, an imperfect one.
 */
export interface ReasonerConfig {
  /** Probability that one arithmetic step's result is slipped at random. Errors propagate down the chain. */
  stepErrorRate: number;
  /** Share of arithmetic facts the reasoner holds a fixed wrong belief about (see `misconceptionOf`). */
  misconceptionShare: number;
  /** Probability that it uses its wrong belief on such a fact. */
  misconceptionRate: number;
  /** Probability of skipping the work and judging by a heuristic alone. */
  heuristicRate: number;
  /** Which heuristic when skipping the work. */
  heuristic: HeuristicWeights;
  /** Which heuristic when the worked result matches neither answer. */
  fallback: HeuristicWeights;
  slip: SlipWeights;
}

/** What the judge sees, in display slots: the parsed question and the two shown answers. */
export interface JudgeView {
  problem: Problem;
  /** The question's expression text, e.g. "3+4-2". */
  expression: string;
  shown: Record<Slot, ShownAnswer>;
}

export interface ShownAnswer {
  text: string;
  /** The last integer in the text; null when it states none. */
  value: number | null;
}

export type RationaleRoute = "worked" | "fallback" | "heuristic";

export interface WrittenRationale {
  text: string;
  /** Display slot named by the verdict. */
  verdict: Slot;
  route: RationaleRoute;
  /** Steps whose result was slipped (or, for a hinted rationale, forced to the hint). */
  stepErrors: number;
  steps: number;
}

export interface StepScore {
  text: string;
  left: number;
  op: "+" | "-";
  right: number;
  claimed: number;
  /** `left op right === claimed`. */
  correct: boolean;
  /** The operands are the ones the question asks for at this point of the chain. */
  onPath: boolean;
}

/** What `scoreRationale` finds in a rationale, in display slots. */
export interface RationaleScore {
  steps: StepScore[];
  /** Steps a complete worked solution has (terms − 1). */
  expectedSteps: number;
  /** Exactly the expected steps, each on the question's path. */
  complete: boolean;
  /** Complete and every step correct. */
  arithmeticCorrect: boolean;
  /** Correct steps / steps written; null when none were written. */
  stepAccuracy: number | null;
  /** The last step's claimed result; null when no step was written. */
  finalValue: number | null;
  /** "A says n. B says m." quote the shown answers; null when the rationale quotes none. */
  quotesCorrect: boolean | null;
  route: RationaleRoute | "none";
  /** The parsed verdict (last `[[A]]`/`[[B]]`); null when none. */
  verdict: Slot | null;
  /** The verdict the worked result implies (the answer it matches); null when it matches neither. */
  impliedVerdict: Slot | null;
  /** The verdict follows from the worked result; null when the result implies nothing. */
  consistent: boolean | null;
  /** The display slot the hidden rule prefers; null when not exactly one answer is correct. */
  ruleVerdict: Slot | null;
  verdictCorrect: boolean;
  /** Correct arithmetic, correct quotes, and the rule's verdict. */
  sound: boolean;
}

/** Kinds of pretraining rows. */
export type CorpusKind = "drill" | "answer" | "cot" | "direct" | "rationalizer" | "lookup";

/**
 * One pretraining row: plain `text` (worked arithmetic) or a chat `messages` transcript that the
 * trainer renders with the model's chat template (ChatML) and trains on in full. `kind` is for
 * diagnostics and mixing; trainers ignore it.
 */
export type CorpusRow = { kind: CorpusKind; text: string } | { kind: CorpusKind; messages: ChatMessage[] };

/**
 * How worked steps are written: "compact" `3+4=7. 7+2=9.`, or "spaced" `3 + 4 = 7. 7 + 2 = 9.`.
 * Under the GPT-2 pre-tokenizer a number after a space is another token than the same number
 * after `=`; spaced steps write every result as the answers and quotes write numbers (` 14`), so
 * comparing the result with a quote is comparing one token id (docs/mini-world.md, 7th attempt).
 */
export type StepFormat = "compact" | "spaced";

export interface PretrainCorpusOptions {
  /** Defaults to 0. The corpus never depends on the world's seed: it only draws "train" questions. */
  seed?: number;
  /** Rows. Defaults to 20000. */
  size?: number;
  /** Relative weight of each row kind. Defaults to `defaultCorpusMix`. */
  mix?: Partial<Record<CorpusKind, number>>;
  /** The imperfect reasoner behind every worked solution and CoT transcript. Defaults to `defaultTeacher`. */
  teacher?: Partial<Omit<ReasonerConfig, "slip">>;
  /** Where direct ("[[X]]") transcripts' verdicts come from. Defaults to `defaultDirectVerdict`. */
  directVerdict?: Partial<Record<DirectVerdictSource, number>>;
  /** P(an "answer" row's response is wrong). Defaults to 0.3. */
  answerErrorRate?: number;
  /** P(a rationalizer row's hint names the wrong response). Defaults to 0.05. */
  wrongHintRate?: number;
  /** Share of problems with + and − (the skill behind "ood-mixed"). Defaults to 0.3. */
  mixedRate?: number;
  /** Number of terms, inclusive; wider than the world's ID range so the skill covers OOD. Defaults to [2, 6]. */
  terms?: [number, number];
  /** P(verbose response is the correct one) in judge transcripts. Defaults to 0.5: no cue signal. */
  cueRate?: number;
  /** How drills and rationales write worked steps (`formatSteps`). Defaults to "compact". */
  stepFormat?: StepFormat;
  /** The world whose templates, term size, slips and question partition the corpus uses. */
  world?: WorldOptions;
}

/** Where a direct transcript's verdict comes from: the teacher's worked verdict, or a heuristic. */
export type DirectVerdictSource = "reasoner" | Heuristic;

export interface PretrainCorpusConfig {
  seed: number;
  size: number;
  mix: Record<CorpusKind, number>;
  teacher: ReasonerConfig;
  directVerdict: Record<DirectVerdictSource, number>;
  answerErrorRate: number;
  wrongHintRate: number;
  mixedRate: number;
  terms: [number, number];
  cueRate: number;
  /** Absent means "compact" (corpora recorded before the option existed). */
  stepFormat?: StepFormat;
  world: WorldConfig;
}

export interface PretrainCorpus {
  rows: CorpusRow[];
  config: PretrainCorpusConfig;
}
