/**
 * A DemoResults shaped like a full `genrm demo` run: all eight judges, three splits, maj@k curves of
 * length k for the four chain-of-thought judges, STaR iterations. The numbers follow the paper's
 * pattern on the mini world (verdict-only judges ride the length cue and collapse on ood-length;
 * reasoning judges hold up) so that charts and tables are exercised on plausible values.
 */
import { demoClaims } from "../../src/demo/demoClaims.js";
import {
  type DemoEvalSplit,
  type DemoMethodId,
  type DemoMethodResult,
  type DemoResults,
  type DemoSplitResult,
  demoEvalSplits,
} from "../../src/demo/types.js";

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** A maj@j curve from maj@1 to maj@k that rises fast and then flattens, as voting curves do. */
function curve(first: number, last: number, k: number): number[] {
  return Array.from({ length: k }, (_, j) =>
    k === 1 ? last : r4(first + (last - first) * (Math.log(j + 1) / Math.log(k))),
  );
}

function split(accuracy: number, majK: number[] | null = null, parseErrorRate = 0): DemoSplitResult {
  const acc = majK ? majK[majK.length - 1]! : accuracy;
  // About the width a bootstrap over 400 pairs gives, a little longer on the low side.
  const half = 1.96 * Math.sqrt((acc * (1 - acc)) / 400);
  return {
    accuracy: acc,
    ci: [r4(Math.max(0, acc - 1.05 * half)), r4(Math.min(1, acc + 0.95 * half))],
    n: 400,
    majK,
    parseErrorRate,
    // Right on the first round(acc·400) pairs: two judges then disagree on exactly their difference.
    correct: "1".repeat(Math.round(acc * 400)).padEnd(400, "0"),
  };
}

type Triple = [number, number, number];

function verdictOnly(
  id: DemoMethodId,
  name: string,
  family: DemoMethodResult["family"],
  acc: Triple,
  training: DemoMethodResult["training"],
  template: DemoMethodResult["template"],
): DemoMethodResult {
  return {
    id,
    name,
    family,
    reasoning: false,
    k: null,
    model: { path: `runs/demo/models/${id}.gguf`, id: `llama-tiny-${id}-4f2a9c` },
    template,
    training,
    results: { test: split(acc[0]), "ood-length": split(acc[1]), "ood-mixed": split(acc[2]) },
    seconds: 41.5,
  };
}

function cot(
  id: DemoMethodId,
  name: string,
  family: DemoMethodResult["family"],
  first: Triple,
  last: Triple,
  k: number,
  training: DemoMethodResult["training"],
): DemoMethodResult {
  const results = Object.fromEntries(
    demoEvalSplits.map((s, i) => [s, split(0, curve(first[i]!, last[i]!, k), 0.012 + 0.004 * i)]),
  ) as Record<DemoEvalSplit, DemoSplitResult>;
  return {
    id,
    name,
    family,
    reasoning: true,
    k,
    model: { path: `runs/demo/models/${id}.gguf`, id: `llama-tiny-${id}-9b13e0` },
    template: { id: "world-cot@1", hash: "c0t7e3a1" },
    training,
    results,
    seconds: 612.25,
  };
}

function starTraining(keptShare: number, probes: (number | null)[]): DemoMethodResult["training"] {
  const iterations = probes.map((probeAccuracy, i) => ({
    iteration: i + 1,
    pairs: 500,
    samples: 4000,
    kept: Math.round(4000 * (keptShare + 0.05 * i)),
    malformed: Math.round(400 * (i + 1)),
    probeAccuracy,
  }));
  return {
    rows: iterations.reduce((s, it) => s + it.kept, 0),
    steps: 612,
    seconds: 845.3,
    iterations,
    lastLoss: 0.4127,
  };
}

export interface DemoFixtureOptions {
  /** Samples per pair of the CoT judges (length of every majK). */
  k?: number;
}

