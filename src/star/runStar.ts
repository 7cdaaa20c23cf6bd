/**
 * STaR training (paper-spec §1.8–1.11, §1.14): the pairs are cut into `iterations` disjoint seeded
 * slices; iteration t samples K chains per pair of slice t with M_{t−1}, turns them into training
 * rows (STaR-SFT: correct chains; STaR-DPO: correct × wrong of one prompt; STaR-Rationalizer:
 * hinted rationales without the hint), trains (LoRA by default), exports the merged GGUF M_t and
 * evaluates it. M_0 is the base model.
 *
 * Everything lands in one run directory described by `manifest.json` (see docs/star.md). The
 * manifest is rewritten (atomically) after every phase, and each phase is resumable on its own:
 * sampling through the SQLite store, training through the trainer's checkpoints, evaluation through
 * judgments.jsonl. A rerun with the same configuration skips finished iterations.
 */
import fs from "node:fs";
import path from "node:path";
import { slicePairs } from "../data/splitPairs.js";
import type { PreferencePair } from "../data/types.js";
import { InputError, throwIfAborted } from "../errors.js";
import { samplingKey } from "../judge/samplingKey.js";
import { templateHash } from "../judge/templates/templateHash.js";
import type { SampleCache } from "../judge/types.js";
import { modelIdentity } from "../model/modelIdentity.js";
import { weightsIdentity } from "../model/weightsIdentity.js";
import { readJsonFile, writeJsonFile, writeJsonLinesFile } from "../run/jsonFile.js";
import { checkConfigHash, configHash, slug } from "../run/runDir.js";
import { SampleStore } from "../store/index.js";
import { loadTrainRows, type TrainRow } from "../train/data/index.js";
import type { TrainLogEntry } from "../train/loop.js";
import { runTraining } from "../train/runTraining.js";
import { genrmVersion } from "../version.js";
import { classifySample } from "./classifySample.js";
import { emptyCounts } from "./emptyCounts.js";
import { evaluateStarModel } from "./evaluateStarModel.js";
import { pairDpoRows } from "./pairDpoRows.js";
import { type PairSamples, tallySamples } from "./pairSamples.js";
import { rationalizerRows } from "./rationalizerRows.js";
import { resolveStarConfig, type StarConfig, type StarOptions } from "./resolveStarConfig.js";
import { runCommandTrainer } from "./runCommandTrainer.js";
import { sampleSlice } from "./sampleSlice.js";
import { selectSftRows } from "./selectSftRows.js";
import { type StarSamplerSession, startStarSampler } from "./starSampler.js";
import { toTrlRow } from "./toTrlRow.js";
import { modelFormatOf, modelRefKey, type StarModelRef } from "./trainSpec.js";
import type {
  StarCounts,
  StarDpoRow,
  StarEvalSet,
  StarIterationRecord,
  StarManifest,
  StarSftRow,
} from "./types.js";

export interface RunStarInput extends StarOptions {
  /** GGUF of M_0. */
  baseModel: string;
  /** Labelled training pairs; sliced into `iterations` disjoint parts. */
  pairs: readonly PreferencePair[];
  /** Evaluated with the base model and after every iteration. Defaults to none. */
  evalSets?: readonly StarEvalSet[];
  /** The run directory. */
  outDir: string;
  /** SQLite sample store. Defaults to `<outDir>/samples.db`. */
  store?: string;
  /** Where the pairs came from, for the manifest. Defaults to null. */
  dataSource?: string;
  /** The command that continues this run, for error hints. Defaults to `genrm star --resume --out <outDir>`. */
  resumeCommand?: string;
}

export interface StarProgress {
  iteration: number;
  phase: "sample" | "train" | "export" | "eval";
  done: number;
  total: number;
}

export interface RunStarHooks {
  signal?: AbortSignal;
  onProgress?: (p: StarProgress) => void;
  /** Human-readable progress lines. Defaults to none. */
  log?: (line: string) => void;
  /** Per training step of any iteration. */
  onTrainStep?: (iteration: number, entry: TrainLogEntry) => void;
}

export interface StarResult {
  runDir: string;
  manifest: StarManifest;
  /** The last model (M_T), or null when the run stopped early. */
  finalModel: string | null;
  stopReason: "completed" | "aborted";
}

export const manifestFileName = "manifest.json";

