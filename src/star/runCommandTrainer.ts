/**
 * Trains one STaR iteration with the user's trainer (`genrm star --trainer command`): writes
 * `iter-N/train-spec.json`, runs `--trainer-cmd` with its placeholders filled, streams the trainer's
 * output to `iter-N/trainer.log`, and reads back `trainer-result.json` (the contract is in
 * trainSpec.ts and docs/star-at-scale.md).
 *
 * A finished trainer is never run again: a result already in the output directory (genrm was killed
 * after the trainer finished, before recording it) is read back instead. A trainer killed with genrm
 * reruns from the start of its command; what it resumes from its own output directory is its business
 * (`genrm train --from-spec` resumes from its checkpoints there).
 */
import fs from "node:fs";
import path from "node:path";
import { ExternalCommandError } from "../errors.js";
import { weightsIdentity } from "../model/weightsIdentity.js";
import { writeJsonFile } from "../run/jsonFile.js";
import { fillCommandTemplate, startShellCommand } from "../run/shellCommand.js";
import type { StarConfig } from "./resolveStarConfig.js";
import type { trainerPlaceholders } from "./starScaleDefaults.js";
import {
  modelFormatOf,
  modelRefKey,
  readTrainerResult,
  type StarModelRef,
  type TrainSpec,
  trainerResultFileName,
} from "./trainSpec.js";
import type { StarIterationRecord } from "./types.js";

export interface CommandTrainer {
  kind: "command";
  /** A bash command template; see `trainerPlaceholders`. */
  command: string;
  /** Limit for one iteration's training. Defaults to none. */
  timeoutMs?: number;
}

export interface CommandTrainerRun {
  runDir: string;
  rec: StarIterationRecord;
  config: StarConfig;
  trainer: CommandTrainer;
  /** The sampler hot-loads adapters: the result must be an adapter on the start model's weights. */
  wantAdapter: boolean;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** How genrm continues after a failure, for the error's hint. */
  resumeCommand: string;
}

export async function runCommandTrainer(run: CommandTrainerRun): Promise<StarModelRef | "aborted"> {
  const { runDir, rec, trainer, signal, log } = run;
  const t = rec.iteration;
  const iterDir = path.join(runDir, `iter-${t}`);
  const outDir = path.join(iterDir, "trainer-out");
  const specFile = path.join(iterDir, "train-spec.json");
  const logFile = path.join(iterDir, "trainer.log");
  const spec = writeSpec(run, iterDir, outDir, specFile);
  const resultFile = spec.output.result_file;

  const values: Record<(typeof trainerPlaceholders)[number], string> = {
    spec: specFile,
    method: spec.method,
    model: spec.model.path,
    adapter: spec.model.adapter?.path ?? "",
    ref_model: spec.reference?.path ?? spec.model.path,
    data: spec.data.trl,
    rows: spec.data.rows,
    out: outDir,
    result: resultFile,
    seed: String(spec.seed),
    lr: String(spec.hyperparameters.lr),
    beta: String(spec.hyperparameters.beta),
    epochs: String(spec.hyperparameters.epochs),
    batch_size: String(spec.hyperparameters.batch_size),
    grad_accum: String(spec.hyperparameters.grad_accum),
    max_length: String(spec.hyperparameters.max_length),
    lora_r: String(spec.hyperparameters.lora?.r ?? 0),
    lora_alpha: String(spec.hyperparameters.lora?.alpha ?? 0),
    iteration: String(t),
  };
  const command = fillCommandTemplate(trainer.command, values, "trainerCmd");
  rec.training = {
    runDir: path.relative(runDir, outDir),
    encoded: null,
    steps: null,
    resumedFrom: null,
    lastLoss: null,
    checkpoint: null,
    external: {
      command,
      spec: path.relative(runDir, specFile),
      log: path.relative(runDir, logFile),
      result: path.relative(runDir, resultFile),
    },
  };

  if (fs.existsSync(resultFile)) {
    log(
      `iteration ${t}: the trainer already finished (${path.relative(runDir, resultFile)}); not training again`,
    );
  } else {
    fs.mkdirSync(outDir, { recursive: true });
    log(`iteration ${t}: training ${spec.method} on ${spec.data.rows_count} rows with: ${command}`);
    const started = Date.now();
    const proc = startShellCommand(command, {
      logFile,
      onLine: (line) => {
        if (line.trim() !== "") log(`  [trainer] ${line}`);
      },
    });
    let timedOut = false;
    const timer =
      trainer.timeoutMs === undefined
        ? null
        : setTimeout(() => {
            timedOut = true;
            void proc.stop();
          }, trainer.timeoutMs);
    const onAbort = () => void proc.stop();
    signal?.addEventListener("abort", onAbort, { once: true });
    const exit = await proc.exited;
    if (timer !== null) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (signal?.aborted) return "aborted";
    const hint = `fix the trainer (its log: ${logFile}), then continue with: ${run.resumeCommand}`;
    if (timedOut) {
      throw new ExternalCommandError(
        `iteration ${t}: the trainer ran past its ${Math.round(trainer.timeoutMs! / 1000)} s limit and was stopped`,
        { command, exitCode: exit.code, logFile, logTail: proc.tail(15) },
        { hint },
      );
    }
    if (exit.code !== 0) {
      throw new ExternalCommandError(
        `iteration ${t}: the trainer failed (${exit.signal ?? `exit code ${exit.code}`}) after ${Math.round((Date.now() - started) / 1000)} s`,
        { command, exitCode: exit.code, logFile, logTail: proc.tail(15) },
        { hint },
      );
    }
  }
  const result = readTrainerResult(resultFile, spec);
  const producedBy = {
    command,
    data: path.relative(runDir, spec.data.trl),
    samplingModel: modelRefKey(rec.samplingModel),
    spec: path.relative(runDir, specFile),
    log: path.relative(runDir, logFile),
    metrics: result.metrics ?? {},
  };
  rec.training.lastLoss = typeof result.metrics?.loss === "number" ? result.metrics.loss : null;
  rec.training.steps = typeof result.metrics?.steps === "number" ? result.metrics.steps : null;
  if (result.adapter !== undefined) {
    return {
      path: spec.model.path,
      id: spec.model.id,
      format: spec.model.format ?? "gguf",
      adapter: { path: result.resolved, id: await weightsIdentity(result.resolved) },
      producedBy,
    };
  }
  return {
    path: result.resolved,
    id: await weightsIdentity(result.resolved),
    format: result.model_format ?? modelFormatOf(result.resolved),
    adapter: null,
    producedBy,
  };
}

