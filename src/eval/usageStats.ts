/** Cost per judgment (PR-1): tokens, wall time and samples, as mean / median / p95. */
import type { Judgment } from "../judge/types.js";
import { describeDistribution } from "./percentile.js";
import type { UsageStats } from "./types.js";

export function usageStats(judgments: readonly Judgment[]): UsageStats {
  const usage = judgments.map((j) => j.usage);
  const samples = usage.reduce((s, u) => s + u.samples, 0);
  return {
    totalTokens: describeDistribution(usage.map((u) => u.promptTokens + u.completionTokens)),
    promptTokens: describeDistribution(usage.map((u) => u.promptTokens)),
    completionTokens: describeDistribution(usage.map((u) => u.completionTokens)),
    wallMs: describeDistribution(usage.map((u) => u.wallMs)),
    samples: describeDistribution(usage.map((u) => u.samples)),
    cachedSampleRate: samples === 0 ? null : usage.reduce((s, u) => s + u.cachedSamples, 0) / samples,
  };
}
