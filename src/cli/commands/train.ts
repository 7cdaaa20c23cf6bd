/**
 * `genrm train`: fine-tune a GGUF model with SFT, DPO, a Bradley–Terry head, a PairRM head or the
 * GenRM verdict-token loss.
 *
 * Run directory (`--out`):
 *   run.json         the command's options and the resolved TrainConfig (read back by --resume)
 *   data.json        what encoding did to the rows (kept, truncated, dropped, token counts)
 *   metrics.jsonl    one line per optimizer step (TRL metric names) and per evaluation (eval/*)
 *   checkpoints/     step-NNNNNNN.ckpt files and latest.json (see train/checkpoint.ts)
 *   adapter.gguf     LoRA runs: the adapter llama.cpp loads next to the base model
 *   model.gguf       full fine-tuning, or LoRA with --merge: the merged model
 *   head.ckpt        BT / PairRM runs: the scalar head, for scoring with base (+ adapter) + head
 *   summary.json     final metrics and the paths above
 *
 * SIGINT / SIGTERM stop after the current step with a checkpoint; `--resume` continues exactly
 * where the last checkpoint left off (a SIGKILLed run loses at most `--save-every` steps).
 */
import path from "node:path";
import { ConfigError, InputError } from "../../errors.js";
import { directPairV2 } from "../../judge/templates/builtinTemplates.js";
import { loadTemplate } from "../../judge/templates/loadTemplate.js";
import { templateHash } from "../../judge/templates/templateHash.js";
import type { JudgeTemplate } from "../../judge/types.js";
import { exportLoraAdapterGguf, exportMergedGguf } from "../../model/export/index.js";
import { loadModel } from "../../model/loadModel.js";
import { writeJsonFile } from "../../run/jsonFile.js";
import { appendMetrics, keepMetricsUpTo } from "../../run/metricsLog.js";
import { readSavedOptions, resumeOptions, savedOptions } from "../../run/runDir.js";
import { lockRunDir } from "../../run/runDirLock.js";
import { asStorageError } from "../../run/storageErrors.js";
import { readLatest } from "../../train/checkpoint.js";
import { resolveTrainConfig, type TrainConfig, type TrainOptions } from "../../train/config.js";
import {
  type EncodeReport,
  encodeExamples,
  loadTrainRows,
  openTrainTokenizer,
  type TrainDataset,
  type TrainMethod,
} from "../../train/data/index.js";
import { type TrainLogEntry, type TrainResult, train } from "../../train/loop.js";
import { writeHeadFile } from "../../train/restore.js";
import { genrmVersion } from "../../version.js";
import { gracefulStop } from "../gracefulStop.js";
import { givenOnly } from "../parseArgs.js";
import { type TrainerFlags, trainOptionsFromFlags } from "../trainerFlags.js";

export interface TrainCommandOptions extends TrainerFlags {
  method?: TrainMethod;
  model?: string;
  data?: string;
  out: string;
  evalData?: string;
  dataFormat?: "auto" | "rows" | "pairs";
  pairFormat?: string;
  warmup?: number;
  minLrRatio?: number;
  weightDecay?: number;
  gradClip?: number;
  seed?: number;
  labelSmoothing?: number;
  centerRewards?: number;
  orders?: "random" | "both";
  template?: string;
  evalEvery?: number;
  keepCheckpoints?: number;
  recompute?: boolean;
  refModel?: string;
  merge?: boolean;
  resume?: boolean;
  progress?: "bar" | "plain" | "silent";
  json?: boolean;
}

/** Options that describe the run; on --resume they come from run.json unless given again. */
const savedKeys = [
  "method",
  "model",
  "data",
  "evalData",
  "dataFormat",
  "pairFormat",
  "full",
  "loraRank",
  "loraAlpha",
  "loraTargets",
  "lr",
  "epochs",
  "maxSteps",
  "batchSize",
  "gradAccum",
  "maxLength",
  "truncate",
  "warmup",
  "minLrRatio",
  "weightDecay",
  "gradClip",
  "seed",
  "beta",
  "labelSmoothing",
  "centerRewards",
  "orders",
  "template",
  "evalEvery",
  "saveEvery",
  "keepCheckpoints",
  "recompute",
  "refModel",
  "merge",
] as const satisfies readonly (keyof TrainCommandOptions)[];

export interface TrainCommandResult {
  runDir: string;
  config: TrainConfig;
  result: TrainResult;
  data: EncodeReport;
  evalData: EncodeReport | null;
  artifacts: { adapter?: string; model?: string; head?: string };
}

