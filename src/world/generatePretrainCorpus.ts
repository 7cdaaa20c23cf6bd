/**
 * The base model's pretraining corpus: worked arithmetic and judge transcripts in the world's own
 * prompt formats, written by an imperfect teacher, deterministic from the seed (rows come from one
 * stream, so a smaller corpus is a prefix of a larger one).
 *
 * It teaches the skill and the format but never the human labels: transcripts' verdicts follow the
 * teacher's own (often wrong) work or a heuristic, the cue is independent of correctness
 * (`cueRate` 0.5), labels and label noise never enter, and every question comes from the "train"
 * partition, so no test or OOD question (let alone pair) appears in it.
 */
import type { PreferencePair } from "../data/types.js";
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import { worldTemplates } from "../judge/templates/worldTemplates.js";
import type { JudgeTemplate } from "../judge/types.js";
import type { ChatMessage, Slot } from "../types.js";
import { applySlip } from "./applySlip.js";
import { createWorldRng, type WorldRng } from "./createWorldRng.js";
import { drawWorldPair } from "./drawWorldPair.js";
import { judgeView } from "./judgeView.js";
import { readWorldMeta } from "./readWorldMeta.js";
import { renderResponse } from "./renderResponse.js";
import { defaultPretrainCorpusOptions, resolvePretrainCorpusConfig } from "./resolvePretrainCorpusConfig.js";
import { questionOf, sampleProblem } from "./sampleProblem.js";
import type {
  CorpusKind,
  CorpusRow,
  DirectVerdictSource,
  JudgeView,
  PretrainCorpus,
  PretrainCorpusConfig,
  PretrainCorpusOptions,
  ReasonerConfig,
  StepFormat,
} from "./types.js";
import { formatSteps, workProblem } from "./workProblem.js";
import { applyHeuristic, writeRationale } from "./writeRationale.js";

export function generatePretrainCorpus(options: PretrainCorpusOptions = {}): PretrainCorpus {
  const config = resolvePretrainCorpusConfig(options);
  const rng = createWorldRng(config.seed, "corpus");
  const rows: CorpusRow[] = [];
  for (let i = 0; i < config.size; i++) rows.push(corpusRow(rng, config, i));
  return { rows, config };
}

function corpusRow(rng: WorldRng, config: PretrainCorpusConfig, index: number): CorpusRow {
  const kind = rng.weighted<CorpusKind>(config.mix);
  const mixed = rng.chance(config.mixedRate);
  const { world, teacher } = config;
  const stepFormat = config.stepFormat ?? defaultPretrainCorpusOptions.stepFormat;
  if (kind === "drill" || kind === "answer") {
    const problem = sampleProblem(rng, {
      terms: config.terms,
      ops: mixed ? "mixed" : "add",
      maxTerm: world.maxTerm,
      partition: "train",
      evalQuestionShare: world.evalQuestionShare,
    });
    const question = questionOf(problem);
    if (kind === "drill") {
      const { claimed } = workProblem(problem, rng, teacher);
      return {
        kind,
        text: `${question}\n${formatSteps(problem, claimed, stepFormat)} So it is ${claimed.at(-1)}.`,
      };
    }
    const value = rng.chance(config.answerErrorRate)
      ? applySlip(problem.value, rng, world.slip)
      : problem.value;
    const style = rng.chance(0.5) ? "verbose" : "terse";
    return {
      kind,
      messages: [
        { role: "user", content: question },
        { role: "assistant", content: renderResponse(value, style, rng) },
      ],
    };
  }

  // The pair's own slots are already a fair coin, so it is always shown in order AB.
  const pair = drawWorldPair(rng, {
    id: `corpus-${index}`,
    split: "train",
    spec: {
      subset: "world-corpus",
      terms: config.terms,
      ops: mixed ? "mixed" : "add",
      cueRate: config.cueRate,
      questions: "train",
    },
    config: { ...world, noise: 0 },
  });
  const view = judgeView(pair, "AB");
  if (kind === "lookup") return lookupDrill(pair, view, rng, teacher, stepFormat);
  if (kind === "cot") {
    return chat(kind, worldTemplates.cot, pair, writeRationale(view, rng, teacher, { stepFormat }).text);
  }
  if (kind === "direct") {
    const source = rng.weighted<DirectVerdictSource>(config.directVerdict);
    const verdict =
      source === "reasoner"
        ? writeRationale(view, rng, { ...teacher, heuristicRate: 0 }).verdict
        : applyHeuristic(source, view, null, rng);
    return chat(kind, worldTemplates.direct, pair, `[[${verdict}]]`);
  }
  const correct = readWorldMeta(pair).ruleWinner;
  const hint: Slot = rng.chance(config.wrongHintRate) ? (correct === "A" ? "B" : "A") : correct;
  return chat(
    kind,
    worldTemplates.rationalizer,
    pair,
    writeRationale(view, rng, teacher, { hint, stepFormat }).text,
    hint,
  );
}

/**
 * A plain-text drill on the judge's last move: the question and the two answers as the CoT
 * prompt shows them, then only the final step of a worked chain (the teacher's, right or wrong),
 * the two quotes and the conclusion, loss on every token. A CoT transcript spends ~30 tokens of
 * arithmetic for each pair of quotes; this row puts the lookup ("A says 14.") and the comparison
 * of the result with the quotes ("A is right.") a few tokens apart, which is what a tiny base
 * model fails to learn from transcripts alone (docs/mini-world.md).
 */
function lookupDrill(
  pair: PreferencePair,
  view: JudgeView,
  rng: WorldRng,
  teacher: ReasonerConfig,
  stepFormat: StepFormat,
): CorpusRow {
  const { text } = writeRationale(view, rng, { ...teacher, heuristicRate: 0 }, { stepFormat });
  const quotes = text.indexOf(" A says ");
  const lastStep = text.slice(0, quotes).split(". ").at(-1)!;
  const user = renderJudgePrompt(worldTemplates.cot, pair, "AB").at(-1)!.content;
  return { kind: "lookup", text: `${user}\n${lastStep}${text.slice(quotes)}` };
}

function chat(
  kind: CorpusKind,
  template: JudgeTemplate,
  pair: PreferencePair,
  answer: string,
  hint?: Slot,
): CorpusRow {
  const messages: ChatMessage[] = renderJudgePrompt(template, pair, "AB", hint === undefined ? {} : { hint });
  messages.push({ role: "assistant", content: answer });
  return { kind, messages };
}