export async function runStar(input: RunStarInput, hooks: RunStarHooks = {}): Promise<StarResult> {
  const { signal, onProgress, onTrainStep } = hooks;
  const log = hooks.log ?? (() => {});
  const config = resolveStarConfig(input);
  if (input.pairs.length < config.iterations) {
    throw new InputError("too few training pairs for the STaR slices", {
      expected: `at least ${config.iterations} (one per iteration)`,
      got: String(input.pairs.length),
    });
  }
  const runDir = path.resolve(input.outDir);
  fs.mkdirSync(runDir, { recursive: true });
  // A served name or Hub id (an external trainer and server resolve it) stays as given.
  const baseModel = fs.existsSync(input.baseModel) ? path.resolve(input.baseModel) : input.baseModel;
  const baseFormat = modelFormatOf(baseModel);
  const base: StarModelRef = {
    path: baseModel,
    id: await weightsIdentity(baseModel, signal),
    ...(baseFormat !== "gguf" ? { format: baseFormat } : {}),
  };
  const evalSets = input.evalSets ?? [];
  const storePath = path.resolve(input.store ?? path.join(runDir, "samples.db"));

  const slices = slicePairs(input.pairs, config.iterations, config.seed);
  const written = writtenConfig(config);
  const hash = configHash({
    config: written,
    base: base.id,
    pairs: slices.map((s) => s.map((p) => p.id)),
    evalSets: evalSets.map((s) => ({ name: s.name, pairs: s.pairs.map((p) => p.id) })),
  });
  const manifestFile = path.join(runDir, manifestFileName);
  let manifest: StarManifest;
  if (fs.existsSync(manifestFile)) {
    manifest = readJsonFile<StarManifest>(manifestFile, {
      hint: "restore it, or start the run over in a new --out (samples in its store are kept)",
    });
    checkConfigHash(runDir, manifest.configHash, hash, {
      command: "star",
      hint: "rerun with the same options to resume it, or pick a new --out",
    });
    log(
      `resuming ${runDir}: ${manifest.iterations.filter((r) => r.status === "done").length}/${config.iterations} iterations done`,
    );
  } else {
    manifest = {
      format: "genrm-star",
      version: 1,
      genrm: genrmVersion(),
      method: config.method,
      configHash: hash,
      config: written,
      baseModel: base,
      data: {
        source: input.dataSource ?? null,
        pairs: input.pairs.length,
        slices: slices.map((s) => s.length),
        sliceSeed: config.seed,
      },
      store: storePath,
      baseEvals: [],
      iterations: [],
      finalModel: null,
      status: "running",
      updatedAt: new Date().toISOString(),
    };
  }
  const save = () => {
    manifest.updatedAt = new Date().toISOString();
    writeJsonFile(manifestFile, manifest);
  };
  save();

  const store = SampleStore.open(storePath);
  const cache = store.sampleCache();
  const sampler = startStarSampler(config.sampler ?? { kind: "embedded" }, {
    runDir,
    engine: config.engine,
    log,
  });
  try {
    for (const set of evalSets) {
      if (manifest.baseEvals.some((e) => e.name === set.name)) continue;
      log(`evaluating the base model on ${set.name} (${set.pairs.length} pairs)`);
      onProgress?.({ iteration: 0, phase: "eval", done: 0, total: evalSets.length });
      manifest.baseEvals.push(
        await evaluateStarModel(
          base,
          sampler,
          set,
          path.join(runDir, "iter-0", "eval", slug(set.name)),
          config,
          cache,
          signal,
        ),
      );
      save();
    }

    let current: StarModelRef = base;
    for (let t = 1; t <= config.iterations; t++) {
      throwIfAborted(signal);
      const slice = slices[t - 1]!;
      const iterDir = path.join(runDir, `iter-${t}`);
      let rec = manifest.iterations[t - 1];
      if (rec === undefined || modelRefKey(rec.samplingModel) !== modelRefKey(current)) {
        rec = newIterationRecord(t, slice, current, base, config);
        manifest.iterations[t - 1] = rec;
        manifest.iterations.length = t;
        save();
      }
      if (rec.status === "done" && rec.model !== null) {
        current = rec.model;
        continue;
      }
      fs.mkdirSync(iterDir, { recursive: true });

      if (rec.status === "pending") {
        log(
          `iteration ${t}: sampling ${config.k} chains for each of ${slice.length} pairs with ${describeModel(current)}`,
        );
        const { counts, rows, samples } = await sampleIteration(
          t,
          slice,
          current,
          sampler,
          config,
          cache,
          signal,
          onProgress,
        );
        writeJsonLinesFile(path.join(runDir, rec.files.samples), samples);
        writeJsonLinesFile(path.join(runDir, rec.files.train), rows);
        writeJsonLinesFile(path.join(runDir, rec.files.trl), rows.map(toTrlRow));
        rec.counts = counts;
        rec.status = "sampled";
        save();
        log(`iteration ${t}: ${describeCounts(config, counts)}`);
      }

      if (rec.status === "sampled" && config.trainer !== undefined) {
        const made = await runCommandTrainer({
          runDir,
          rec,
          config,
          trainer: config.trainer,
          wantAdapter: config.sampler?.handoff === "lora",
          ...(signal ? { signal } : {}),
          log,
          resumeCommand: input.resumeCommand ?? `genrm star --resume --out ${runDir}`,
        });
        if (made === "aborted") {
          save();
          return { runDir, manifest, finalModel: null, stopReason: "aborted" };
        }
        rec.model = made;
        rec.status = "trained";
        save();
      }
      if (rec.status === "sampled") {
        const trained = await trainIteration(
          runDir,
          rec,
          config,
          signal,
          (entry, total) => {
            onTrainStep?.(t, entry);
            onProgress?.({ iteration: t, phase: "train", done: entry.step, total });
          },
          log,
        );
        if (trained === "aborted") {
          save();
          return { runDir, manifest, finalModel: null, stopReason: "aborted" };
        }
        rec.status = "trained";
        save();
      }

      const model = rec.model!;
      for (const set of evalSets) {
        if (rec.evals.some((e) => e.name === set.name)) continue;
        log(`iteration ${t}: evaluating on ${set.name}`);
        onProgress?.({ iteration: t, phase: "eval", done: rec.evals.length, total: evalSets.length });
        rec.evals.push(
          await evaluateStarModel(
            model,
            sampler,
            set,
            path.join(iterDir, "eval", slug(set.name)),
            config,
            cache,
            signal,
          ),
        );
        save();
      }
      rec.status = "done";
      save();
      current = model;
    }
    manifest.finalModel = current;
    manifest.status = "done";
    save();
    return { runDir, manifest, finalModel: current.path, stopReason: "completed" };
  } catch (error) {
    save();
    if (signal?.aborted) return { runDir, manifest, finalModel: null, stopReason: "aborted" };
    throw error;
  } finally {
    await sampler.close();
    store.close();
  }
}

