/**
 * Everything evaluation reports about one set of judgments on labelled pairs, as plain JSON. The
 * same numbers appear structured and, under namespaced keys, in `metrics` (docs/metrics.md).
 */
import type { PreferencePair } from "../data/types.js";
import type { JudgeProvenance, Judgment } from "../judge/types.js";
import type { PairId } from "../types.js";
import { pairwiseBenchmarkScores } from "./benchmarkOutcomes.js";
import { accuracyWithCI, defaultBootstrap } from "./bootstrapCI.js";
import { calibration } from "./calibration.js";
import { majAtK } from "./majAtK.js";
import { positionConsistency } from "./positionConsistency.js";
import { isRewardBenchSubset, rewardBenchScores } from "./rewardBenchScores.js";
import { defaultScoreOptions, scorePair } from "./scorePair.js";
import type { AccuracyResult, BenchmarkScores, EvalOptions, EvalSummary, ParseStats } from "./types.js";
import { usageStats } from "./usageStats.js";

/** Subset name for pairs that have none. */
export const noSubset = "(none)";

export function summarizeEval(
  judgments: readonly Judgment[],
  pairs: readonly PreferencePair[],
  options: EvalOptions = {},
): EvalSummary {
  const { tieScore = defaultScoreOptions.tieScore, errorScore = defaultScoreOptions.errorScore } = options;
  const bootstrap = { ...defaultBootstrap, ...options.bootstrap };
  const majOption = options.majAtK ?? {};
  const majAtKOptions =
    majOption === false
      ? false
      : { maxK: majOption.maxK ?? null, mode: majOption.mode ?? ("first" as const) };
  const rewardBenchOption = options.rewardBench ?? "auto";

  const pairById = new Map<PairId, PreferencePair>(pairs.map((p) => [p.id, p]));
  const matched = judgments.filter((j) => pairById.has(j.pairId));
  const judgedIds = new Set(matched.map((j) => j.pairId));

  const scores: number[] = [];
  const bySubset = new Map<string, number[]>();
  for (const j of matched) {
    const pair = pairById.get(j.pairId)!;
    const score = scorePair(j.verdict, pair.label, { tieScore, errorScore });
    if (score === null) continue;
    scores.push(score);
    const subset = pair.subset ?? noSubset;
    const list = bySubset.get(subset);
    if (list) list.push(score);
    else bySubset.set(subset, [score]);
  }
  const accuracy = accuracyWithCI(scores, bootstrap);
  const subsets: Record<string, AccuracyResult> = {};
  for (const name of [...bySubset.keys()].sort())
    subsets[name] = accuracyWithCI(bySubset.get(name)!, bootstrap);

  // RM-Bench reuses RewardBench subset names (xstest-should-refuse, …) for rows it scores its own
  // way, so only pairs that are not rows of a multi-response benchmark switch the sections on.
  const useRewardBench =
    rewardBenchOption === true ||
    (rewardBenchOption === "auto" &&
      pairs.some((p) => p.item === undefined && isRewardBenchSubset(p.subset ?? noSubset)));
  const rewardBench = useRewardBench
    ? rewardBenchScores(
        Object.fromEntries(
          Object.entries(subsets)
            .filter(([name, r]) => name !== noSubset && r.accuracy !== null)
            .map(([name, r]) => [name, r.accuracy!]),
        ),
      )
    : null;

  const benchmarks = pairwiseBenchmarkScores(matched, pairs);

  const labels = new Map(pairs.map((p) => [p.id, p.label]));
  const curve =
    majAtKOptions === false
      ? []
      : majAtK(matched, labels, {
          tieScore,
          errorScore,
          mode: majAtKOptions.mode,
          maxK: majAtKOptions.maxK ?? undefined,
        });

  const curveTotal =
    majAtKOptions === false
      ? []
      : majAtK(matched, labels, {
          tieScore,
          errorScore,
          mode: majAtKOptions.mode,
          per: "total",
          ...(majAtKOptions.maxK === null ? {} : { maxK: majAtKOptions.maxK }),
        });

  const allSamples = matched.flatMap((j) => j.samples);
  const parseErrors = allSamples.filter((s) => s.verdict === "error").length;
  const truncated = allSamples.filter((s) => s.parseError === "truncated").length;
  const parse: ParseStats = {
    samples: allSamples.length,
    parseErrors,
    truncated,
    parseErrorRate: rate(parseErrors, allSamples.length),
    truncationRate: rate(truncated, allSamples.length),
  };

  const verdicts = { A: 0, B: 0, tie: 0, error: 0 };
  for (const j of matched) verdicts[j.verdict]++;
  const engineErrors = matched.filter((j) => j.errors.length > 0).length;
  const stoppedEarly = matched.filter((j) => j.stoppedEarly).length;

  const brierTerms = matched
    .filter((j) => j.pA !== null && pairById.get(j.pairId)!.label !== "tie")
    .map((j) => (j.pA! - (pairById.get(j.pairId)!.label === "A" ? 1 : 0)) ** 2);

  const summary: Omit<EvalSummary, "metrics"> = {
    counts: {
      pairs: pairs.length,
      judgments: judgments.length,
      missing: pairs.filter((p) => !judgedIds.has(p.id)).length,
      unmatched: judgments.length - matched.length,
      tieLabels: matched.filter((j) => pairById.get(j.pairId)!.label === "tie").length,
      scored: scores.length,
    },
    verdicts,
    accuracy,
    subsets,
    rewardBench,
    ...(benchmarks ? { benchmarks } : {}),
    majAtK: curve,
    majAtKTotal: curveTotal,
    positionConsistency: positionConsistency(matched),
    parse,
    errors: {
      errorVerdicts: verdicts.error,
      engineErrors,
      errorRate: rate(verdicts.error, matched.length),
      engineErrorRate: rate(engineErrors, matched.length),
    },
    adaptive: { stoppedEarly, stoppedEarlyRate: rate(stoppedEarly, matched.length) },
    brier: brierTerms.length === 0 ? null : brierTerms.reduce((s, v) => s + v, 0) / brierTerms.length,
    calibration: calibration(matched, labels),
    usage: usageStats(matched),
    provenance: distinctProvenance(matched),
    options: { tieScore, errorScore, bootstrap, majAtK: majAtKOptions, rewardBench: rewardBenchOption },
  };
  return { ...summary, metrics: flattenMetrics(summary) };
}

