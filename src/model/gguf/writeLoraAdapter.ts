/**
 * Writes a LoRA adapter GGUF that llama.cpp loads with `llama_adapter_lora_init` (node-llama-cpp:
 * `createContext({lora: {adapters: [{filePath}]}})`). Format per llama.cpp `src/llama-adapter.cpp`
 * and `convert_lora_to_gguf.py`: `general.type = "adapter"`, `adapter.type = "lora"`,
 * `adapter.lora.alpha`, and for each adapted base tensor `<name>.lora_a` / `<name>.lora_b`.
 *
 * Callers give A and B in PEFT's convention, for every target including `token_embd.weight`:
 * A is (r, in) and B is (out, r), so the weight update is ΔW = (alpha / r) · B · A with W (out, in).
 * For `token_embd.weight` (V, C), "in" is V and "out" is C, and llama.cpp wants A transposed to (V, r)
 * (see `llm_graph_context::build_inp_embd`); this writer does that transpose.
 */

import { InputError } from "../../errors.js";
import { ggufValue as v } from "./ggufValue.js";
import { type GgufTensorSpec, type WriteGgufResult, writeGguf } from "./writeGguf.js";

export interface LoraTarget {
  /** Base model tensor the update applies to, e.g. `blk.0.attn_q.weight`. */
  target: string;
  /** Input features of the base matrix (its last dim; V for token_embd). */
  inFeatures: number;
  /** Output features of the base matrix (its first dim; C for token_embd). */
  outFeatures: number;
  rank: number;
  /** (rank, inFeatures), row-major. */
  a: Float32Array;
  /** (outFeatures, rank), row-major. */
  b: Float32Array;
}

export interface WriteLoraAdapterOptions {
  /** `general.architecture` of the base model; llama.cpp refuses a mismatch. Required. */
  architecture: string;
  /** Scale numerator: the update is scaled by alpha / rank. Defaults to the rank of the first target. */
  alpha?: number;
  targets: readonly LoraTarget[];
  /** Storage type of A and B. Defaults to "F32". */
  tensorType?: "F32" | "F16";
  /** `general.name`. Defaults to "lora-adapter". */
  name?: string;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export async function writeLoraAdapter(
  path: string,
  options: WriteLoraAdapterOptions,
): Promise<WriteGgufResult> {
  const { architecture, targets, tensorType = "F32", name = "lora-adapter", signal, onProgress } = options;
  if (targets.length === 0) {
    throw new InputError("a LoRA adapter needs at least one target", { file: path, field: "targets" });
  }
  const alpha = options.alpha ?? targets[0]!.rank;
  const tensors: GgufTensorSpec[] = [];
  targets.forEach((t, i) => {
    checkTarget(path, t, i);
    const { rank: r, inFeatures: inF, outFeatures: outF } = t;
    if (t.target.endsWith("token_embd.weight")) {
      tensors.push({
        name: `${t.target}.lora_a`,
        shape: [inF, r],
        type: tensorType,
        data: transpose(t.a, r, inF),
      });
    } else {
      tensors.push({ name: `${t.target}.lora_a`, shape: [r, inF], type: tensorType, data: t.a });
    }
    tensors.push({ name: `${t.target}.lora_b`, shape: [outF, r], type: tensorType, data: t.b });
  });
  return writeGguf(path, {
    metadata: [
      ["general.architecture", v.str(architecture)],
      ["general.type", v.str("adapter")],
      ["general.name", v.str(name)],
      ["adapter.type", v.str("lora")],
      ["adapter.lora.alpha", v.f32(alpha)],
    ],
    tensors,
    signal,
    onProgress,
  });
}

function checkTarget(path: string, t: LoraTarget, i: number): void {
  const field = `targets[${i}]`;
  for (const key of ["rank", "inFeatures", "outFeatures"] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 1) {
      throw new InputError("bad LoRA dimension", {
        file: path,
        field: `${field}.${key}`,
        expected: "a positive integer",
        got: String(t[key]),
      });
    }
  }
  if (t.a.length !== t.rank * t.inFeatures) {
    throw new InputError(`LoRA A for "${t.target}" has the wrong size`, {
      file: path,
      field: `${field}.a`,
      expected: `rank x inFeatures = ${t.rank} x ${t.inFeatures} = ${t.rank * t.inFeatures} values`,
      got: String(t.a.length),
    });
  }
  if (t.b.length !== t.outFeatures * t.rank) {
    throw new InputError(`LoRA B for "${t.target}" has the wrong size`, {
      file: path,
      field: `${field}.b`,
      expected: `outFeatures x rank = ${t.outFeatures} x ${t.rank} = ${t.outFeatures * t.rank} values`,
      got: String(t.b.length),
    });
  }
}

/** (rows, cols) -> (cols, rows), row-major. */
function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}
