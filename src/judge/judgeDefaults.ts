/**
 * An LLM judge's defaults, in a module of their own (no templates, no zod) so that the command
 * table shows and sets them without loading the judge. `resolveJudgeConfig` fills them in.
 */
import { defaultSampling } from "../engine/types.js";
import { defaultErrorPolicy, defaultTiePolicy } from "./majorityVote.js";
import { defaultOrderMode } from "./orderFor.js";
import type { JudgeOptions } from "./resolveJudgeConfig.js";
import type { Protocol } from "./types.js";

/** The protocol of a judge given no template. */
export const defaultProtocol: Protocol = "cot";

export const defaultJudgeOptions = {
  k: 1,
  orderMode: defaultOrderMode,
  fixedOrder: "AB",
  seed: 0,
  sampling: defaultSampling,
  adaptive: false,
  chunkSize: 4,
  tiePolicy: defaultTiePolicy,
  errorPolicy: defaultErrorPolicy,
  smoothing: "none",
} satisfies JudgeOptions;
