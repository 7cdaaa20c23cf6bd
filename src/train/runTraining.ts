/**
 * `runTraining`: one training run in a run directory, as `genrm train`, STaR's iterations, the
 * demo's verdict judges and the mini world's pretraining all run it.
 *
 *   rows (encoded here) or a data set → model (+ DPO reference) → `train` with checkpoints and an
 *   append-only metrics log → export (LoRA adapter and/or merged GGUF) → head file → summary
 *
 * Run directory:
 *   data.json        what encoding did to the rows (kept, truncated, dropped, token counts)
 *   metrics.jsonl    one line per optimizer step and per evaluation (`run/metricsLog.ts`)
 *   checkpoints/     step-NNNNNNN.ckpt files and latest.json (`train/checkpoint.ts`)
 *   adapter.gguf     LoRA runs: the adapter llama.cpp loads next to the base model
 *   model.gguf       full fine-tuning, or LoRA with `merge`: the merged model (or `modelFile`)
 *   head.ckpt        BT / PairRM runs: the scalar head, with the PairRM judge template it read
 *   summary.json     final metrics and the paths above
 *
 * Resume is exact: `train` continues from the latest checkpoint, and the metrics of steps after
 * it, which the resumed run takes again, are dropped first. Exports happen only once the run
 * completes; each GGUF is written under a temporary name and renamed (`writeGguf`).
 */
import fs from "node:fs";
import path from "node:path";
import { ConfigError, InputError } from "../errors.js";
import { directPairV2 } from "../judge/templates/builtinTemplates.js";
import { templateHash } from "../judge/templates/templateHash.js";
import type { JudgeTemplate } from "../judge/types.js";
import { exportLoraAdapterGguf, exportMergedGguf } from "../model/export/index.js";
import { loadModel } from "../model/loadModel.js";
import { loadLoraAdapterGguf } from "../model/lora/loadLoraAdapterGguf.js";
import { writeJsonFile } from "../run/jsonFile.js";
import { appendMetrics, keepMetricsUpTo } from "../run/metricsLog.js";
import { genrmVersion } from "../version.js";
import { readLatest } from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import { encodeExamples } from "./data/encodeExamples.js";
import { openTrainTokenizer } from "./data/TrainTokenizer.js";
import type { EncodeReport, TrainDataset, TrainRow } from "./data/types.js";
import { plannedSteps, type TrainLogEntry, type TrainResult, train } from "./loop.js";
import { writeHeadFile } from "./restore.js";

/** Rows, encoded with the model's tokenizer, or a data set encoded by the caller. */
export type TrainingData = readonly TrainRow[] | TrainDataset;

export interface TrainingRunOptions {
  /** The GGUF the run starts from; its tokenizer encodes rows. */
  modelPath: string;
  config: TrainConfig;
  runDir: string;
  data: TrainingData;
  /** Held-out data, evaluated every `config.evalEvery` steps and at the end. Defaults to none. */
  evalData?: TrainingData;
  /** Where the data came from, for the error when no example is left. Defaults to none. */
  dataFile?: string;
  /** Judge template of GenRM and PairRM inputs. Defaults to `direct-pair-v2@1`. */
  template?: JudgeTemplate;
  /**
   * LoRA runs: a LoRA adapter GGUF to continue training instead of fresh factors (its rank and alpha
   * replace the config's). The exported adapter then applies to `modelPath` in its place. Defaults to none.
   */
  initAdapter?: string;
  /** DPO reference GGUF. Defaults to the policy before its first step. */
  referenceModel?: string;
  /** Continue from the run directory's latest checkpoint. Defaults to false (a fresh metrics log). */
  resume?: boolean;
  /** LoRA runs: export the adapter. Defaults to true. */
  adapter?: boolean;
  /** LoRA runs: export the merged model too. Full fine-tuning always exports it. Defaults to false. */
  merge?: boolean;
  /** Where the merged model goes. Defaults to `<runDir>/model.gguf`. */
  modelFile?: string;
  /** Matrix type of the merged model. Defaults to the source model's. */
  tensorType?: "F16" | "F32";
  /** With no example left after encoding, return without training instead of throwing. Defaults to false. */
  skipEmpty?: boolean;
  /** The hint of the error for no example left. */
  emptyHint?: string;
  signal?: AbortSignal;
  /** Defaults to "silent". */
  progress?: "bar" | "plain" | "silent";
  /** After encoding, before the model loads. */
  onEncoded?: (data: EncodeReport, evalData: EncodeReport | null) => void;
  /** Before the first step: the step resumed from (0 for none) and the run's length. */
  onTrainStart?: (start: { resumedFrom: number; examples: number; totalSteps: number }) => void;
  onStep?: (entry: TrainLogEntry) => void;
  onEval?: (entry: TrainLogEntry) => void;
  /** Before each export, with the file written. */
  onExport?: (file: string) => void;
}

export interface TrainingRunArtifacts {
  adapter?: string;
  model?: string;
  head?: string;
}

export interface TrainingRun {
  runDir: string;
  config: TrainConfig;
  data: EncodeReport;
  evalData: EncodeReport | null;
  /** Null when no example was left and `skipEmpty` was set. */
  result: TrainResult | null;
  /** Written once the run completed. */
  artifacts: TrainingRunArtifacts;
  /** The run's `metrics.jsonl`, every step across resumes. */
  metricsFile: string;
}