function newIterationRecord(
  t: number,
  slice: readonly PreferencePair[],
  current: StarModelRef,
  base: StarModelRef,
  config: StarConfig,
): StarIterationRecord {
  const rel = (name: string) => path.join(`iter-${t}`, name);
  const kind = config.method === "star-dpo" ? "dpo" : "sft";
  const start = config.restartFromBase ? base : current;
  return {
    iteration: t,
    status: "pending",
    samplingModel: current,
    startModel: start,
    referenceModel: config.method === "star-dpo" ? (config.reference === "base" ? base : current) : null,
    slice: { index: t - 1, pairs: slice.length, pairIds: slice.map((p) => p.id) },
    seed: config.seed,
    template: {
      id: config.method === "star-rationalizer" ? config.rationalizerTemplate!.id : config.template.id,
      hash:
        config.method === "star-rationalizer"
          ? templateHashOf(config.rationalizerTemplate!)
          : config.templateHash,
    },
    sampling: config.sampling,
    samplingKey: samplingKey(config.sampling),
    k: config.k,
    orders: config.orders,
    counts: null,
    files: {
      samples: rel("samples.jsonl"),
      train: rel(`${kind}.jsonl`),
      trl: rel(`${kind}.trl.jsonl`),
      cumulative: config.restartFromBase
        ? Array.from({ length: t - 1 }, (_, i) => path.join(`iter-${i + 1}`, `${kind}.jsonl`))
        : [],
    },
    training: null,
    model: null,
    evals: [],
  };
}

