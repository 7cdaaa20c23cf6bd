/**
 * Reads a LoRA adapter GGUF (as `exportLoraAdapterGguf` / llama.cpp's `convert_lora_to_gguf.py`
 * write it: `general.type = "adapter"`, `adapter.type = "lora"`, `adapter.lora.alpha`, and
 * `<base tensor>.lora_a` (r, in) / `.lora_b` (out, r) per adapted matrix) onto a loaded CausalLM,
 * so a model scores with the same weights llama.cpp would run with the adapter applied.
 *
 * The scale is llama.cpp's (`llama_adapter_lora`): alpha / r with r read from each B, and scale 1
 * when the file has no alpha (or alpha 0). Every tensor of the adapter must land on a matrix of the
 * model: an adapter that would be half applied is an error, not a quieter model.
 */
import { InputError, NotFoundError, UnsupportedError } from "../../errors.js";
import { formatShape } from "../../tensor/ShapeError.js";
import { Tensor } from "../../tensor/Tensor.js";
import { type GgufFile, openGguf } from "../gguf/openGguf.js";
import type { CausalLM } from "../llama/CausalLM.js";
import type { Linear } from "../llama/Linear.js";

export interface LoadLoraAdapterOptions {
  /**
   * "attach": set each layer's `lora` (the model computes W x + (alpha / r) · B(A x), as llama.cpp
   * does at run time; `removeLora` undoes it). "merge": fold the update into W (faster forwards,
   * the same weights `exportMergedGguf` writes). Defaults to "attach".
   */
  mode?: "attach" | "merge";
  signal?: AbortSignal;
}

export interface LoadLoraAdapterResult {
  /** The adapted layers' GGUF base names (`blk.0.attn_q`, ...), in model order. */
  layers: string[];
  /** `adapter.lora.alpha` as applied (the rank of each layer when the file has none). */
  alpha: number | null;
  /** `general.name` of the adapter, when it has one. */
  name: string | null;
}

/** True when the GGUF at `path` is an adapter (`general.type = "adapter"`), not a model. */
export function isAdapterGguf(file: Pick<GgufFile, "metadata">): boolean {
  const type = file.metadata.get("general.type");
  return type?.type === "string" && type.value === "adapter";
}

