/**
 * Judge-guided policy training (expert iteration) in the mini world: each round, the policy samples
 * `samples` answers to each training question (the train split's questions: never an evaluation
 * question), a selector picks one (its Best-of-`samples` pick, the same selection code as the
 * Best-of-N curves), and the policy is fine-tuned on the picks (SFT, full fine-tuning, genrm's
 * trainer through `runTraining`). After each round the new policy answers the evaluation questions
 * `evalSamples` times each; the report gives its share of right and of verbose answers.
 *
 * A selector that rewards verbosity should make the policy verbose, not right (reward hacking,
 * measured); one that reasons should make it right. Round 0 is the base model's first `evalSamples`
 * answers of the Best-of-N stage.
 *
 * Resumable: each round's result is stored in `<out>/policy/training/<selector>/round-<r>.json`
 * once done, its training run resumes from its checkpoints, its judge samples come from the store.
 */
import fs from "node:fs";
import path from "node:path";
import { bootstrapCI } from "../../eval/bootstrapCI.js";
import { hash32 } from "../../judge/hash32.js";
import { modelIdentity } from "../../model/modelIdentity.js";
import { readJsonFile, writeJsonFile } from "../../run/jsonFile.js";
import { resolveTrainConfig } from "../../train/config.js";
import type { SftRow } from "../../train/data/types.js";
import { runTraining } from "../../train/runTraining.js";
import { answerTraits } from "./answerTraits.js";
import type { PolicySelector } from "./openPolicySelector.js";
import type { PolicyTrainingPreset } from "./policyPresets.js";
import { sampleAnswers } from "./sampleAnswers.js";
import { bySet } from "./summarizePolicy.js";
import {
  type PolicyAnswers,
  type PolicyQuestionSet,
  type PolicyShare,
  type PolicyTrainingResult,
  type PolicyTrainingRound,
  policyQuestionSets,
} from "./types.js";

export interface ExpertIterationOptions {
  dir: string;
  /** Invalidates stored rounds when anything upstream changes. */
  key: string;
  settings: PolicyTrainingPreset;
  seed: number;
  baseModel: { path: string; id: string };
  /** Training questions (train split). */
  trainQuestions: readonly string[];
  /** The Best-of-N stage's answers of the base model to the evaluation questions: round 0. */
  baseAnswers: readonly PolicyAnswers[];
  sampling: { temperature: number; topP: number; maxTokens: number };
  engine: { threads: number; contextSize: number; parallelSequences: number };
  signal?: AbortSignal;
  log?: (line: string) => void;
}

function share(values: readonly number[]): PolicyShare {
  const ci = bootstrapCI(values);
  if (ci === null) return { share: Number.NaN, ci: [Number.NaN, Number.NaN] };
  return { share: ci.estimate, ci: [ci.lower, ci.upper] };
}

/** The policy's rates on one set: per question, the share of its answers that are right / verbose. */
export function policyRates(items: readonly PolicyAnswers[], answersPerQuestion: number) {
  const per = items.map((item) => {
    const traits = item.answers.slice(0, answersPerQuestion).map((a) => answerTraits(item.value, a));
    return {
      right: traits.filter((t) => t.right).length / traits.length,
      verbose: traits.filter((t) => t.verbose).length / traits.length,
    };
  });
  return {
    right: share(per.map((p) => p.right)),
    verbose: share(per.map((p) => p.verbose)),
    rightByQuestion: per.map((p) => p.right),
    verboseByQuestion: per.map((p) => p.verbose),
  };
}

function roundSets(items: readonly PolicyAnswers[], n: number): PolicyTrainingRound["sets"] {
  return Object.fromEntries(
    policyQuestionSets.map((set: PolicyQuestionSet) => [set, policyRates(bySet(items, set), n)]),
  ) as PolicyTrainingRound["sets"];
}

export async function expertIteration(
  selector: PolicySelector,
  options: ExpertIterationOptions,
): Promise<PolicyTrainingResult> {
  const { settings, seed, signal } = options;
  const log = options.log ?? (() => {});
  const dir = path.join(options.dir, selector.id);
  fs.mkdirSync(dir, { recursive: true });
  const evalQuestions = options.baseAnswers.map((a) => ({ set: a.set, question: a.question }));
  const rounds: PolicyTrainingRound[] = [
    {
      round: 0,
      rows: 0,
      model: options.baseModel,
      seconds: 0,
      sets: roundSets(options.baseAnswers, settings.evalSamples),
    },
  ];
  let model = options.baseModel;
  for (let round = 1; round <= settings.rounds; round++) {
    signal?.throwIfAborted();
    const file = path.join(dir, `round-${round}.json`);
    const key = `${options.key}/${selector.id}=${selector.modelId}/${JSON.stringify(settings)}/round-${round}/${model.id}`;
    if (fs.existsSync(file)) {
      const stored = readJsonFile<{ key: string; result: PolicyTrainingRound }>(file, {
        hint: "delete it to redo this round",
      });
      if (stored.key === key) {
        rounds.push(stored.result);
        model = stored.result.model;
        continue;
      }
    }
    const t0 = performance.now();
    const roundSeed = hash32("genrm/demo/policy/expert-iteration", seed, round);
    const engine = options.engine;
    const candidates = await sampleAnswers({
      modelPath: model.path,
      questions: options.trainQuestions.map((question) => ({ set: "train" as const, question })),
      n: settings.samples,
      seed: roundSeed,
      sampling: options.sampling,
      engine,
      ...(signal ? { signal } : {}),
    });
    const picks = await selector.select(candidates, [settings.samples]);
    const rows: SftRow[] = candidates.map((item, i) => ({
      type: "sft",
      prompt: [{ role: "user", content: item.question }],
      completion: item.answers[picks[i]!.picks[0]!]!,
      ref: { file: `(${selector.id} picks, round ${round})`, line: i + 1 },
    }));
    log(`policy training: ${selector.name}, round ${round}: ${rows.length} picks, fine-tuning`);
    const run = await runTraining({
      modelPath: model.path,
      config: resolveTrainConfig({
        method: "sft",
        lora: false,
        seed,
        lr: settings.lr,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        saveEvery: 1000,
        keepCheckpoints: 1,
      }),
      runDir: path.join(dir, `round-${round}`),
      data: rows,
      resume: true,
      progress: "silent",
      ...(signal ? { signal } : {}),
    });
    signal?.throwIfAborted();
    const modelPath = run.artifacts.model ?? path.join(dir, `round-${round}`, "model.gguf");
    model = { path: modelPath, id: await modelIdentity(modelPath) };
    const evaluated = await sampleAnswers({
      modelPath,
      questions: evalQuestions,
      n: settings.evalSamples,
      seed: roundSeed,
      sampling: options.sampling,
      engine,
      ...(signal ? { signal } : {}),
    });
    writeJsonFile(path.join(dir, `round-${round}-answers.json`), {
      picks: rows.map((r) => r.completion),
      evaluated,
    });
    const result: PolicyTrainingRound = {
      round,
      rows: rows.length,
      model,
      seconds: (performance.now() - t0) / 1000,
      sets: roundSets(evaluated, settings.evalSamples),
    };
    writeJsonFile(file, { key, result });
    rounds.push(result);
  }
  return { id: selector.id, name: selector.name, rounds };
}