export function demoResultsFixture(options: DemoFixtureOptions = {}): DemoResults {
  const k = options.k ?? 8;
  const verdictTraining = (rows: number, steps: number, lastLoss: number) => ({
    rows,
    steps,
    seconds: 212.8,
    lastLoss,
  });
  const methods: DemoMethodResult[] = [
    verdictOnly("zero-shot-direct", "Zero-shot direct", "zero-shot", [0.5875, 0.5125, 0.5338], null, {
      id: "world-direct@1",
      hash: "d1r3c7aa",
    }),
    cot(
      "zero-shot-cot",
      "Zero-shot CoT",
      "zero-shot",
      [0.641, 0.6302, 0.5801],
      [0.7152, 0.7004, 0.6398],
      k,
      null,
    ),
    verdictOnly(
      "genrm",
      "GenRM",
      "verdict-only",
      [0.8425, 0.2311, 0.5124],
      verdictTraining(1500, 188, 0.3921),
      { id: "world-direct@1", hash: "d1r3c7aa" },
    ),
    verdictOnly(
      "bt",
      "Bradley–Terry",
      "verdict-only",
      [0.8152, 0.1987, 0.4968],
      verdictTraining(1500, 188, 0.4512),
      null,
    ),
    verdictOnly(
      "pairrm",
      "PairRM",
      "verdict-only",
      [0.8031, 0.2154, 0.5049],
      verdictTraining(1500, 188, 0.4603),
      null,
    ),
    cot(
      "star-sft",
      "STaR-SFT",
      "star",
      [0.7603, 0.7452, 0.6601],
      [0.8377, 0.8221, 0.7312],
      k,
      starTraining(0.62, [0.74, 0.79, 0.81]),
    ),
    cot(
      "star-dpo",
      "STaR-DPO",
      "star",
      [0.7822, 0.7703, 0.6904],
      [0.8311, 0.8503, 0.7581],
      k,
      starTraining(0.6, [0.75, 0.8, null]),
    ),
    cot(
      "star-rationalizer",
      "STaR-Rationalizer",
      "star",
      [0.7421, 0.7283, 0.6502],
      [0.8154, 0.8002, 0.7023],
      k,
      starTraining(0.81, [0.72, 0.77, 0.79]),
    ),
  ];
  const results: DemoResults = {
    format: "genrm-demo@1",
    genrm: "0.1.0",
    preset: "full",
    seed: 7,
    startedAt: "2025-03-14T09:12:05.000Z",
    finishedAt: "2025-03-14T10:58:47.512Z",
    wallSeconds: 6402.5,
    machine: { platform: "linux", arch: "x64", cpus: 2, node: "v20.19.0", engineThreads: 2 },
    baseModel: {
      path: "runs/demo/base/llama-tiny-base.gguf",
      id: "llama-tiny-base-7c41d2",
      sha256: "9f2c4e1d7a3b5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f",
    },
    world: { seed: 7, noise: 0.05, trainPairs: 1500 },
    templates: {
      "world-cot@1": "c0t7e3a1",
      "world-direct@1": "d1r3c7aa",
      "world-rationalizer@1": "r4t10n4l",
    },
    config: {
      preset: "full",
      trainPairs: 1500,
      evalPairs: 400,
      k,
      iterations: 3,
      epochs: 2,
      learningRate: { genrm: 2e-4, bt: 1e-4, pairrm: 1e-4, star: 1e-4 },
      dpoBeta: 1,
      sampling: { temperature: 1, topP: 0.95, maxTokens: 96 },
    },
    splits: [
      { name: "test", title: "In-distribution", ood: false, pairs: 400, lengthJudgeAccuracy: 0.821 },
      {
        name: "ood-length",
        title: "OOD: length cue reversed",
        ood: true,
        pairs: 400,
        lengthJudgeAccuracy: 0.167,
      },
      { name: "ood-mixed", title: "OOD: subtraction", ood: true, pairs: 400, lengthJudgeAccuracy: 0.486 },
    ],
    methods,
    timings: [
      { stage: "pretrain base model", seconds: 1804.2 },
      { stage: "generate world", seconds: 1.9 },
      { stage: "zero-shot judges", seconds: 654.1 },
      { stage: "genrm", seconds: 254.3 },
      { stage: "bt", seconds: 161.0 },
      { stage: "pairrm", seconds: 170.4 },
      { stage: "star-sft", seconds: 1102.7 },
      { stage: "star-dpo", seconds: 1288.9 },
      { stage: "star-rationalizer", seconds: 963.8 },
      { stage: "report", seconds: 1.2 },
    ],
    claims: [],
  };
  results.claims = demoClaims(results);
  return results;
}

/** The fixture with only the given judges, as a run with `--methods` would produce. */
export function withOnlyMethods(results: DemoResults, ids: DemoMethodId[]): DemoResults {
  const only = { ...results, methods: results.methods.filter((m) => ids.includes(m.id)) };
  return { ...only, claims: demoClaims(only) };
}
