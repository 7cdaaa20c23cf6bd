/**
 * `genrm demo`: the paper's comparison (Figure 2) end to end on the mini world, with the committed
 * base model, on one machine.
 *
 * Stages, each resumable and cached in `<out>/stages/<method>.json` (keyed by the demo's config
 * hash), so a killed demo continues where it stopped:
 * 1. the world (seeded pairs, written to `<out>/data/*.jsonl`);
 * 2. zero-shot judges of the base model: verdict probability ("direct") and CoT with k samples;
 * 3. verdict-only judges trained on the labels: GenRM, Bradley–Terry, PairRM;
 * 4. STaR-SFT, STaR-DPO and STaR-Rationalizer (`runStar`), then CoT evaluation of their last model;
 * 5. `results.json`, `report.html` and the terminal table.
 *
 * Every judge sees the same evaluation pairs in the same seeded A/B order; samples go to one SQLite
 * store (`<out>/samples.db`), so evaluations resume without regenerating anything.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PreferencePair } from "../data/types.js";
import { openLlamaCppEngine } from "../engine/llamacpp/openLlamaCppEngine.js";
import { ConfigError, InternalError, NotFoundError } from "../errors.js";
import { openHeadJudge } from "../heads/openHeadJudge.js";
import { createLlmJudge } from "../judge/createLlmJudge.js";
import { templateHash } from "../judge/templates/templateHash.js";
import { worldTemplates } from "../judge/templates/worldTemplates.js";
import type { Judge, JudgeTemplate } from "../judge/types.js";
import { modelIdentity } from "../model/modelIdentity.js";
import { createProgressReporter } from "../progress/index.js";
import { readJsonFile, writeJsonFile } from "../run/jsonFile.js";
import { configHash, prepareRunDir } from "../run/runDir.js";
import { lockRunDir, lockRunDirWaiting, type RunDirLock } from "../run/runDirLock.js";
import { asStorageError } from "../run/storageErrors.js";
import { runStar } from "../star/runStar.js";
import type { StarManifest, StarMethod } from "../star/types.js";
import { SampleStore } from "../store/index.js";
import { genrmVersion } from "../version.js";
import { generateWorld } from "../world/generateWorld.js";
import { isWellFormedRationale } from "../world/isWellFormedRationale.js";
import { worldStats } from "../world/worldStats.js";
import { writeWorldSplits } from "../world/writeWorldSplits.js";
import { demoClaims } from "./demoClaims.js";
import { defaultDemoOptions } from "./demoDefaults.js";
import { type DemoPreset, demoPresets } from "./demoPresets.js";
import { evaluateOnSplits } from "./evaluateOnSplits.js";
import { formatDemoTable } from "./formatDemoTable.js";
import { planDemoLanes } from "./planDemoLanes.js";
import { policyPresets, policyTrainingPresets } from "./policy/policyPresets.js";
import { runPolicyStage } from "./policy/runPolicyStage.js";
import type { DemoPolicyResults } from "./policy/types.js";
import { renderDemoReport } from "./report/renderDemoReport.js";
import { runDemoLanes } from "./runDemoLanes.js";
import { trainVerdictJudge } from "./trainVerdictJudge.js";
import {
  type DemoEvalSplit,
  type DemoMethodId,
  type DemoMethodResult,
  type DemoResults,
  type DemoSplitInfo,
  type DemoSplitResult,
  demoEvalSplits,
  demoMethodIds,
} from "./types.js";

export interface DemoOptions {
  /** Run directory. Defaults to "genrm-demo". */
  outDir?: string;
  /** Defaults to "full". */
  preset?: "full" | "quick";
  /** Seeds the world, orders, samples and training. Defaults to 0. */
  seed?: number;
  /** Base model. Defaults to the committed mini-world model (`assets/world/base.gguf`). */
  baseModel?: string;
  /**
   * llama.cpp threads. Defaults to 1: the world model is so small that a decode step is mostly
   * fixed overhead, and a second spinning thread only costs (docs/engines-embedded.md).
   */
  threads?: number;
  /** Methods to run, in Figure 2 order. Defaults to all. */
  methods?: readonly DemoMethodId[];
  /**
   * Stages run side by side, each lane in a process of its own (`planDemoLanes`). Results do not
   * depend on it. Defaults to 2 where the machine has 2 or more cores, else 1.
   */
  jobs?: number;
  /**
   * Also run the policy stage after the judges: Best-of-N among the base model's answers by every
   * judge (`src/demo/policy/`). Defaults to false.
   */
  policy?: boolean;
  /** Empty the run directory first. Defaults to false (resume). */
  fresh?: boolean;
  signal?: AbortSignal;
  progress?: "bar" | "plain" | "silent";
  log?: (line: string) => void;
}

