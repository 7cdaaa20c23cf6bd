/**
 * Rebuilds a trained model from a training checkpoint: the base GGUF the run started from, LoRA
 * attached as in the run, then every trained tensor (LoRA factors, or all weights, and the BT /
 * PairRM head) set from the checkpoint. Used by `genrm export` and by anything that scores with a
 * trained head. Head files (`head.ckpt`, written at the end of a BT/PairRM run) use the same
 * container with only the head's tensors, so a scorer can load base + adapter + head.
 */
import { stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { InputError, NotFoundError } from "../errors.js";
import {
  type CausalLM,
  createPairwiseHead,
  createScalarHead,
  type ScalarHead,
  type ScalarHeadKind,
} from "../model/llama/index.js";
import { loadModel } from "../model/loadModel.js";
import { applyLora } from "../model/lora/index.js";
import type { TemplateHash } from "../types.js";
import { checkpointDir, readCheckpointFile, readLatest, writeCheckpointFile } from "./checkpoint.js";
import type { TrainCheckpointMeta } from "./loop.js";

export interface RestoredCheckpoint {
  model: CausalLM;
  head: ScalarHead | null;
  meta: TrainCheckpointMeta;
  /** The checkpoint file read. */
  file: string;
}

/** A checkpoint file, or a run directory (its latest checkpoint). */
export async function resolveCheckpointFile(target: string): Promise<string> {
  const info = await stat(target).catch((cause) => {
    throw new NotFoundError(`no such checkpoint or run directory: ${target}`, { cause });
  });
  if (!info.isDirectory()) return target;
  const latest = await readLatest(target);
  if (latest === null) {
    throw new NotFoundError(
      `${target} has no checkpoints (no ${join(checkpointDir(target), "latest.json")})`,
      {
        hint: "train with --save-every, or point at a .ckpt file",
      },
    );
  }
  return join(checkpointDir(target), latest.file);
}

export async function restoreCheckpoint(
  target: string,
  options: { modelPath?: string; signal?: AbortSignal } = {},
): Promise<RestoredCheckpoint> {
  const file = await resolveCheckpointFile(target);
  const { meta, tensors } = await readCheckpointFile<TrainCheckpointMeta>(file);
  if (meta.format !== "genrm-train") {
    throw new InputError("not a training checkpoint", {
      file,
      field: "meta.format",
      got: String(meta.format),
    });
  }
  const modelPath = options.modelPath ?? meta.modelPath;
  if (modelPath === null) {
    throw new InputError(
      "the checkpoint does not name its base model",
      {
        file,
        field: "meta.modelPath",
      },
      { hint: "pass the base GGUF with --model" },
    );
  }
  const model = await loadModel(modelPath, { trainable: false, signal: options.signal });
  if (meta.config.lora !== null) applyLora(model, { ...meta.config.lora, seed: meta.config.seed });
  const head = meta.head === null ? null : createHead(meta.head, model);
  const byName = new Map(
    [...model.parameters(), ...(head?.parameters() ?? [])].map((p) => [p.name, p.tensor]),
  );
  for (const name of meta.trainable) {
    const target = byName.get(name);
    const saved = tensors.get(`param/${name}`);
    if (target === undefined || saved === undefined || saved.data.length !== target.size) {
      throw new InputError("checkpoint tensor does not fit the model", {
        file,
        field: name,
        expected: target === undefined ? "a tensor of the model" : `${target.size} values`,
        got: saved === undefined ? "nothing" : `${saved.data.length} values`,
      });
    }
    target.data.set(saved.data);
  }
  return { model, head, meta, file };
}

function createHead(kind: ScalarHeadKind, model: CausalLM): ScalarHead {
  return kind === "score" ? createScalarHead(model) : createPairwiseHead(model);
}

/** What a head file says about the model it belongs to. */
export interface HeadFileMeta {
  format: "genrm-head";
  kind: ScalarHeadKind;
  hidden: number;
  /** Base GGUF the head was trained on. */
  baseModel: string | null;
  /** The LoRA adapter or merged GGUF exported with it, when known: relative to the head file's directory (absolute in older files). */
  model: string | null;
  method: string;
  /**
   * PairRM heads: the judge template their inputs were rendered with (absent in files written before
   * it was recorded, which used the trainer's default, `direct-pair-v2@1`). A scorer must render
   * pairs with the same template; the hash says whether it does.
   */
  template?: { id: string; hash: TemplateHash };
}

export async function writeHeadFile(
  path: string,
  head: ScalarHead,
  meta: Omit<HeadFileMeta, "format" | "kind">,
) {
  // The model beside the head is recorded relative to it, so the file (and the judge identity
  // hashed from it) does not change with the directory the run was written to.
  const model = meta.model === null ? null : relative(dirname(resolve(path)), resolve(meta.model));
  const full: HeadFileMeta = { format: "genrm-head", kind: head.kind, ...meta, model };
  await writeCheckpointFile(
    path,
    full,
    head.parameters().map((p) => ({ name: p.name, shape: p.tensor.shape, data: p.tensor.data })),
  );
}

export async function readHeadFile(
  path: string,
  model: CausalLM,
): Promise<{ head: ScalarHead; meta: HeadFileMeta }> {
  const { meta, tensors } = await readCheckpointFile<HeadFileMeta>(path);
  if (meta.format !== "genrm-head")
    throw new InputError("not a genrm head file", { file: path, field: "meta.format" });
  if (meta.hidden !== model.config.hidden) {
    throw new InputError("head width does not match the model", {
      file: path,
      field: "meta.hidden",
      expected: String(model.config.hidden),
      got: String(meta.hidden),
    });
  }
  const head = createHead(meta.kind, model);
  for (const p of head.parameters()) {
    const saved = tensors.get(p.name);
    if (saved === undefined || saved.data.length !== p.tensor.size) {
      throw new InputError("head tensor missing or of the wrong size", { file: path, field: p.name });
    }
    p.tensor.data.set(saved.data);
  }
  return { head, meta };
}
