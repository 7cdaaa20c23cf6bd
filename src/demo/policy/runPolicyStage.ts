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
import pLimit from "p-limit";
import { generateCandidates } from "../../bon/generateCandidates.js";
import type { PreferencePair } from "../../data/types.js";
import { openLlamaCppEngine } from "../../engine/llamacpp/openLlamaCppEngine.js";
import type { SamplingConfig } from "../../engine/types.js";
import { ConfigError } from "../../errors.js";
import { openHeadJudge } from "../../heads/openHeadJudge.js";
import { createLlmJudge } from "../../judge/createLlmJudge.js";
import { worldTemplates } from "../../judge/templates/worldTemplates.js";
import type { Judge, SampleCache, VerdictProbabilityCache } from "../../judge/types.js";
import { readJsonFile, writeJsonFile } from "../../run/jsonFile.js";
import type { DemoEvalSplit, DemoMethodResult } from "../types.js";
import { questionValue } from "./answerTraits.js";
import type { PolicyPreset } from "./policyPresets.js";
import { btRewards, referenceScores, selectByKnockout, selectByScores } from "./policySelectors.js";
import { bySet, policyBaseRates, policyCurve } from "./summarizePolicy.js";
import {
  type DemoPolicyResults,
  type PolicyAnswers,
  type PolicyQuestionSet,
  type PolicyReferenceId,
  type PolicySelection,
  type PolicySelectorResult,
  policyQuestionSets,
} from "./types.js";

export interface PolicyStageOptions {
  outDir: string;
  /** Invalidates stored answers and selections when the demo's configuration changes. */
  stageKey: string;
  settings: PolicyPreset;
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

const references: { id: PolicyReferenceId; name: string }[] = [
  { id: "oracle", name: "oracle (the hidden rule)" },
  { id: "random", name: "random" },
  { id: "longest", name: "longest answer" },
];

/** Pure sampling from the policy: temperature 1, no nucleus cut. */
function policySampling(settings: PolicyPreset): SamplingConfig {
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
  const engineOptions = { ...options.engine, ...(signal ? { signal } : {}) };
  const keyOf = (what: string, modelId: string) => `${options.stageKey}/${what}/${modelId}`;

  const answers = await policyAnswers(options, dir, keyOf("answers", options.baseModel.id));
  const ns = settings.ns;
  const selectors: PolicySelectorResult[] = [];

  const run = async (
    id: PolicySelectorResult["id"],
    name: string,
    scheme: PolicySelectorResult["scheme"],
    modelId: string,
    select: (items: readonly PolicyAnswers[]) => Promise<PolicySelection[]>,
  ) => {
    signal?.throwIfAborted();
    const file = path.join(dir, "selections", `${id}.json`);
    const key = keyOf(`selections:${JSON.stringify(settings)}`, modelId);
    let record: { key: string; seconds: number; rows: PolicySelection[] } | undefined;
    if (fs.existsSync(file)) {
      const stored = readJsonFile<typeof record>(file, { hint: "delete it to redo this selector" });
      if (stored?.key === key) record = stored;
    }
    if (!record) {
      log(`policy: ${name} picking among ${answers.length} questions' answers`);
      const t0 = performance.now();
      const rows = await select(answers);
      record = { key, seconds: (performance.now() - t0) / 1000, rows };
      writeJsonFile(file, record);
    }
    const games = answers.length * (settings.samples - 1);
    selectors.push({
      id,
      name,
      scheme,
      reference: (references as { id: string }[]).some((r) => r.id === id),
      curves: Object.fromEntries(
        policyQuestionSets.map((set) => [set, policyCurve(bySet(answers, set), bySet(record.rows, set), ns)]),
      ) as PolicySelectorResult["curves"],
      coinGameShare: scheme === "knockout" ? record.rows.reduce((t, r) => t + r.coinGames, 0) / games : 0,
      seconds: record.seconds,
    });
  };

  for (const ref of references) {
    await run(ref.id, ref.name, "scalar", "none", async (items) =>
      items.map((item) => selectByScores(ref.id, item, referenceScores(ref.id, item), { ns, seed })),
    );
  }

  const limit = pLimit(8);
  const knockoutAll = (judge: Judge) => (items: readonly PolicyAnswers[]) =>
    Promise.all(
      items.map((item) =>
        limit(() =>
          selectByKnockout(judge, item, { ns, seed, concurrency: 8, ...(signal ? { signal } : {}) }),
        ),
      ),
    );

  for (const method of options.methods) {
    if (method.model === null) continue;
    const modelPath = method.model.path;
    if (method.id === "bt" || method.id === "pairrm") {
      const judge = await openHeadJudge({
        headFile: path.join(path.dirname(modelPath), "head.ckpt"),
        modelPath,
        template: worldTemplates.direct,
        orderMode: "both",
        seed,
      });
      try {
        if (method.id === "bt") {
          await run(method.id, method.name, "scalar", method.model.id, (items) =>
            Promise.all(
              items.map((item) =>
                limit(async () =>
                  selectByScores(method.id, item, await btRewards(judge, item, signal), { ns, seed }),
                ),
              ),
            ),
          );
        } else {
          await run(method.id, method.name, "knockout", method.model.id, knockoutAll(judge));
        }
      } finally {
        await judge.dispose();
      }
      continue;
    }
    const engine = await openLlamaCppEngine({ modelPath, ...engineOptions });
    try {
      const cot = method.reasoning;
      const judge = createLlmJudge(engine, {
        protocol: cot ? "cot" : "direct",
        template: cot ? worldTemplates.cot : worldTemplates.direct,
        orderMode: "both",
        seed,
        k: cot ? settings.cotKPerOrder : 1,
        sampling: options.judgeSampling,
        cache: options.cache,
        probabilityCache: options.probabilityCache,
      });
      await run(method.id, method.name, "knockout", method.model.id, knockoutAll(judge));
    } finally {
      await engine.dispose();
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
  const { settings, seed, signal } = options;
  const items = policyQuestionSets.flatMap((set) =>
    distinctQuestions(options.splits[set], settings.questions).map((question) => ({
      id: `${set}:${question}`,
      source: "mini-world",
      prompt: [{ role: "user" as const, content: question }],
      candidates: [],
      set,
      question,
    })),
  );
  for (const set of policyQuestionSets) {
    const n = items.filter((i) => i.set === set).length;
    if (n < settings.questions) {
      throw new ConfigError([
        `policy: the ${policySetSplits[set]} split has ${n} distinct questions, the stage needs ${settings.questions}`,
      ]);
    }
  }
  const engine = await openLlamaCppEngine({
    modelPath: options.baseModel.path,
    ...options.engine,
    ...(signal ? { signal } : {}),
  });
  try {
    const { items: sampled } = await generateCandidates(engine, items, {
      n: settings.samples,
      sampling: policySampling(settings),
      seed,
      concurrency: 8,
      ...(signal ? { signal } : {}),
    });
    const out: PolicyAnswers[] = sampled.map((item, i) => ({
      set: items[i]!.set,
      question: items[i]!.question,
      value: questionValue(items[i]!.question),
      answers: item.candidates.map((c) => c.text),
    }));
    writeJsonFile(file, { key, items: out });
    return out;
  } finally {
    await engine.dispose();
  }
}
