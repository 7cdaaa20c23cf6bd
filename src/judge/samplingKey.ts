import type { SamplingConfig } from "../engine/types.js";

/** Fixed textual form of the sampling settings that change a sample; part of the cache key. */
export function samplingKey(sampling: SamplingConfig): string {
  return `temperature=${sampling.temperature};topP=${sampling.topP};maxTokens=${sampling.maxTokens}`;
}
