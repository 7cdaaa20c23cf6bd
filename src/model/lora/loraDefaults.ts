/**
 * LoRA's defaults, in a module of their own (no tensors) so that the trainer's configuration and
 * the command table's help read them without loading the model code.
 */

/** Every attention and FFN projection by its GGUF base name: the default targets. */
export const allLoraTargets = [
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
] as const;

/** Linear layers by their GGUF name; "output" only on models with an untied output matrix. */
export type LoraTargetName = (typeof allLoraTargets)[number] | "output";

/** r, when a caller gives none. */
export const defaultLoraRank = 8;

/** α when a caller gives none: 2r (the update scaled by α/r = 2, as PEFT's common recipes set it). */
export function defaultLoraAlpha(rank: number): number {
  return 2 * rank;
}