async function sampleIteration(
  t: number,
  slice: readonly PreferencePair[],
  model: StarModelRef,
  sampler: StarSamplerSession,
  config: StarConfig,
  cache: SampleCache,
  signal: AbortSignal | undefined,
  onProgress: RunStarHooks["onProgress"],
): Promise<{ counts: StarCounts; rows: (StarSftRow | StarDpoRow)[]; samples: unknown[] }> {
  const engine = await sampler.open(model, signal);
  const counts = emptyCounts();
  const rows: (StarSftRow | StarDpoRow)[] = [];
  const samplesOut: unknown[] = [];
  const record = (ps: PairSamples, kind: "self" | "hinted") => {
    for (const s of ps.samples) {
      samplesOut.push({
        pairId: ps.pair.id,
        kind,
        ...ps.source,
        order: s.order,
        index: s.index,
        seed: s.seed,
        verdict: s.verdict,
        gold: ps.pair.label,
        class: ps.pair.label === "tie" ? "tie" : classifySample(s, ps.pair.label),
        ...(s.parseError ? { parseError: s.parseError } : {}),
        stopReason: s.stopReason,
        completionTokens: s.completionTokens,
        text: s.text,
      });
    }
  };
  const onPair = (done: number, total: number) =>
    onProgress?.({ iteration: t, phase: "sample", done, total });
  try {
    const needSelf = config.method !== "star-rationalizer" || config.rationalize === "failed";
    const self = needSelf
      ? await sampleSlice(engine, slice, config, {
          iteration: t,
          kind: "self",
          cache,
          onPair,
          ...(signal ? { signal } : {}),
        })
      : [];
    for (const ps of self) {
      record(ps, "self");
      tallySamples(counts, ps, config.method !== "star-dpo" || config.rejectUnparseable);
      if (config.method === "star-dpo") rows.push(...pairDpoRows(ps, config));
      else rows.push(...selectSftRows(ps, config, counts));
    }
    if (config.method === "star-rationalizer") {
      // Classic STaR (OQ-6 "failed"): correct self-samples are kept as they are (above), and only
      // pairs with no correct chain are rationalised.
      const solved = new Set(
        self
          .filter((ps) =>
            ps.samples.some((s) => ps.pair.label !== "tie" && classifySample(s, ps.pair.label) === "correct"),
          )
          .map((ps) => ps.pair.id),
      );
      const todo = slice.filter((p) => !solved.has(p.id));
      counts.skippedSolved = solved.size;
      const hinted = await sampleSlice(engine, todo, config, {
        iteration: t,
        kind: "hinted",
        cache,
        onPair,
        ...(signal ? { signal } : {}),
      });
      for (const ps of hinted) {
        record(ps, "hinted");
        if (config.rationalize === "all") tallySamples(counts, ps);
        rows.push(
          ...rationalizerRows(
            ps,
            {
              template: config.template,
              rationalizerTemplate: config.rationalizerTemplate!,
              keepInconsistent: config.keepInconsistent,
              maxPerPair: config.maxPerPair,
              seed: config.seed,
            },
            counts,
          ),
        );
      }
    }
  } finally {
    await engine.dispose();
  }
  counts.rows = rows.length;
  const check = config.rationaleCheck;
  if (check) {
    counts.malformedRows = rows.filter(
      (r) => !check(("chosen" in r ? r.chosen : r.completion)[0].content.slice(prefixLength(config))),
    ).length;
  }
  return { counts, rows, samples: samplesOut };
}

/**
 * Trains M_t from the iteration's rows (plus earlier iterations' with `restartFromBase`) as one
 * `runTraining` run in `iter-t/train`, resuming from its checkpoints, and exports the merged GGUF
 * to `iter-t/model.gguf`.
 */
