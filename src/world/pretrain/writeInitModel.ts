/**
 * A from-scratch Llama-architecture GGUF for the mini world: the world tokenizer
 * (`buildWorldVocab`), ChatML, and weights initialised for training rather than for sampling
 * (the tiny models' init aims at varied random text instead). GPT-2's recipe: every matrix
 * N(0, initStd²)-like (uniform with that std), the projections that write into the residual stream
 * (attn_output, ffn_down) scaled by 1/sqrt(2·layers) so the residual's variance does not grow with
 * depth, norms at 1, embeddings tied to the output. Seeded per tensor name, so one tensor's values
 * do not depend on the others.
 */
import { ConfigError } from "../../errors.js";
import { llamaFileType } from "../../model/gguf/llamaMetadata.js";
import { type GgufTensorSpec, writeGguf } from "../../model/gguf/writeGguf.js";
import type { ByteBpeVocab } from "../../model/tiny/byteBpeVocab.js";
import { CHATML_TEMPLATE } from "../../model/tiny/createTinyModel.js";
import { tinyModelMetadata } from "../../model/tiny/tinyModelMetadata.js";
import { fillUniform, streamSeed } from "../../model/tiny/weightNoise.js";
import { mulberry32 } from "../../random/index.js";

export interface WorldModelShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  contextLength: number;
  ropeTheta: number;
  rmsEps: number;
  /** Standard deviation of every matrix at init (residual projections get less). */
  initStd: number;
}

export const defaultWorldModelShape: WorldModelShape = {
  hidden: 192,
  layers: 4,
  heads: 4,
  kvHeads: 2,
  ffn: 576,
  contextLength: 384,
  ropeTheta: 10000,
  rmsEps: 1e-5,
  initStd: 0.02,
};

export function checkWorldModelShape(s: WorldModelShape): void {
  const issues: string[] = [];
  for (const key of ["hidden", "layers", "heads", "kvHeads", "ffn", "contextLength"] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 1) issues.push(`model.${key}: must be a positive integer`);
  }
  if (s.hidden % s.heads !== 0 || (s.hidden / s.heads) % 2 !== 0)
    issues.push(`model.heads: hidden / heads must be an even integer, got ${s.hidden}/${s.heads}`);
  if (s.heads % s.kvHeads !== 0) issues.push(`model.kvHeads: must divide heads (${s.heads})`);
  if (!(s.initStd > 0)) issues.push("model.initStd: must be positive");
  if (issues.length > 0) throw new ConfigError(issues);
}

export async function writeInitModel(
  path: string,
  shape: WorldModelShape,
  vocab: ByteBpeVocab,
  seed: number,
  name = "genrm-world-base",
): Promise<{ bytes: number }> {
  checkWorldModelShape(shape);
  const result = await writeGguf(path, {
    metadata: tinyModelMetadata({
      architecture: "llama",
      name,
      fileType: llamaFileType.F32,
      hyperparameters: { ...shape, vocabSize: vocab.tokens.length, headDim: shape.hidden / shape.heads },
      vocab,
      chatTemplate: CHATML_TEMPLATE,
    }),
    tensors: tensors(shape, vocab.tokens.length, seed),
  });
  return { bytes: result.bytes };
}

function tensors(s: WorldModelShape, V: number, seed: number): GgufTensorSpec[] {
  const C = s.hidden;
  const D = C / s.heads;
  const residualStd = s.initStd / Math.sqrt(2 * s.layers);
  const noise = (name: string, shape: number[], std: number): GgufTensorSpec => ({
    name,
    shape,
    type: "F32",
    data: () => {
      const out = new Float32Array(shape.reduce((x, y) => x * y, 1));
      fillUniform(out, std, mulberry32(streamSeed(seed, name)));
      return [out];
    },
  });
  const ones = (name: string, n: number): GgufTensorSpec => ({
    name,
    shape: [n],
    type: "F32",
    data: new Float32Array(n).fill(1),
  });
  const out: GgufTensorSpec[] = [noise("token_embd.weight", [V, C], s.initStd)];
  for (let i = 0; i < s.layers; i++) {
    const p = `blk.${i}`;
    out.push(ones(`${p}.attn_norm.weight`, C));
    out.push(noise(`${p}.attn_q.weight`, [s.heads * D, C], s.initStd));
    out.push(noise(`${p}.attn_k.weight`, [s.kvHeads * D, C], s.initStd));
    out.push(noise(`${p}.attn_v.weight`, [s.kvHeads * D, C], s.initStd));
    out.push(noise(`${p}.attn_output.weight`, [C, s.heads * D], residualStd));
    out.push(ones(`${p}.ffn_norm.weight`, C));
    out.push(noise(`${p}.ffn_gate.weight`, [s.ffn, C], s.initStd));
    out.push(noise(`${p}.ffn_up.weight`, [s.ffn, C], s.initStd));
    out.push(noise(`${p}.ffn_down.weight`, [C, s.ffn], residualStd));
  }
  out.push(ones("output_norm.weight", C));
  return out;
}