export async function loadLoraAdapterGguf(
  model: CausalLM,
  path: string,
  options: LoadLoraAdapterOptions = {},
): Promise<LoadLoraAdapterResult> {
  const { mode = "attach", signal } = options;
  const file = await openGguf(path, { signal }).catch((cause: NodeJS.ErrnoException) => {
    if (cause?.code === "ENOENT") throw new NotFoundError(`no such LoRA adapter file: ${path}`, { cause });
    throw cause;
  });
  try {
    const meta = file.metadata;
    const str = (key: string) => {
      const value = meta.get(key);
      return value?.type === "string" ? value.value : null;
    };
    if (!isAdapterGguf(file)) {
      throw new InputError("not a LoRA adapter GGUF", {
        file: path,
        field: "general.type",
        expected: '"adapter"',
        got: JSON.stringify(str("general.type") ?? "(none: a model file?)"),
      });
    }
    if (str("adapter.type") !== "lora") {
      throw new UnsupportedError(
        `${path}: adapter.type ${JSON.stringify(str("adapter.type"))}; genrm applies "lora" adapters only`,
      );
    }
    const arch = str("general.architecture");
    if (arch !== model.config.architecture) {
      throw new InputError("the adapter was made for another architecture", {
        file: path,
        field: "general.architecture",
        expected: JSON.stringify(model.config.architecture),
        got: JSON.stringify(arch),
      });
    }
    const alphaValue = meta.get("adapter.lora.alpha");
    const alphaRaw =
      alphaValue === undefined
        ? 0
        : alphaValue.type === "float32" || alphaValue.type === "float64"
          ? alphaValue.value
          : Number.NaN;
    if (!Number.isFinite(alphaRaw) || alphaRaw < 0) {
      throw new InputError("bad LoRA alpha", {
        file: path,
        field: "adapter.lora.alpha",
        expected: "a non-negative float",
        got: alphaValue === undefined ? "nothing" : String(alphaValue.value),
      });
    }

    // Adapter tensors come in pairs named after the base matrix they update.
    const pairs = new Map<string, { a?: string; b?: string }>();
    for (const t of file.tensors) {
      const m = /^(.*)\.lora_([ab])$/.exec(t.name);
      if (m === null) {
        throw new UnsupportedError(`${path}: tensor "${t.name}" is not a LoRA factor (.lora_a / .lora_b)`);
      }
      const entry = pairs.get(m[1]!) ?? {};
      entry[m[2] as "a" | "b"] = t.name;
      pairs.set(m[1]!, entry);
    }
    if (pairs.size === 0) throw new InputError("the adapter has no tensors", { file: path });

    const byWeight = new Map(model.linears().map((l) => [`${l.name}.weight`, l]));
    const planned: { lin: Linear; a: string; b: string }[] = [];
    for (const [target, { a, b }] of pairs) {
      if (a === undefined || b === undefined) {
        throw new InputError("LoRA factor without its partner", {
          file: path,
          field: `${target}.lora_${a === undefined ? "a" : "b"}`,
          expected: "both .lora_a and .lora_b",
          got: "missing",
        });
      }
      const lin = byWeight.get(target);
      if (lin === undefined || (target === "output.weight" && model.config.tiedEmbeddings)) {
        throw new UnsupportedError(
          `${path}: LoRA on "${target}", which is not a separate matrix of this model (genrm adapts attention, FFN and an untied output projection)`,
        );
      }
      if (lin.lora !== null) throw new UnsupportedError(`${lin.name} already has a LoRA adapter`);
      planned.push({ lin, a, b });
    }

    // Check every factor before touching the model, so a bad file leaves it as it was.
    const alphas = new Set<number>();
    const shaped = planned.map(({ lin, a, b }) => {
      const aInfo = file.tensor(a)!;
      const bInfo = file.tensor(b)!;
      const rank = aInfo.shape[0]!;
      const expectA = [rank, lin.inFeatures];
      const expectB = [lin.outFeatures, rank];
      for (const [info, expected] of [
        [aInfo, expectA],
        [bInfo, expectB],
      ] as const) {
        if (info.shape.length !== 2 || info.shape.some((d, i) => d !== expected[i])) {
          throw new InputError("LoRA factor does not fit the model", {
            file: path,
            field: info.name,
            expected: formatShape(expected),
            got: formatShape(info.shape),
          });
        }
      }
      const alpha = alphaRaw === 0 ? rank : alphaRaw;
      alphas.add(alpha);
      return { lin, a, b, rank, alpha };
    });
    const factors = [];
    for (const p of shaped) {
      factors.push({
        ...p,
        aData: await file.readTensor(p.a, { signal }),
        bData: await file.readTensor(p.b, { signal }),
      });
    }
    for (const { lin, a, b, rank, alpha, aData, bData } of factors) {
      lin.lora = {
        a: new Tensor(aData, [rank, lin.inFeatures], { requiresGrad: false, name: a }),
        b: new Tensor(bData, [lin.outFeatures, rank], { requiresGrad: false, name: b }),
        rank,
        alpha,
      };
      if (mode === "merge") {
        lin.weight.data.set(lin.mergedWeight());
        lin.lora = null;
      }
    }
    const order = new Map(model.linears().map((l, i) => [l, i]));
    planned.sort((x, y) => order.get(x.lin)! - order.get(y.lin)!);
    return {
      layers: planned.map((p) => p.lin.name),
      alpha: alphas.size === 1 ? [...alphas][0]! : alphaRaw === 0 ? null : alphaRaw,
      name: str("general.name"),
    };
  } finally {
    await file.dispose();
  }
}
