/**
 * The demo's policy stage (`genrm demo --policy`): does a better judge pick better answers? The
 * base model, as a policy, answers the world's questions (the pretraining corpus's "answer" chat:
 * the question as the user turn, a terse or verbose answer), `samples` answers per question at
 * temperature 1, once; every judge of the run and three references (the hidden rule, a seeded
 * coin, the longest answer) pick among the first N of them for every N.
 *
 * Resumable like the demo's other stages: the answers are written to `<out>/policy/answers.json`
 * once sampled (seconds of work), each selector's picks to `<out>/policy/selections/<id>.json`
 * when it is done, and every judge sample goes through the demo's sample store, so a killed stage
 * redoes at most one selector, from its stored samples.
 */
import fs from "node:fs";
import path from "node:path";
import type { PreferencePair } from "../../data/types.js";
import type { SamplingConfig } from "../../engine/types.js";
import { ConfigError } from "../../errors.js";
import type { SampleCache, VerdictProbabilityCache } from "../../judge/types.js";
import { readJsonFile, writeJsonFile } from "../../run/jsonFile.js";
import type { DemoEvalSplit, DemoMethodResult } from "../types.js";
import { expertIteration } from "./expertIteration.js";
import {
  openMethodSelector,
  openReferenceSelector,
  policyReferences,
  type SelectorContext,
} from "./openPolicySelector.js";
import type { PolicyPreset, PolicyTrainingPreset } from "./policyPresets.js";
import { sampleAnswers } from "./sampleAnswers.js";
import { bySet, policyBaseRates, policyCurve } from "./summarizePolicy.js";
import {
  type DemoPolicyResults,
  type PolicyAnswers,
  type PolicyQuestionSet,
  type PolicySelection,
  type PolicySelectorResult,
  type PolicyTrainingResult,
  policyQuestionSets,
} from "./types.js";