function writeSpec(run: CommandTrainerRun, iterDir: string, outDir: string, specFile: string): TrainSpec {
  const { runDir, rec, config } = run;
  const files = [...rec.files.cumulative, rec.files.train].map((f) => path.join(runDir, f));
  const trlFiles = files.map((f) => f.replace(/\.jsonl$/, ".trl.jsonl"));
  // One file per format for the trainer: earlier iterations' rows too, in restart-from-base mode.
  const single = files.length === 1;
  const rows = single ? files[0]! : concatInto(path.join(iterDir, "train-data.jsonl"), files);
  const trl = single ? trlFiles[0]! : concatInto(path.join(iterDir, "train-data.trl.jsonl"), trlFiles);
  const c = config.train;
  const spec: TrainSpec = {
    format: "genrm-train-spec",
    version: 1,
    iteration: rec.iteration,
    method: c.method === "dpo" ? "dpo" : "sft",
    data: { trl, rows, rows_count: countLines(rows) },
    model: rec.startModel,
    reference:
      rec.referenceModel === null || modelRefKey(rec.referenceModel) === modelRefKey(rec.startModel)
        ? null
        : rec.referenceModel,
    hyperparameters: {
      lr: c.lr,
      epochs: c.epochs,
      max_steps: c.maxSteps,
      batch_size: c.batchSize,
      grad_accum: c.gradAccum,
      warmup_ratio: c.warmupRatio,
      weight_decay: c.weightDecay,
      beta: c.beta,
      max_length: c.maxLength,
      lora: c.lora === null ? null : { r: c.lora.rank, alpha: c.lora.alpha, targets: [...c.lora.targets] },
    },
    output: {
      dir: outDir,
      result_file: path.join(outDir, trainerResultFileName),
      want: run.wantAdapter ? "adapter" : "any",
    },
    seed: c.seed,
    genrm: { train: c },
  };
  writeJsonFile(specFile, spec);
  return spec;
}

function concatInto(target: string, files: string[]): string {
  const tmp = `${target}.tmp`;
  fs.writeFileSync(tmp, files.map((f) => fs.readFileSync(f, "utf8")).join(""));
  fs.renameSync(tmp, target);
  return target;
}

function countLines(file: string): number {
  const text = fs.readFileSync(file, "utf8");
  return text.split("\n").filter((l) => l.trim() !== "").length;
}
