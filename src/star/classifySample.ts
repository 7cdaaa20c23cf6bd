/**
 * What one sampled chain is worth as training data, against the pair's gold label (paper-spec
 * §1.8: keep iff the parsed verdict equals the label; unparseable counts as wrong). A chain cut
 * at the token cap is "truncated" (OQ-13: it never becomes a training target, either side), even
 * when a verdict parses from it.
 */
import type { JudgeSample } from "../judge/types.js";

export type SampleClass = "correct" | "wrong" | "unparseable" | "truncated" | "engineError";

export function classifySample(sample: JudgeSample, gold: "A" | "B"): SampleClass {
  if (sample.stopReason === "error" || sample.stopReason === "abort") return "engineError";
  // Whatever verdict a cut chain contains (one quoted from the instructions, say), it is not the
  // judge's conclusion.
  if (sample.stopReason === "maxTokens") return "truncated";
  if (sample.verdict === gold) return "correct";
  if (sample.verdict !== "error") return "wrong";
  return sample.parseError === "truncated" ? "truncated" : "unparseable";
}
