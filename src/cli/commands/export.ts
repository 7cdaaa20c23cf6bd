/**
 * `genrm export`: a training checkpoint (or run directory) to GGUF that llama.cpp loads: the merged
 * model, or with --adapter the LoRA adapter alone. A BT / PairRM head in the checkpoint is written
 * next to it as `<out>.head.ckpt`.
 */
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../../errors.js";
import { directPairV2 } from "../../judge/templates/builtinTemplates.js";
import { loadTemplate } from "../../judge/templates/loadTemplate.js";
import { templateHash } from "../../judge/templates/templateHash.js";
import { exportLoraAdapterGguf, exportMergedGguf } from "../../model/export/index.js";
import type { WeightType } from "../../model/llama/types.js";
import { restoreCheckpoint, writeHeadFile } from "../../train/restore.js";

export interface ExportCommandOptions {
  checkpoint: string;
  out: string;
  adapter?: boolean;
  /** Base GGUF, when it moved since training. */
  model?: string;
  tensorType?: "source" | "f32" | "f16" | "bf16" | "q8_0";
  json?: boolean;
}

export interface ExportCommandResult {
  out: string;
  head: string | null;
  step: number;
  kind: "adapter" | "merged";
}

export async function runExportCommand(options: ExportCommandOptions): Promise<ExportCommandResult> {
  const { checkpoint, adapter = false, tensorType = "source" } = options;
  const restored = await restoreCheckpoint(
    checkpoint,
    options.model !== undefined ? { modelPath: options.model } : {},
  );
  const { model, head, meta, file } = restored;
  const out = path.resolve(options.out);
  if (adapter) {
    if (meta.config.lora === null) {
      throw new ConfigError([`adapter: ${file} is a full fine-tune; it has no LoRA adapter`], {
        hint: "drop --adapter to export the merged model",
      });
    }
    await exportLoraAdapterGguf(model, out);
  } else {
    await exportMergedGguf(model, out, {
      tensorType: tensorType === "source" ? "source" : (tensorType.toUpperCase() as WeightType),
    });
  }
  let headFile: string | null = null;
  if (head !== null) {
    headFile = `${out.replace(/\.gguf$/i, "")}.head.ckpt`;
    const template = meta.config.method === "pairrm" ? await pairRmTemplate(file) : null;
    await writeHeadFile(headFile, head, {
      hidden: model.config.hidden,
      baseModel: meta.modelPath,
      model: out,
      method: meta.config.method,
      ...(template !== null ? { template } : {}),
    });
  }
  const result: ExportCommandResult = {
    out,
    head: headFile,
    step: meta.step,
    kind: adapter ? "adapter" : "merged",
  };
  process.stdout.write(
    options.json
      ? `${JSON.stringify(result)}\n`
      : `wrote ${result.kind === "adapter" ? "LoRA adapter" : "merged model"} ${out} (step ${meta.step})${headFile ? `\nwrote head ${headFile}` : ""}\n`,
  );
  return result;
}

/**
 * The judge template a PairRM run rendered its inputs with, as `genrm train` records it in the
 * run's run.json (checkpoints live in `<run>/checkpoints/`); null when the run directory is gone.
 */
async function pairRmTemplate(
  checkpointFile: string,
): Promise<{ id: string; hash: ReturnType<typeof templateHash> } | null> {
  const runFile = path.join(path.dirname(path.dirname(checkpointFile)), "run.json");
  if (!fs.existsSync(runFile)) return null;
  const saved = JSON.parse(fs.readFileSync(runFile, "utf8")) as { options?: { template?: string } };
  const template =
    saved.options?.template === undefined ? directPairV2 : await loadTemplate(saved.options.template);
  return { id: template.id, hash: templateHash(template) };
}