export interface PolicyStageOptions {
  outDir: string;
  /** Invalidates stored answers and selections when the demo's configuration changes. */
  stageKey: string;
  settings: PolicyPreset;
  /** Expert iteration after the curves; none when absent. */
  training?: { settings: PolicyTrainingPreset; questions: readonly PreferencePair[] };
  seed: number;
  baseModel: { path: string; id: string };
  /** The splits whose questions make each question set. */
  splits: Record<PolicyQuestionSet, readonly PreferencePair[]>;
  /** The run's judges (their stage results: model paths and ids). */
  methods: readonly DemoMethodResult[];
  /** The sampling of chain-of-thought judges (the demo's). */
  judgeSampling: SamplingConfig;
  engine: { threads: number; contextSize: number; parallelSequences: number };
  cache: SampleCache;
  probabilityCache: VerdictProbabilityCache;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Which split each question set draws its questions from. */
export const policySetSplits: Record<PolicyQuestionSet, DemoEvalSplit> = {
  "in-distribution": "test",
  ood: "ood-mixed",
};

export const policySetTitles: Record<PolicyQuestionSet, string> = {
  "in-distribution": "In-distribution questions (sums)",
  ood: "OOD questions (subtraction)",
};

/** Pure sampling from the policy: temperature 1, no nucleus cut. */
export function policySampling(settings: PolicyPreset): SamplingConfig {
  return { temperature: 1, topP: 1, maxTokens: settings.answerTokens };
}

/** The first `count` distinct questions of a split, in split order. */
export function distinctQuestions(pairs: readonly PreferencePair[], count: number): string[] {
  const out: string[] = [];
  for (const pair of pairs) {
    const q = pair.prompt.at(-1)?.content;
    if (q === undefined || out.includes(q)) continue;
    out.push(q);
    if (out.length === count) break;
  }
  return out;
}

export async function runPolicyStage(options: PolicyStageOptions): Promise<DemoPolicyResults> {
  const { settings, seed, signal } = options;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const dir = path.join(options.outDir, "policy");
  fs.mkdirSync(path.join(dir, "selections"), { recursive: true });
  const keyOf = (what: string, modelId: string) => `${options.stageKey}/${what}/${modelId}`;
  const ctx: SelectorContext = {
    seed,
    settings,
    judgeSampling: options.judgeSampling,
    engine: options.engine,
    cache: options.cache,
    probabilityCache: options.probabilityCache,
    ...(signal ? { signal } : {}),
  };

  const answers = await policyAnswers(options, dir, keyOf("answers", options.baseModel.id));
  const ns = settings.ns;
  const selectors: PolicySelectorResult[] = [];
  const trained: PolicyTrainingResult[] = [];
  const training = options.training;
  const trainQuestions = training ? distinctQuestions(training.questions, training.settings.questions) : [];
  if (training && trainQuestions.length < training.settings.questions) {
    throw new ConfigError([
      `policy training: the train split has ${trainQuestions.length} distinct questions, the stage needs ${training.settings.questions}`,
    ]);
  }
  const opened = [
    ...policyReferences.map((r) => async () => openReferenceSelector(r.id, ctx)),
    ...options.methods.map((m) => () => openMethodSelector(m, ctx)),
  ];
  for (const open of opened) {
    signal?.throwIfAborted();
    const selector = await open();
    if (selector === null) continue;
    try {
      const file = path.join(dir, "selections", `${selector.id}.json`);
      const key = keyOf(`selections:${JSON.stringify(settings)}`, selector.modelId);
      let record: { key: string; seconds: number; rows: PolicySelection[] } | undefined;
      if (fs.existsSync(file)) {
        const stored = readJsonFile<typeof record>(file, { hint: "delete it to redo this selector" });
        if (stored?.key === key) record = stored;
      }
      if (!record) {
        log(`policy: ${selector.name} picking among ${answers.length} questions' answers`);
        const t0 = performance.now();
        const rows = await selector.select(answers, ns);
        record = { key, seconds: (performance.now() - t0) / 1000, rows };
        writeJsonFile(file, record);
      }
      const games = answers.length * (settings.samples - 1);
      const rows = record.rows;
      selectors.push({
        id: selector.id,
        name: selector.name,
        scheme: selector.scheme,
        reference: selector.modelId === "none",
        curves: Object.fromEntries(
          policyQuestionSets.map((set) => [set, policyCurve(bySet(answers, set), bySet(rows, set), ns)]),
        ) as PolicySelectorResult["curves"],
        coinGameShare: selector.scheme === "knockout" ? rows.reduce((t, r) => t + r.coinGames, 0) / games : 0,
        seconds: record.seconds,
      });
      if (training?.settings.selectors.includes(selector.id)) {
        trained.push(
          await expertIteration(selector, {
            dir: path.join(dir, "training"),
            key: options.stageKey,
            settings: training.settings,
            seed,
            baseModel: options.baseModel,
            trainQuestions,
            baseAnswers: answers,
            sampling: policySampling(settings),
            engine: options.engine,
            ...(signal ? { signal } : {}),
            log,
          }),
        );
      }
    } finally {
      await selector.dispose();
    }
  }

  return {
    settings,
    policy: { model: options.baseModel, sampling: policySampling(settings) },
    sets: policyQuestionSets.map((name) => ({
      name,
      split: policySetSplits[name],
      title: policySetTitles[name],
      questions: bySet(answers, name).length,
    })),
    base: Object.fromEntries(
      policyQuestionSets.map((set) => [set, policyBaseRates(bySet(answers, set))]),
    ) as DemoPolicyResults["base"],
    selectors,
    ...(training ? { training: { settings: training.settings, selectors: trained } } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The policy's answers, sampled once and stored; read back when the stage resumes. */
async function policyAnswers(
  options: PolicyStageOptions,
  dir: string,
  key: string,
): Promise<PolicyAnswers[]> {
  const file = path.join(dir, "answers.json");
  if (fs.existsSync(file)) {
    const stored = readJsonFile<{ key: string; items: PolicyAnswers[] }>(file, {
      hint: "delete it to sample the answers again",
    });
    if (stored.key === key) return stored.items;
  }
  const { settings } = options;
  const questions = policyQuestionSets.flatMap((set) => {
    const qs = distinctQuestions(options.splits[set], settings.questions);
    if (qs.length < settings.questions) {
      throw new ConfigError([
        `policy: the ${policySetSplits[set]} split has ${qs.length} distinct questions, the stage needs ${settings.questions}`,
      ]);
    }
    return qs.map((question) => ({ set, question }));
  });
  const items = await sampleAnswers({
    modelPath: options.baseModel.path,
    questions,
    n: settings.samples,
    seed: options.seed,
    sampling: policySampling(settings),
    engine: options.engine,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  writeJsonFile(file, { key, items });
  return items;
}
