/**
 * `genrm train --from-spec iter-N/train-spec.json`: genrm's trainer as an external trainer of
 * `genrm star --trainer command`, exactly as any other would be: the spec in (trainSpec.ts), a model
 * or adapter and `trainer-result.json` out. Training runs in `<output.dir>/run` and resumes from its
 * checkpoints there when the command runs again after a kill.
 */
import fs from "node:fs";
import path from "node:path";
import { ConfigError, InputError, UnsupportedError } from "../../errors.js";
import { readJsonFile, writeJsonFile } from "../../run/jsonFile.js";
import type { TrainSpec } from "../../star/trainSpec.js";
import { modelRefKey } from "../../star/trainSpec.js";
import { loadTrainRows } from "../../train/data/index.js";
import { runTraining, type TrainingRun } from "../../train/runTraining.js";

export async function trainFromSpec(
  specFile: string,
  options: { progress?: "bar" | "plain" | "silent"; signal?: AbortSignal },
): Promise<TrainingRun> {
  const spec = readJsonFile<TrainSpec>(specFile, { hint: "pass the train-spec.json genrm star wrote" });
  if (spec.format !== "genrm-train-spec" || spec.version !== 1) {
    throw new InputError("not a genrm train spec", {
      file: specFile,
      field: "format",
      expected: '"genrm-train-spec" version 1',
      got: `${JSON.stringify(spec.format)} version ${JSON.stringify(spec.version)}`,
    });
  }
  const reference = spec.reference;
  if (reference?.adapter) {
    throw new UnsupportedError(
      "genrm's trainer takes a DPO reference as one GGUF; this spec's reference is a model plus a LoRA adapter",
      { hint: "merge the adapter into a GGUF (genrm export) or use --reference sampler" },
    );
  }
  if ((spec.model.format ?? "gguf") !== "gguf") {
    throw new UnsupportedError(
      `genrm's trainer trains GGUF models; ${spec.model.path} is ${spec.model.format}`,
    );
  }
  const config = spec.genrm.train;
  const wantAdapter = spec.output.want === "adapter";
  if (wantAdapter && config.lora === null) {
    throw new ConfigError([
      "train.lora: the spec wants a LoRA adapter, but its trainer config is full fine-tuning",
    ]);
  }
  const rows =
    fs.statSync(spec.data.rows).size === 0 ? [] : await loadTrainRows(spec.data.rows, { format: "rows" });
  const runDir = path.join(spec.output.dir, "run");
  const run = await runTraining({
    modelPath: spec.model.path,
    config,
    runDir,
    data: rows,
    dataFile: spec.data.rows,
    ...(spec.model.adapter ? { initAdapter: spec.model.adapter.path } : {}),
    ...(reference !== null && modelRefKey(reference) !== modelRefKey(spec.model)
      ? { referenceModel: reference.path }
      : {}),
    resume: true,
    // Adapter hot-loading wants the adapter alone; anything else samples from the merged model.
    adapter: wantAdapter,
    merge: !wantAdapter,
    progress: options.progress ?? "plain",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (run.result?.stopReason !== "completed") return run;
  const artifact = wantAdapter ? run.artifacts.adapter : run.artifacts.model;
  const metrics = {
    steps: run.result.step,
    ...(run.result.lastEntry ? { loss: run.result.lastEntry.loss } : {}),
  };
  writeJsonFile(
    spec.output.result_file,
    wantAdapter
      ? { adapter: path.relative(spec.output.dir, artifact!), adapter_format: "gguf-lora", metrics }
      : { model: path.relative(spec.output.dir, artifact!), model_format: "gguf", metrics },
  );
  return run;
}