export interface DemoRun {
  results: DemoResults;
  outDir: string;
  resultsFile: string;
  reportFile: string;
  table: string;
}

/** The committed base model, next to the package's `dist/` or `src/`. */
export function bundledBaseModel(): string {
  return fileURLToPath(new URL("../../assets/world/base.gguf", import.meta.url));
}

const methodNames: Record<
  DemoMethodId,
  { name: string; family: DemoMethodResult["family"]; reasoning: boolean }
> = {
  "zero-shot-direct": { name: "LLM judge (no reasoning)", family: "zero-shot", reasoning: false },
  "zero-shot-cot": { name: "LLM judge (CoT)", family: "zero-shot", reasoning: true },
  genrm: { name: "GenRM", family: "verdict-only", reasoning: false },
  bt: { name: "Bradley-Terry RM", family: "verdict-only", reasoning: false },
  pairrm: { name: "PairRM", family: "verdict-only", reasoning: false },
  "star-sft": { name: "STaR-SFT", family: "star", reasoning: true },
  "star-dpo": { name: "STaR-DPO", family: "star", reasoning: true },
  "star-rationalizer": { name: "STaR-Rationalizer", family: "star", reasoning: true },
};

const freshHint = "rerun with --fresh to start the demo over, or delete that file to redo its stage";

/** Bumped when what a stage computes from its artifacts changes (metrics, fields). */
const demoStageVersion = 6;
/** The same for the policy stage. */
const policyStageVersion = 2;

const splitTitles: Record<DemoEvalSplit, string> = {
  test: "In-distribution",
  "ood-length": "OOD: length cue reversed",
  "ood-mixed": "OOD: subtraction",
};

export async function runDemo(options: DemoOptions = {}): Promise<DemoRun> {
  const outDir = path.resolve(options.outDir ?? defaultDemoOptions.outDir);
  // Taken before --fresh empties the directory, so a second demo cannot delete a running one's files.
  const lock = lockRunDir(outDir, "demo");
  try {
    const run = await runDemoLocked(options, outDir, lock);
    if (!run) throw new InternalError("runDemoLocked: a locked run returned no results");
    return run;
  } catch (err) {
    throw asStorageError(err, { dir: outDir });
  } finally {
    lock.release();
  }
}

/**
 * One lane of a demo whose process holds the run directory's lock (`runDemoLanes`): runs the given
 * stages, writing their stage records, and nothing else (no world files, no results.json).
 */
export async function runDemoLane(options: DemoOptions): Promise<void> {
  const outDir = path.resolve(options.outDir ?? defaultDemoOptions.outDir);
  try {
    await runDemoLocked({ ...options, fresh: false, policy: false, jobs: 1 }, outDir, null);
  } catch (err) {
    throw asStorageError(err, { dir: outDir });
  }
}

