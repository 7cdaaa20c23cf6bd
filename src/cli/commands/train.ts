/**
 * `genrm train`: fine-tune a GGUF model with SFT, DPO, a Bradley–Terry head, a PairRM head or the
 * GenRM verdict-token loss, as one `runTraining` run (train/runTraining.ts).
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
import { ConfigError, type InputError } from "../../errors.js";
import { loadTemplate } from "../../judge/templates/loadTemplate.js";
import { writeJsonFile } from "../../run/jsonFile.js";
import { readSavedOptions, resumeOptions, savedOptions } from "../../run/runDir.js";
import { lockRunDir } from "../../run/runDirLock.js";
import { asStorageError } from "../../run/storageErrors.js";
import { readLatest } from "../../train/checkpoint.js";
import { resolveTrainConfig, type TrainConfig, type TrainOptions } from "../../train/config.js";
import { type EncodeReport, loadTrainRows, type TrainMethod } from "../../train/data/index.js";
import type { TrainLogEntry, TrainResult } from "../../train/loop.js";
import { runTraining, type TrainingRun, type TrainingRunArtifacts } from "../../train/runTraining.js";
import { genrmVersion } from "../../version.js";
import { gracefulStop } from "../gracefulStop.js";
import { givenOnly } from "../parseArgs.js";
import { type TrainerFlags, trainOptionsFromFlags } from "../trainerFlags.js";

export interface TrainCommandOptions extends TrainerFlags {
  method?: TrainMethod;
  model?: string;
  data?: string;
  out?: string;
  evalData?: string;
  dataFormat?: "auto" | "rows" | "pairs";
  pairFormat?: string;
  skipInvalid?: boolean;
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
  memoryLimit?: number;
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
  "skipInvalid",
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
  "memoryLimit",
  "packing",
  "refModel",
  "merge",
] as const satisfies readonly (keyof TrainCommandOptions)[];

export interface TrainCommandResult {
  runDir: string;
  config: TrainConfig;
  result: TrainResult;
  data: EncodeReport;
  evalData: EncodeReport | null;
  artifacts: TrainingRunArtifacts;
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
      memoryLimitGiB: o.memoryLimit,
    }),
  };
}

/** `genrm train --from-spec`: stops gracefully on SIGINT / SIGTERM like a normal run. */
export async function trainFromSpecCommand(
  specFile: string,
  options: { progress?: "bar" | "plain" | "silent" },
): Promise<TrainingRun> {
  const { trainFromSpec } = await import("./trainFromSpec.js");
  const stop = gracefulStop("stopping after this step; run the command again to continue");
  try {
    return await trainFromSpec(specFile, { ...options, signal: stop.signal });
  } finally {
    stop.dispose();
  }
}

export async function runTrainCommand(given: TrainCommandOptions): Promise<TrainCommandResult> {
  if (given.out === undefined) throw new ConfigError(["out: required (--out DIR), unless --from-spec"]);
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

  const template = options.template === undefined ? undefined : await loadTemplate(options.template);
  const read = async (file: string) => {
    const skipped: InputError[] = [];
    const rows = await loadTrainRows(file, {
      ...(options.dataFormat !== undefined ? { format: options.dataFormat } : {}),
      ...(options.pairFormat !== undefined ? { pairFormat: options.pairFormat } : {}),
      ...(options.skipInvalid ? { skipInvalid: true, onSkip: (e: InputError) => skipped.push(e) } : {}),
    });
    if (skipped.length > 0)
      log(
        `${file}: skipped ${skipped.length} invalid record${skipped.length === 1 ? "" : "s"} (first: ${skipped[0]!.message})`,
      );
    return rows;
  };
  const describe = (name: string, r: EncodeReport) =>
    log(
      `${name}: ${r.rows} rows -> ${r.examples} examples, ${r.totalTokens} tokens (longest ${r.maxTokens})` +
        `${r.truncated > 0 ? `, ${r.truncated} truncated` : ""}${r.droppedTooLong > 0 ? `, ${r.droppedTooLong} dropped as longer than ${config.maxLength} tokens` : ""}` +
        `${r.droppedTies > 0 ? `, ${r.droppedTies} ties dropped` : ""}`,
    );

  const stop = gracefulStop("stopping after this step and saving a checkpoint");
  let run: TrainingRun;
  try {
    run = await runTraining({
      modelPath,
      config,
      runDir,
      data: await read(options.data),
      ...(options.evalData !== undefined ? { evalData: await read(options.evalData) } : {}),
      dataFile: options.data,
      emptyHint: `raise --max-length (now ${config.maxLength}) or pass --truncate`,
      ...(template !== undefined ? { template } : {}),
      ...(options.refModel !== undefined ? { referenceModel: path.resolve(options.refModel) } : {}),
      resume: Boolean(options.resume),
      merge: Boolean(options.merge),
      signal: stop.signal,
      progress: options.progress ?? (process.stderr.isTTY ? "bar" : "plain"),
      onEncoded: (data, evalData) => {
        describe("data", data);
        if (evalData !== null) describe("eval data", evalData);
      },
      onEval: (e) => log(`eval at step ${e.step}: ${formatMetrics(e)}`),
    });
  } finally {
    stop.dispose();
  }
  // runTraining returns no result only when asked to skip an empty data set.
  const result = run.result!;
  if (result.resumedFrom > 0) log(`resumed from step ${result.resumedFrom}`);
  const { artifacts } = run;
  return {
    runDir,
    config,
    result,
    data: run.data,
    evalData: run.evalData,
    artifacts,
  };
}

export function printTrainResult(r: TrainCommandResult, options: { json: boolean }): void {
  const { result, artifacts, runDir } = r;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ runDir, step: result.step, totalSteps: result.totalSteps, stopReason: result.stopReason, last: result.lastEntry, lastEval: result.evalHistory.at(-1) ?? null, checkpoint: result.checkpoint, memory: result.memory, artifacts })}\n`,
    );
    return;
  }
  const lines = [
    `${result.stopReason === "completed" ? "trained" : "stopped at"} step ${result.step}/${result.totalSteps}: ${runDir}`,
  ];
  const last = result.lastEntry;
  if (last) lines.push(`  last step: ${formatMetrics(last)}`);
  const lastEval = result.evalHistory.at(-1);
  if (lastEval) lines.push(`  eval: ${formatMetrics(lastEval)}`);
  const m = result.memory;
  lines.push(
    `  activations: ${m.recompute ? "recomputed" : "kept"} (${m.reason === "flag" ? "as asked; " : ""}estimated step peak ${m.estimateGiB.kept.toFixed(2)} GiB kept, ${m.estimateGiB.recomputed.toFixed(2)} GiB recomputed; limit ${m.limitGiB} GiB)`,
  );
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
