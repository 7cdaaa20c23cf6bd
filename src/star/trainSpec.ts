/**
 * The contract between `genrm star --trainer command` and an external trainer (docs/star-at-scale.md):
 *
 *   genrm writes   iter-N/train-spec.json      what to train: method, data, start and reference
 *                                               models, hyperparameters, where to write
 *   trainer writes <output.dir>/trainer-result.json   what it made: the model or adapter, its format
 *
 * Models are paths (a GGUF, a Hugging Face model directory) or names a server knows them by. An
 * adapter result applies to the spec's `model.path` (replacing `model.adapter` when the spec gives
 * one: the trainer continues that adapter). The spec is plain JSON so a trainer in any language
 * reads it; the placeholders of `--trainer-cmd` expose its commonest fields without a JSON parser.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { InputError, NotFoundError } from "../errors.js";
import type { TrainConfig } from "../train/config.js";

/** A model in a STaR lineage: weights (`path`, plus an adapter on them) and their content identity. */
export interface StarModelRef {
  path: string;
  id: string;
  /** A LoRA adapter applied to `path`. */
  adapter?: { path: string; id: string } | null;
  /** What `path` holds. Defaults to "gguf" (the embedded trainer's output). */
  format?: ModelFormat;
  /** The external trainer run that made it (absent for the base model and the embedded trainer). */
  producedBy?: {
    command: string;
    /** The training rows (TRL format), relative to the run directory. */
    data: string;
    /** The model whose samples those rows are (`modelRefKey`). */
    samplingModel: string;
    spec: string;
    log: string;
    metrics: Record<string, unknown>;
  };
}

/** What names a model's weights as served: its own identity, plus its adapter's. */
export function modelRefKey(ref: Pick<StarModelRef, "id" | "adapter">): string {
  return ref.adapter ? `${ref.id}+lora:${ref.adapter.id}` : ref.id;
}

export const modelFormats = ["gguf", "hf"] as const;
export type ModelFormat = (typeof modelFormats)[number];
export const adapterFormats = ["gguf-lora", "peft-lora"] as const;

export interface TrainSpec {
  format: "genrm-train-spec";
  version: 1;
  iteration: number;
  /** "sft": rows of prompt + completion; "dpo": prompt + chosen + rejected. */
  method: "sft" | "dpo";
  data: {
    /** TRL's conversational format (`prompt`/`completion` or `prompt`/`chosen`/`rejected` message lists), one file. */
    trl: string;
    /** The same rows in genrm's format, with each row's lineage. */
    rows: string;
    /** Rows in the files. */
    rows_count: number;
  };
  /** Where training starts. With `adapter`, continue that adapter on `path`. */
  model: StarModelRef;
  /** DPO: the frozen reference. Null for SFT, or when it is the start model itself. */
  reference: StarModelRef | null;
  /** The paper's values unless the user set others (docs/star-at-scale.md maps them onto TRL and OpenRLHF). */
  hyperparameters: {
    lr: number;
    epochs: number;
    max_steps: number | null;
    batch_size: number;
    grad_accum: number;
    warmup_ratio: number;
    weight_decay: number;
    /** DPO β. */
    beta: number;
    max_length: number;
    /** Null: full fine-tuning. */
    lora: { r: number; alpha: number; targets: string[] } | null;
  };
  /** "adapter": the next sampler hot-loads adapters, so the result must be one, on `model.path`. */
  output: { dir: string; result_file: string; want: "adapter" | "any" };
  seed: number;
  /** genrm's own trainer config, for trainers that read it whole (`genrm train --from-spec`). */
  genrm: { train: TrainConfig };
}

export const trainerResultFileName = "trainer-result.json";

const trainerResultSchema = z
  .object({
    /** A model (GGUF file or HF directory); relative paths are relative to the output directory. */
    model: z.string().min(1).optional(),
    model_format: z.enum(modelFormats).optional(),
    /** A LoRA adapter on the spec's `model.path`. */
    adapter: z.string().min(1).optional(),
    adapter_format: z.enum(adapterFormats).optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => (r.model === undefined) !== (r.adapter === undefined), {
    message:
      'needs exactly one of "model" (merged or fully trained weights) and "adapter" (LoRA on the spec\'s model)',
  });
export type TrainerResult = z.infer<typeof trainerResultSchema>;

/** Reads and checks `trainer-result.json`; paths come back absolute and are checked to exist. */
export function readTrainerResult(file: string, spec: TrainSpec): TrainerResult & { resolved: string } {
  if (!fs.existsSync(file)) {
    throw new NotFoundError(
      `the trainer exited 0 but wrote no ${path.basename(file)} (expected at ${file})`,
      {
        hint: 'write {"model": "<path>"} or {"adapter": "<path>"} there when training is done (docs/star-at-scale.md)',
      },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError("trainer result is not JSON", {
      file,
      expected: "a JSON object",
      got: (error as Error).message,
    });
  }
  const parsed = trainerResultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError("bad trainer result", {
      file,
      field: issue.path.map(String).join(".") || "(root)",
      expected: issue.message,
      got: JSON.stringify(raw).slice(0, 200),
    });
  }
  const result = parsed.data;
  if (spec.output.want === "adapter" && result.adapter === undefined) {
    throw new InputError("the sampling server hot-loads LoRA adapters, but the trainer wrote a whole model", {
      file,
      field: "adapter",
      expected: "a LoRA adapter on the spec's model.path (train with LoRA)",
      got: JSON.stringify(result.model),
    });
  }
  const resolved = path.resolve(spec.output.dir, (result.model ?? result.adapter)!);
  if (!fs.existsSync(resolved)) {
    throw new NotFoundError(`the trainer result names ${resolved}, which does not exist`, {
      hint: `check ${file}: relative paths are relative to ${spec.output.dir}`,
    });
  }
  return { ...result, resolved };
}

/** Guesses a model path's format: a GGUF file, or a Hugging Face directory. */
export function modelFormatOf(file: string): ModelFormat {
  return fs.existsSync(file) && fs.statSync(file).isDirectory() ? "hf" : "gguf";
}