export function toTrainOptions(o: TrainCommandOptions): TrainOptions {
  if (o.method === undefined) throw new ConfigError(["method: required (--method sft|dpo|bt|pairrm|genrm)"]);
  return {
    method: o.method,
    ...trainOptionsFromFlags(o),
    ...givenOnly({
      warmupRatio: o.warmup,
      minLrRatio: o.minLrRatio,
      weightDecay: o.weightDecay,
      gradClip: o.gradClip,
      seed: o.seed,
      labelSmoothing: o.labelSmoothing,
      centerRewardsCoefficient: o.centerRewards,
      orders: o.orders,
      evalEvery: o.evalEvery,
      keepCheckpoints: o.keepCheckpoints,
      recompute: o.recompute,
    }),
  };
}

export async function runTrainCommand(given: TrainCommandOptions): Promise<TrainCommandResult> {
  const runDir = path.resolve(given.out);
  const lock = lockRunDir(runDir, "train");
  try {
    return await trainInRunDir(given, runDir);
  } catch (err) {
    throw asStorageError(err, { dir: runDir, rerun: `genrm train --resume --out ${given.out}` });
  } finally {
    lock.release();
  }
}

async function trainInRunDir(given: TrainCommandOptions, runDir: string): Promise<TrainCommandResult> {
  const runFile = path.join(runDir, "run.json");
  const latest = await readLatest(runDir);
  const saved = given.resume
    ? readSavedOptions<TrainCommandOptions>(
        runFile,
        `restore it, or start over in a new --out (checkpoints in ${runDir} need the options it recorded)`,
      )
    : null;
  const options = saved === null ? given : resumeOptions(saved, given);
  if (latest !== null && !given.resume) {
    throw new ConfigError(
      [`out: ${runDir} already holds a training run (checkpoint at step ${latest.step})`],
      {
        hint: `continue it with \`genrm train --resume --out ${given.out}\`, or pick a new --out`,
      },
    );
  }
  if (options.model === undefined) throw new ConfigError(["model: required (--model base.gguf)"]);
  if (options.data === undefined) throw new ConfigError(["data: required (--data rows.jsonl)"]);
  const config = resolveTrainConfig(toTrainOptions(options));
  const modelPath = path.resolve(options.model);

  writeJsonFile(runFile, {
    genrm: genrmVersion(),
    options: savedOptions(options, (k) => (savedKeys as readonly string[]).includes(k)),
    config,
  });

  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `genrm train ${config.method}: ${modelPath} (${config.lora === null ? "full fine-tuning" : `LoRA r=${config.lora.rank} α=${config.lora.alpha}`})`,
  );

  const tokenizer = await openTrainTokenizer(modelPath);
  let dataset: TrainDataset;
  let evalDataset: TrainDataset | undefined;
  let template: JudgeTemplate | undefined;
  try {
    template = options.template === undefined ? undefined : await loadTemplate(options.template);
    const encode = async (file: string) => {
      const rows = await loadTrainRows(file, {
        ...(options.dataFormat !== undefined ? { format: options.dataFormat } : {}),
        ...(options.pairFormat !== undefined ? { pairFormat: options.pairFormat } : {}),
      });
      return encodeExamples(rows, config.method, tokenizer, {
        maxLength: config.maxLength,
        lengthPolicy: config.lengthPolicy,
        orders: config.orders,
        seed: config.seed,
        ...(template !== undefined ? { template } : {}),
      });
    };
    dataset = await encode(options.data);
    evalDataset = options.evalData === undefined ? undefined : await encode(options.evalData);
  } finally {
    await tokenizer.dispose();
  }
  const describe = (name: string, r: EncodeReport) =>
    log(
      `${name}: ${r.rows} rows -> ${r.examples} examples, ${r.totalTokens} tokens (longest ${r.maxTokens})` +
        `${r.truncated > 0 ? `, ${r.truncated} truncated` : ""}${r.droppedTooLong > 0 ? `, ${r.droppedTooLong} dropped as longer than ${config.maxLength} tokens` : ""}` +
        `${r.droppedTies > 0 ? `, ${r.droppedTies} ties dropped` : ""}`,
    );
  describe("data", dataset.report);
  if (evalDataset) describe("eval data", evalDataset.report);
  writeJsonFile(path.join(runDir, "data.json"), { train: dataset.report, eval: evalDataset?.report ?? null });
  if (dataset.examples.length === 0) {
    throw new InputError(
      "no training examples left",
      { file: options.data },
      {
        hint: `raise --max-length (now ${config.maxLength}) or pass --truncate`,
      },
    );
  }

  const model = await loadModel(modelPath, { trainable: config.lora === null, recompute: config.recompute });
  const referenceModel =
    options.refModel === undefined
      ? undefined
      : await loadModel(path.resolve(options.refModel), { trainable: false });

  // Metrics of steps after the checkpoint being resumed were never part of the surviving run.
  const metricsFile = path.join(runDir, "metrics.jsonl");
  const resumeStep = options.resume ? (latest?.step ?? 0) : 0;
  keepMetricsUpTo(metricsFile, resumeStep);
  const append = (entry: TrainLogEntry) => appendMetrics(metricsFile, entry);

  const stop = gracefulStop("stopping after this step and saving a checkpoint");
  let result: TrainResult;
  try {
    result = await train(model, dataset, config, {
      ...(evalDataset !== undefined ? { evalDataset } : {}),
      runDir,
      resume: Boolean(options.resume),
      ...(referenceModel !== undefined ? { referenceModel } : {}),
      modelPath,
      signal: stop.signal,
      onStep: append,
      onEval: (e) => {
        append(e);
        log(`eval at step ${e.step}: ${formatMetrics(e)}`);
      },
      progress: options.progress ?? (process.stderr.isTTY ? "bar" : "plain"),
    });
  } finally {
    stop.dispose();
  }
  if (result.resumedFrom > 0) log(`resumed from step ${result.resumedFrom}`);

  const artifacts: TrainCommandResult["artifacts"] = {};
  if (result.stopReason === "completed") {
    if (config.lora !== null) {
      artifacts.adapter = path.join(runDir, "adapter.gguf");
      await exportLoraAdapterGguf(model, artifacts.adapter);
    }
    if (config.lora === null || options.merge) {
      artifacts.model = path.join(runDir, "model.gguf");
      await exportMergedGguf(model, artifacts.model);
    }
    if (result.head !== null) {
      artifacts.head = path.join(runDir, "head.ckpt");
      await writeHeadFile(artifacts.head, result.head, {
        hidden: model.config.hidden,
        baseModel: modelPath,
        model: artifacts.model ?? artifacts.adapter ?? null,
        method: config.method,
        // PairRM inputs are rendered with a judge template; a scorer must use the same one.
        ...(config.method === "pairrm"
          ? { template: { id: (template ?? directPairV2).id, hash: templateHash(template ?? directPairV2) } }
          : {}),
      });
    }
  }
  const last = result.history.at(-1);
  writeJsonFile(path.join(runDir, "summary.json"), {
    genrm: genrmVersion(),
    method: config.method,
    step: result.step,
    totalSteps: result.totalSteps,
    stopReason: result.stopReason,
    resumedFrom: result.resumedFrom,
    last: last ?? null,
    lastEval: result.evalHistory.at(-1) ?? null,
    checkpoint: result.checkpoint,
    artifacts,
  });
  return {
    runDir,
    config,
    result,
    data: dataset.report,
    evalData: evalDataset?.report ?? null,
    artifacts,
  };
}

export function printTrainResult(r: TrainCommandResult, options: { json: boolean }): void {
  const { result, artifacts, runDir } = r;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ runDir, step: result.step, totalSteps: result.totalSteps, stopReason: result.stopReason, last: result.history.at(-1) ?? null, lastEval: result.evalHistory.at(-1) ?? null, checkpoint: result.checkpoint, artifacts })}\n`,
    );
    return;
  }
  const lines = [
    `${result.stopReason === "completed" ? "trained" : "stopped at"} step ${result.step}/${result.totalSteps}: ${runDir}`,
  ];
  const last = result.history.at(-1);
  if (last) lines.push(`  last step: ${formatMetrics(last)}`);
  const lastEval = result.evalHistory.at(-1);
  if (lastEval) lines.push(`  eval: ${formatMetrics(lastEval)}`);
  for (const [k, v] of Object.entries(artifacts)) lines.push(`  ${k}: ${v}`);
  if (result.stopReason !== "completed") {
    lines.push(`  checkpoint: ${result.checkpoint}`, `  continue with: genrm train --resume --out ${runDir}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

function formatMetrics(e: TrainLogEntry): string {
  return Object.entries(e)
    .filter(([k]) => k !== "step")
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join(", ");
}