async function trainIteration(
  runDir: string,
  rec: StarIterationRecord,
  config: StarConfig,
  signal: AbortSignal | undefined,
  onStep: (entry: TrainLogEntry, totalSteps: number) => void,
  log: (line: string) => void,
): Promise<"completed" | "aborted"> {
  const t = rec.iteration;
  const trainDir = path.join(runDir, `iter-${t}`, "train");
  const files = [...rec.files.cumulative, rec.files.train].map((f) => path.join(runDir, f));
  const rows: TrainRow[] = [];
  for (const file of files) {
    if (fs.statSync(file).size === 0) continue;
    rows.push(...(await loadTrainRows(file, { format: "rows" })));
  }
  const startPath = rec.startModel.path;
  const refSpec = rec.referenceModel;
  const modelPath = path.join(runDir, `iter-${t}`, "model.gguf");
  let totalSteps = 0;
  const run = await runTraining({
    modelPath: startPath,
    config: config.train,
    runDir: trainDir,
    data: rows,
    ...(config.train.method === "dpo" &&
    refSpec !== null &&
    modelRefKey(refSpec) !== modelRefKey(rec.startModel)
      ? { referenceModel: refSpec.path }
      : {}),
    resume: true,
    // M_t is the merged model whatever the trainer adapted; the next iteration samples with it.
    adapter: false,
    merge: true,
    modelFile: modelPath,
    skipEmpty: true,
    ...(signal ? { signal } : {}),
    onEncoded: (r) => {
      rec.training = {
        runDir: path.relative(runDir, trainDir),
        encoded: {
          rows: r.rows,
          examples: r.examples,
          droppedTooLong: r.droppedTooLong,
          truncated: r.truncated,
        },
        steps: null,
        resumedFrom: null,
        lastLoss: null,
        checkpoint: null,
      };
    },
    onTrainStart: (start) => {
      totalSteps = start.totalSteps;
      if (start.resumedFrom > 0) log(`iteration ${t}: resuming training from step ${start.resumedFrom}`);
      log(
        `iteration ${t}: training ${config.train.method} on ${start.examples} examples from ${path.basename(startPath)}`,
      );
    },
    onStep: (entry) => onStep(entry, totalSteps),
  });
  const result = run.result;
  const training = rec.training!;
  if (result === null) {
    // Nothing to learn from (e.g. no prompt had both a correct and a wrong chain): M_t = M_{t-1}.
    log(`iteration ${t}: no training examples; the model carries over unchanged`);
    rec.model = rec.samplingModel;
    return "completed";
  }
  training.steps = result.step;
  training.resumedFrom = result.resumedFrom;
  training.lastLoss = result.lastEntry?.loss ?? null;
  training.checkpoint = result.checkpoint === null ? null : path.relative(runDir, result.checkpoint);
  if (result.stopReason !== "completed") return "aborted";
  rec.model = { path: modelPath, id: await modelIdentity(modelPath) };
  return "completed";
}

function describeModel(model: StarModelRef): string {
  const name = path.basename(model.path);
  return model.adapter ? `${name} + ${path.basename(model.adapter.path)}` : name;
}

/** The config as written to the manifest (templates and numbers only, nothing that is not JSON). */
function writtenConfig(config: StarConfig): unknown {
  // Where servers listen and how a trainer or server is started may change between a failure and
  // its resume (a fixed --trainer-cmd, a new port); what the samples and models are may not.
  const { trainer, sampler, ...rest } = config;
  return JSON.parse(
    JSON.stringify({
      ...rest,
      ...(trainer ? { trainer: { kind: trainer.kind } } : {}),
      ...(sampler
        ? {
            sampler: {
              kind: sampler.kind,
              handoff: sampler.handoff,
              loraApi: sampler.loraApi ?? null,
              request: sampler.request ?? {},
            },
          }
        : {}),
    }),
  );
}

function templateHashOf(template: StarConfig["template"]): string {
  return templateHash(template);
}

function describeCounts(config: StarConfig, c: StarCounts): string {
  const parts = [
    `${c.samples} samples (${c.cachedSamples} from the store)`,
    `${c.correct} correct, ${c.wrongVerdict} wrong verdict, ${c.unparseable} unparseable, ${c.truncated} truncated`,
    `pairs: ${c.pairsMixed} mixed, ${c.pairsAllCorrect} all correct, ${c.pairsAllWrong} without a correct chain`,
  ];
  if (c.droppedDuplicate + c.droppedOverCap > 0)
    parts.push(`${c.droppedDuplicate} duplicates, ${c.droppedOverCap} over the cap dropped`);
  if (config.method === "star-rationalizer")
    parts.push(`${c.droppedInconsistent} rationales against the hint dropped`);
  parts.push(`${c.rows} ${config.method === "star-dpo" ? "DPO pairs" : "SFT rows"}`);
  if (c.malformedRows !== undefined) parts.push(`${c.malformedRows} of them malformed`);
  return parts.join("; ");
}

/** Training completions start with the template's forced prefix, which is not part of the rationale. */
function prefixLength(config: StarConfig): number {
  return (config.template.assistantPrefix ?? "").length;
}
