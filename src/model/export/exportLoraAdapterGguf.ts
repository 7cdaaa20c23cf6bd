/**
 * Writes a CausalLM's LoRA factors as a GGUF adapter that llama.cpp applies at load time
 * (node-llama-cpp: `createContext({lora: {adapters: [{filePath}]}})`). llama.cpp scales every
 * adapted weight by `adapter.lora.alpha` / r with r read from each B, so the file carries one alpha:
 * all adapted layers must share it (applyLora gives them one).
 */
import { InputError } from "../../errors.js";
import type { WriteGgufResult } from "../gguf/writeGguf.js";
import { type LoraTarget, writeLoraAdapter } from "../gguf/writeLoraAdapter.js";
import type { CausalLM } from "../llama/CausalLM.js";

export interface ExportLoraAdapterGgufOptions {
  /** Storage type of A and B. Defaults to "F32". */
  tensorType?: "F32" | "F16";
  /** `general.name`. Defaults to "<source name>-lora", else "genrm-lora". */
  name?: string;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export async function exportLoraAdapterGguf(
  model: CausalLM,
  path: string,
  options: ExportLoraAdapterGgufOptions = {},
): Promise<WriteGgufResult> {
  const { tensorType = "F32", signal, onProgress } = options;
  const targets: LoraTarget[] = [];
  let alpha: number | null = null;
  for (const lin of model.linears()) {
    if (lin.lora === null) continue;
    if (lin.weight === model.weights.tokenEmbd) {
      throw new InputError("a tied output projection cannot carry its own LoRA update", {
        file: path,
        field: lin.name,
      });
    }
    const { a, b, rank } = lin.lora;
    if (alpha !== null && lin.lora.alpha !== alpha) {
      throw new InputError("every LoRA layer must share one alpha in a llama.cpp adapter", {
        file: path,
        field: `${lin.name}.lora.alpha`,
        expected: String(alpha),
        got: String(lin.lora.alpha),
      });
    }
    alpha = lin.lora.alpha;
    targets.push({
      target: `${lin.name}.weight`,
      inFeatures: lin.inFeatures,
      outFeatures: lin.outFeatures,
      rank,
      a: a.data,
      b: b.data,
    });
  }
  if (alpha === null) {
    throw new InputError(
      "the model has no LoRA layers to export",
      { file: path },
      { hint: "call applyLora first" },
    );
  }
  const sourceName = model.source?.metadata.get("general.name");
  const name = options.name ?? (sourceName?.type === "string" ? `${sourceName.value}-lora` : "genrm-lora");
  return writeLoraAdapter(path, {
    architecture: model.config.architecture,
    alpha,
    targets,
    tensorType,
    name,
    signal,
    onProgress,
  });
}