async function runDemoLocked(
  options: DemoOptions,
  outDir: string,
  /** null: a lane of a demo whose parent process holds the lock and prepared the directory. */
  lock: RunDirLock | null,
): Promise<DemoRun | null> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const presetName = options.preset ?? "full";
  const preset: DemoPreset = demoPresets[presetName];
  const seed = options.seed ?? defaultDemoOptions.seed;
  const threads = options.threads ?? defaultDemoOptions.threads;
  const log = options.log ?? (() => {});
  const signal = options.signal;
  const progressMode = options.progress ?? (process.stderr.isTTY ? "bar" : "plain");
  const unknown = (options.methods ?? []).filter((m) => !(demoMethodIds as readonly string[]).includes(m));
  if (unknown.length > 0) {
    throw new ConfigError([
      `methods: unknown ${unknown.join(", ")}; expected any of ${demoMethodIds.join(", ")}`,
    ]);
  }
  const methods = demoMethodIds.filter((m) => (options.methods ?? demoMethodIds).includes(m));
  const jobs = options.jobs ?? defaultDemoOptions.jobs();
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new ConfigError([`jobs: must be a positive integer, got ${jobs}`]);
  }

  const baseModel = path.resolve(options.baseModel ?? bundledBaseModel());
  if (!fs.existsSync(baseModel)) {
    throw new NotFoundError(`base model not found: ${baseModel}`, {
      hint: "reinstall genrm (the package ships assets/world/base.gguf), or pass --base-model",
    });
  }
  if (options.fresh) lock?.clear();
  fs.mkdirSync(path.join(outDir, "stages"), { recursive: true });

  const baseId = await modelIdentity(baseModel, signal ? { signal } : {});
  const sha256 = createHash("sha256").update(fs.readFileSync(baseModel)).digest("hex");
  const world = generateWorld({
    seed,
    sizes: {
      train: preset.trainPairs,
      test: preset.evalPairs,
      "ood-length": preset.evalPairs,
      "ood-mixed": preset.evalPairs,
      "ood-long": 0,
    },
  });
  const templates = Object.fromEntries(Object.values(worldTemplates).map((t) => [t.id, templateHash(t)]));
  const demoConfig = { preset: presetName, settings: preset, seed, baseModel: baseId, templates };
  const resuming = fs.existsSync(path.join(outDir, "demo.json"));
  const hash = lock
    ? prepareRunDir(outDir, "demo", demoConfig, genrmVersion(), {
        file: "demo.json",
        hint: "pass --fresh to start over there, or another --out",
        tornHint: freshHint,
      }).configHash
    : configHash(demoConfig);
  if (resuming && lock) log(`resuming the demo in ${outDir}`);

  const dataDir = path.join(outDir, "data");
  if (lock) await writeWorldSplits(world, dataDir, ["train", ...demoEvalSplits]);
  const evalSplits = Object.fromEntries(demoEvalSplits.map((s) => [s, world.splits[s]])) as Record<
    DemoEvalSplit,
    PreferencePair[]
  >;
  const splits: DemoSplitInfo[] = demoEvalSplits.map((name) => ({
    name,
    title: splitTitles[name],
    ood: name !== "test",
    pairs: evalSplits[name].length,
    lengthJudgeAccuracy: worldStats(evalSplits[name]).lengthJudgeAccuracy,
  }));
  if (lock) {
    log(
      `mini world (seed ${seed}): ${preset.trainPairs} training pairs, ${preset.evalPairs} pairs per evaluation split; base model ${path.relative(process.cwd(), baseModel) || baseModel}`,
    );
  }

  const store = SampleStore.open(path.join(outDir, "samples.db"));
  const cache = store.sampleCache();
  const probabilityCache = store.probabilityCache();
  const engineOptions = { threads, contextSize: 384, parallelSequences: 32 };
  const sampling = { temperature: 1, topP: 0.95, maxTokens: preset.maxTokens };
  const timings: DemoResults["timings"] = [];

  /** Evaluates an LLM judge of `modelPath` on every split. */
  const evaluateLlm = async (
    modelPath: string,
    protocol: "direct" | "cot",
    dir: string,
    label: string,
  ): Promise<Record<DemoEvalSplit, DemoSplitResult>> => {
    const engine = await openLlamaCppEngine({ modelPath, ...engineOptions, ...(signal ? { signal } : {}) });
    try {
      const judge = createLlmJudge(engine, {
        protocol,
        template: protocol === "cot" ? worldTemplates.cot : worldTemplates.direct,
        orderMode: "random",
        seed,
        k: protocol === "cot" ? preset.k : 1,
        sampling,
        cache,
        probabilityCache,
      });
      return await evaluateJudge(judge, dir, label, protocol === "cot");
    } finally {
      await engine.dispose();
    }
  };
  const evaluateJudge = async (judge: Judge, dir: string, label: string, majK: boolean) => {
    const total = demoEvalSplits.reduce((n, s) => n + evalSplits[s].length, 0);
    const bar = createProgressReporter(`eval ${label}`, { unit: "pairs", mode: progressMode });
    const offsets = new Map<DemoEvalSplit, number>();
    let offset = 0;
    for (const s of demoEvalSplits) {
      offsets.set(s, offset);
      offset += evalSplits[s].length;
    }
    try {
      return await evaluateOnSplits(judge, evalSplits, {
        dir,
        seed,
        concurrency: 8,
        majK,
        ...(signal ? { signal } : {}),
        onProgress: (split, done) => bar.update({ done: (offsets.get(split) ?? 0) + done, total }),
      });
    } finally {
      bar.stop();
    }
  };

  const starRun = async (
    id: StarMethod,
    dir: string,
  ): Promise<{ model: string; manifest: StarManifest; seconds: number }> => {
    const t0 = performance.now();
    const bar = createProgressReporter(id, { unit: "steps", mode: progressMode });
    try {
      const probe =
        preset.probePairs > 0 ? [{ name: "probe", pairs: evalSplits.test.slice(0, preset.probePairs) }] : [];
      const result = await runStar(
        {
          method: id,
          baseModel,
          pairs: world.splits.train,
          evalSets: probe,
          outDir: dir,
          store: path.join(outDir, "samples.db"),
          dataSource: path.join(dataDir, "train.jsonl"),
          iterations: preset.star.iterations,
          k: preset.star.k,
          seed,
          template: worldTemplates.cot,
          rationalizerTemplate: worldTemplates.rationalizer,
          sampling,
          maxPerPair: id === "star-dpo" ? null : preset.star.maxPerPair,
          rationaleCheck: isWellFormedRationale,
          train: {
            lora: false,
            lr: preset.star.lr,
            epochs: preset.star.epochs,
            batchSize: preset.star.batchSize,
            beta: preset.star.beta,
            saveEvery: 20,
          },
          evalK: 1,
          evalOrder: "random",
          concurrency: 8,
          engine: engineOptions,
        },
        {
          ...(signal ? { signal } : {}),
          log,
          onProgress: (p) =>
            bar.update({
              done: p.done,
              total: p.total,
              metrics: { iter: p.iteration, phase: p.phase },
            }),
        },
      );
      signal?.throwIfAborted();
      if (result.finalModel === null)
        throw new ConfigError([`${id}: the STaR run stopped before its last model`]);
      return {
        model: result.finalModel,
        manifest: result.manifest,
        seconds: (performance.now() - t0) / 1000,
      };
    } finally {
      bar.stop();
    }
  };

  const runMethod = async (id: DemoMethodId): Promise<DemoMethodResult> => {
    const dir = path.join(outDir, id);
    const meta = methodNames[id];
    const base = {
      id,
      ...meta,
      k: meta.reasoning ? preset.k : null,
      template: meta.reasoning ? templateRef(worldTemplates.cot) : templateRef(worldTemplates.direct),
    };
    switch (id) {
      case "zero-shot-direct":
      case "zero-shot-cot": {
        const protocol = id === "zero-shot-cot" ? "cot" : "direct";
        const results = await evaluateLlm(baseModel, protocol, path.join(dir, "eval"), meta.name);
        return { ...base, model: { path: baseModel, id: baseId }, training: null, results, seconds: 0 };
      }
      case "genrm":
      case "bt":
      case "pairrm": {
        const trained = await trainVerdictJudge({
          method: id,
          baseModel,
          pairs: world.splits.train,
          template: worldTemplates.direct,
          outDir: path.join(dir, "train"),
          seed,
          ...preset.verdict,
          progress: progressMode,
          ...(signal ? { signal } : {}),
        });
        signal?.throwIfAborted();
        if (trained.stopReason !== "completed") throw new ConfigError([`${id}: training stopped early`]);
        const training = {
          rows: trained.examples,
          steps: trained.steps,
          seconds: trained.seconds,
          lastLoss: trained.lastLoss,
        };
        const model = { path: trained.model, id: await modelIdentity(trained.model) };
        if (id === "genrm") {
          const results = await evaluateLlm(trained.model, "direct", path.join(dir, "eval"), meta.name);
          return { ...base, model, training, results, seconds: 0 };
        }
        const judge = await openHeadJudge({
          headFile: trained.head!,
          modelPath: trained.model,
          template: worldTemplates.direct,
          orderMode: "random",
          seed,
        });
        try {
          const results = await evaluateJudge(judge, path.join(dir, "eval"), meta.name, false);
          return {
            ...base,
            template: id === "bt" ? null : base.template,
            model: { path: trained.model, id: judge.info.modelId },
            training,
            results,
            seconds: 0,
          };
        } finally {
          await judge.dispose();
        }
      }
      case "star-sft":
      case "star-dpo":
      case "star-rationalizer": {
        const { model: finalModel, manifest, seconds } = await starRun(id, path.join(dir, "star"));
        const results = await evaluateLlm(finalModel, "cot", path.join(dir, "eval"), meta.name);
        return {
          ...base,
          model: { path: finalModel, id: manifest.finalModel?.id ?? (await modelIdentity(finalModel)) },
          training: starTraining(manifest, seconds),
          results,
          seconds: 0,
        };
      }
    }
  };

  // A stage record is reused only when it was computed the way this genrm computes it; otherwise
  // the stage runs again, resuming from its judgments, checkpoints and samples.
  const stageKey = `${hash}/${demoStageVersion}`;
  const results: DemoMethodResult[] = [];
  let policy: DemoPolicyResults | undefined;
  // The judges it uses are part of its key, so a run with other --methods redoes it.
  const policyStage = async (): Promise<DemoPolicyResults> => {
    const stageFile = path.join(outDir, "stages", "policy.json");
    const key = `${stageKey}/policy@${policyStageVersion}/${results.map((r) => `${r.id}=${r.model?.id}`).join(",")}`;
    if (fs.existsSync(stageFile)) {
      const cached = readJsonFile<{ configHash: string; result: DemoPolicyResults }>(stageFile, {
        hint: freshHint,
      });
      if (cached.configHash === key) {
        log("policy (Best-of-N): done in an earlier run");
        return cached.result;
      }
    }
    log("policy (Best-of-N): starting");
    const result = await runPolicyStage({
      outDir,
      stageKey: key,
      settings: policyPresets[presetName],
      training: { settings: policyTrainingPresets[presetName], questions: world.splits.train },
      seed,
      baseModel: { path: baseModel, id: baseId },
      splits: { "in-distribution": evalSplits.test, ood: evalSplits["ood-mixed"] },
      methods: results,
      judgeSampling: sampling,
      engine: engineOptions,
      cache,
      probabilityCache,
      ...(signal ? { signal } : {}),
      log,
    });
    writeJsonFile(stageFile, { configHash: key, result });
    log(`policy (Best-of-N): ${result.seconds.toFixed(0)} s`);
    return result;
  };
  const stageFileOf = (id: DemoMethodId) => path.join(outDir, "stages", `${id}.json`);
  const stageRecord = (id: DemoMethodId): DemoMethodResult | null => {
    const stageFile = stageFileOf(id);
    if (!fs.existsSync(stageFile)) return null;
    const cached = readJsonFile<{ configHash: string; result: DemoMethodResult }>(stageFile, {
      hint: freshHint,
    });
    return cached.configHash === stageKey ? cached.result : null;
  };
  const earlier = new Map(methods.map((id) => [id, stageRecord(id)]));
  // Stages finished by an earlier (killed) run count with their recorded time, so a resumed demo
  // reports what the whole computation took rather than what was left of it.
  const earlierSeconds = methods.reduce((t, id) => t + (earlier.get(id)?.seconds ?? 0), 0);
  const ranInLanes = new Set<DemoMethodId>();
  if (lock && jobs > 1) {
    const lanes = planDemoLanes(
      methods.filter((id) => earlier.get(id) === null),
      jobs,
    );
    if (lanes.length > 1) {
      await runDemoLanes(lanes, {
        options: {
          outDir,
          preset: presetName,
          seed,
          baseModel,
          threads,
          progress: progressMode === "bar" ? "plain" : progressMode,
        },
        log,
        ...(signal ? { signal } : {}),
      });
      for (const id of lanes.flat()) ranInLanes.add(id);
    }
  }
  try {
    for (const id of methods) {
      signal?.throwIfAborted();
      const recorded = ranInLanes.has(id) ? stageRecord(id) : earlier.get(id);
      if (recorded) {
        if (!ranInLanes.has(id)) log(`${methodNames[id].name}: done in an earlier run`);
        results.push(recorded);
        timings.push({ stage: id, seconds: recorded.seconds });
        continue;
      }
      if (ranInLanes.has(id)) throw new InternalError(`${id}: its lane finished without a stage record`);
      // A lane of a killed earlier run stops by itself within a step; until then its stage is its.
      const stageLock = await lockRunDirWaiting(path.join(outDir, id), `demo ${id}`, {
        timeoutMs: 60_000,
        onWait: (h) =>
          log(`${methodNames[id].name}: waiting for pid ${h.pid} (an earlier run's lane) to stop`),
        ...(signal ? { signal } : {}),
      });
      log(`${methodNames[id].name}: starting`);
      const t0 = performance.now();
      const result = await runMethod(id).finally(() => stageLock.release());
      result.seconds = (performance.now() - t0) / 1000;
      writeJsonFile(stageFileOf(id), { configHash: stageKey, result });
      results.push(result);
      timings.push({ stage: id, seconds: result.seconds });
      log(
        `${meta(id)}: ${demoEvalSplits.map((s) => `${s} ${result.results[s].accuracy.toFixed(3)}`).join(", ")} (${result.seconds.toFixed(0)} s)`,
      );
    }
    if (options.policy) {
      signal?.throwIfAborted();
      policy = await policyStage();
      timings.push({ stage: "policy", seconds: policy.seconds });
    }
  } finally {
    store.close();
  }
  if (!lock) return null;

  const finishedAt = new Date().toISOString();
  const demo: DemoResults = {
    format: "genrm-demo@1",
    genrm: genrmVersion(),
    preset: presetName,
    seed,
    startedAt,
    finishedAt,
    wallSeconds: (performance.now() - started) / 1000 + earlierSeconds,
    machine: {
      platform: os.platform(),
      arch: os.arch(),
      cpus: os.availableParallelism(),
      node: process.version,
      engineThreads: threads,
    },
    baseModel: { path: baseModel, id: baseId, sha256 },
    world: { seed, noise: world.config.noise, trainPairs: world.splits.train.length },
    templates,
    config: { ...preset, methods },
    splits,
    methods: results,
    claims: [],
    timings,
    ...(policy ? { policy } : {}),
  };
  demo.claims = demoClaims(demo);
  const resultsFile = path.join(outDir, "results.json");
  const reportFile = path.join(outDir, "report.html");
  writeJsonFile(resultsFile, demo);
  fs.writeFileSync(reportFile, renderDemoReport(demo));
  return { results: demo, outDir, resultsFile, reportFile, table: formatDemoTable(demo) };
}