export async function runTraining(options: TrainingRunOptions): Promise<TrainingRun> {
  const { modelPath, config, runDir } = options;
  fs.mkdirSync(runDir, { recursive: true });
  const { dataset, evalDataset } = await encodeData(options);
  const report = dataset.report;
  const evalReport = evalDataset?.report ?? null;
  writeJsonFile(path.join(runDir, "data.json"), { train: report, eval: evalReport });
  options.onEncoded?.(report, evalReport);
  const metricsFile = path.join(runDir, "metrics.jsonl");
  if (dataset.examples.length === 0) {
    if (options.skipEmpty) {
      return { runDir, config, data: report, evalData: evalReport, result: null, artifacts: {}, metricsFile };
    }
    throw new InputError(
      "no training examples left",
      options.dataFile === undefined ? {} : { file: options.dataFile },
      { hint: options.emptyHint ?? `raise maxLength (now ${config.maxLength}) or truncate` },
    );
  }

  // Recomputation is decided per step in `train`, once the model's shape and the data are known.
  const model = await loadModel(modelPath, { trainable: config.lora === null });
  if (options.initAdapter !== undefined) {
    if (config.lora === null) {
      throw new ConfigError([
        "initAdapter: continues a LoRA adapter, so the run must train LoRA (lora is off)",
      ]);
    }
    // Attached factors are the ones the loop trains: it adds fresh ones only to a model without any.
    await loadLoraAdapterGguf(model, options.initAdapter, { mode: "attach" });
    model.freeze();
    model.unfreeze((name) => name.endsWith(".lora_a") || name.endsWith(".lora_b"));
  }
  const referenceModel =
    options.referenceModel === undefined
      ? undefined
      : await loadModel(options.referenceModel, { trainable: false });

  const resume = options.resume ?? false;
  const resumedFrom = resume ? ((await readLatest(runDir))?.step ?? 0) : 0;
  // Steps after the checkpoint were never part of the surviving run: the resumed run takes them
  // again, and a fresh run owns the whole log.
  keepMetricsUpTo(metricsFile, resumedFrom);
  options.onTrainStart?.({
    resumedFrom,
    examples: dataset.examples.length,
    totalSteps: plannedSteps(config, dataset.examples.length),
  });
  const result = await train(model, dataset, config, {
    runDir,
    resume,
    modelPath,
    ...(evalDataset !== undefined ? { evalDataset } : {}),
    ...(referenceModel !== undefined ? { referenceModel } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    progress: options.progress ?? "silent",
    onStep: (entry) => {
      appendMetrics(metricsFile, entry);
      options.onStep?.(entry);
    },
    onEval: (entry) => {
      appendMetrics(metricsFile, entry);
      options.onEval?.(entry);
    },
  });

  const artifacts: TrainingRunArtifacts = {};
  if (result.stopReason === "completed") {
    // The export does not take the stop signal: the last checkpoint is final by now, and a stop
    // asked for during the export lets it finish instead of leaving a run with no model.
    if (config.lora !== null && options.adapter !== false) {
      artifacts.adapter = path.join(runDir, "adapter.gguf");
      options.onExport?.(artifacts.adapter);
      await exportLoraAdapterGguf(model, artifacts.adapter);
    }
    if (config.lora === null || options.merge) {
      artifacts.model = options.modelFile ?? path.join(runDir, "model.gguf");
      options.onExport?.(artifacts.model);
      await exportMergedGguf(
        model,
        artifacts.model,
        options.tensorType === undefined ? {} : { tensorType: options.tensorType },
      );
    }
    if (result.head !== null) {
      artifacts.head = path.join(runDir, "head.ckpt");
      const template = options.template ?? directPairV2;
      await writeHeadFile(artifacts.head, result.head, {
        hidden: model.config.hidden,
        baseModel: modelPath,
        model: artifacts.model ?? artifacts.adapter ?? null,
        method: config.method,
        // PairRM inputs are rendered with a judge template; a scorer must use the same one.
        ...(config.method === "pairrm"
          ? { template: { id: template.id, hash: templateHash(template) } }
          : {}),
      });
    }
  }
  writeJsonFile(path.join(runDir, "summary.json"), {
    genrm: genrmVersion(),
    method: config.method,
    step: result.step,
    totalSteps: result.totalSteps,
    stopReason: result.stopReason,
    resumedFrom: result.resumedFrom,
    last: result.lastEntry,
    lastEval: result.evalHistory.at(-1) ?? null,
    checkpoint: result.checkpoint,
    memory: result.memory,
    artifacts,
  });
  return { runDir, config, data: report, evalData: evalReport, result, artifacts, metricsFile };
}

async function encodeData(
  options: TrainingRunOptions,
): Promise<{ dataset: TrainDataset; evalDataset: TrainDataset | undefined }> {
  const { data, evalData, config } = options;
  if (!isRows(data) && (evalData === undefined || !isRows(evalData))) {
    return { dataset: data, evalDataset: evalData };
  }
  const tokenizer = await openTrainTokenizer(options.modelPath);
  try {
    const encode = (d: TrainingData) =>
      isRows(d)
        ? encodeExamples(d, config.method, tokenizer, {
            maxLength: config.maxLength,
            lengthPolicy: config.lengthPolicy,
            orders: config.orders,
            seed: config.seed,
            ...(options.template !== undefined ? { template: options.template } : {}),
          })
        : d;
    return { dataset: encode(data), evalDataset: evalData === undefined ? undefined : encode(evalData) };
  } finally {
    await tokenizer.dispose();
  }
}

function isRows(d: TrainingData): d is readonly TrainRow[] {
  return Array.isArray(d);
}