function rate(count: number, total: number): number | null {
  return total === 0 ? null : count / total;
}

function distinctProvenance(judgments: readonly Judgment[]): JudgeProvenance[] {
  const seen = new Map<string, JudgeProvenance>();
  for (const j of judgments) {
    const key = canonicalJson(j.provenance);
    if (!seen.has(key)) seen.set(key, j.provenance);
  }
  return [...seen.values()];
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function flattenMetrics(s: Omit<EvalSummary, "metrics">): Record<string, number | null> {
  const m: Record<string, number | null> = {
    "eval/pairs": s.counts.pairs,
    "eval/scored": s.counts.scored,
    "eval/missing": s.counts.missing,
    "eval/accuracy": s.accuracy.accuracy,
    "eval/accuracy_ci_lower": s.accuracy.ci?.lower ?? null,
    "eval/accuracy_ci_upper": s.accuracy.ci?.upper ?? null,
    "eval/brier": s.brier,
    "eval/ece": s.calibration?.ece ?? null,
  };
  for (const [name, r] of Object.entries(s.subsets)) {
    m[`eval/subset/${name}/accuracy`] = r.accuracy;
    m[`eval/subset/${name}/n`] = r.n;
  }
  if (s.rewardBench) {
    for (const section of s.rewardBench.sections) m[`rewardbench/${section.key}`] = section.score;
    m["rewardbench/overall"] = s.rewardBench.overall;
    m["rewardbench/overall_missing_as_zero"] = s.rewardBench.overallMissingAsZero;
    m["rewardbench/pair_mean"] = s.accuracy.accuracy;
  }
  if (s.benchmarks) Object.assign(m, benchmarkMetrics(s.benchmarks));
  for (const point of s.majAtK) m[`eval/maj_at_${point.k}`] = point.accuracy;
  for (const point of s.majAtKTotal) m[`eval/maj_at_${point.k}_samples`] = point.accuracy;
  const total = s.counts.judgments - s.counts.unmatched;
  Object.assign(m, {
    "judge/position_consistency": s.positionConsistency.rate,
    "judge/a_slot_rate": s.positionConsistency.aSlotRate,
    "judge/parse_error_rate": s.parse.parseErrorRate,
    "judge/truncation_rate": s.parse.truncationRate,
    "judge/error_rate": s.errors.errorRate,
    "judge/engine_error_rate": s.errors.engineErrorRate,
    "judge/tie_rate": rate(s.verdicts.tie, total),
    "judge/stopped_early_rate": s.adaptive.stoppedEarlyRate,
    "usage/tokens_mean": s.usage.totalTokens.mean,
    "usage/tokens_p50": s.usage.totalTokens.p50,
    "usage/tokens_p95": s.usage.totalTokens.p95,
    "usage/completion_tokens_mean": s.usage.completionTokens.mean,
    "usage/wall_ms_mean": s.usage.wallMs.mean,
    "usage/wall_ms_p50": s.usage.wallMs.p50,
    "usage/wall_ms_p95": s.usage.wallMs.p95,
    "usage/samples_mean": s.usage.samples.mean,
    "usage/cached_sample_rate": s.usage.cachedSampleRate,
  });
  return m;
}

/** Metric keys of the official benchmark scores; names lower-cased, spaces as underscores. */
export function benchmarkMetrics(b: BenchmarkScores): Record<string, number | null> {
  const key = (name: string) => name.toLowerCase().replace(/\s+/g, "_");
  const m: Record<string, number | null> = {};
  if (b.rewardBench2) {
    for (const s of b.rewardBench2.subsets) m[`rewardbench2/${key(s.name)}`] = s.score;
    m["rewardbench2/score"] = b.rewardBench2.score;
  }
  if (b.judgeBench) {
    for (const c of b.judgeBench.categories) m[`judgebench/${key(c.name)}`] = c.score;
    m["judgebench/overall"] = b.judgeBench.overall.score;
  }
  if (b.rmBench) {
    for (const d of b.rmBench.domains) {
      for (const level of ["hard", "normal", "easy", "average"] as const)
        m[`rmbench/${key(d.name)}/${level}`] = d[level];
    }
    for (const level of ["hard", "normal", "easy", "average"] as const)
      m[`rmbench/${level}`] = b.rmBench[level];
  }
  return m;
}