function meta(id: DemoMethodId): string {
  return methodNames[id].name;
}

function templateRef(t: JudgeTemplate): { id: string; hash: string } {
  return { id: t.id, hash: templateHash(t) };
}

function starTraining(manifest: StarManifest, seconds: number): DemoMethodResult["training"] {
  const baseProbe = manifest.baseEvals.find((e) => e.name === "probe")?.accuracy ?? null;
  const start = { iteration: 0, pairs: 0, samples: 0, kept: 0, malformed: null, probeAccuracy: baseProbe };
  const iterations = manifest.iterations.map((it) => ({
    iteration: it.iteration,
    pairs: it.counts?.pairs ?? 0,
    samples: it.counts?.samples ?? 0,
    kept: it.counts?.rows ?? 0,
    malformed: it.counts?.malformedRows ?? null,
    probeAccuracy: it.evals.find((e) => e.name === "probe")?.accuracy ?? null,
  }));
  return {
    rows: iterations.reduce((n, it) => n + it.kept, 0),
    steps: manifest.iterations.reduce((n, it) => n + (it.training?.steps ?? 0), 0),
    seconds,
    iterations: baseProbe === null ? iterations : [start, ...iterations],
    lastLoss: manifest.iterations.at(-1)?.training?.lastLoss ?? null,
  };
}
