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
import { type GgufValue, ggufValue as v } from "../../model/gguf/ggufValue.js";
import { type GgufTensorSpec, writeGguf } from "../../model/gguf/writeGguf.js";
import type { ByteBpeVocab } from "../../model/tiny/byteBpeVocab.js";
import { TOKENIZER_PRE } from "../../model/tiny/byteBpeVocab.js";
import { CHATML_TEMPLATE } from "../../model/tiny/createTinyModel.js";
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
    metadata: metadata(shape, vocab, name),
    tensors: tensors(shape, vocab.tokens.length, seed),
  });
  return { bytes: result.bytes };
}

function metadata(s: WorldModelShape, vocab: ByteBpeVocab, name: string): Map<string, GgufValue> {
  const a = "llama";
  return new Map<string, GgufValue>([
    ["general.architecture", v.str(a)],
    ["general.type", v.str("model")],
    ["general.name", v.str(name)],
    ["general.file_type", v.u32(0)],
    [`${a}.vocab_size`, v.u32(vocab.tokens.length)],
    [`${a}.context_length`, v.u32(s.contextLength)],
    [`${a}.embedding_length`, v.u32(s.hidden)],
    [`${a}.block_count`, v.u32(s.layers)],
    [`${a}.feed_forward_length`, v.u32(s.ffn)],
    [`${a}.attention.head_count`, v.u32(s.heads)],
    [`${a}.attention.head_count_kv`, v.u32(s.kvHeads)],
    [`${a}.attention.layer_norm_rms_epsilon`, v.f32(s.rmsEps)],
    [`${a}.rope.freq_base`, v.f32(s.ropeTheta)],
    [`${a}.rope.dimension_count`, v.u32(s.hidden / s.heads)],
    ["tokenizer.ggml.model", v.str("gpt2")],
    ["tokenizer.ggml.pre", v.str(TOKENIZER_PRE)],
    ["tokenizer.ggml.tokens", v.strings(vocab.tokens)],
    ["tokenizer.ggml.token_type", v.i32s(vocab.tokenTypes)],
    ["tokenizer.ggml.merges", v.strings(vocab.merges)],
    ["tokenizer.ggml.bos_token_id", v.u32(vocab.endOfTextId)],
    ["tokenizer.ggml.eos_token_id", v.u32(vocab.imEndId)],
    ["tokenizer.ggml.eot_token_id", v.u32(vocab.imEndId)],
    ["tokenizer.ggml.padding_token_id", v.u32(vocab.endOfTextId)],
    ["tokenizer.ggml.add_bos_token", v.bool(false)],
    ["tokenizer.ggml.add_eos_token", v.bool(false)],
    ["tokenizer.chat_template", v.str(CHATML_TEMPLATE)],
  ]);
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
