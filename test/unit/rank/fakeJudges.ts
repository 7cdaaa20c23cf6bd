/**
 * Judges with known behaviour for rank/ tests. Each builds a real Judgment (through
 * `buildJudgment`) so everything downstream reads exactly what an LLM judge would produce.
 */
import type { PreferencePair } from "../../../src/data/types.js";
import { buildJudgment } from "../../../src/judge/buildJudgment.js";
import type { Judge, JudgeProvenance, JudgeSample, PairVerdict } from "../../../src/judge/types.js";
import type { ModelId, TemplateHash } from "../../../src/types.js";

const provenance: JudgeProvenance = {
  modelId: "test:oracle" as ModelId,
  modelName: "oracle",
  protocol: "cot",
  templateId: "test@1",
  templateHash: "0000000000000000" as TemplateHash,
  seed: 0,
  sampling: { temperature: 0, topP: 1, maxTokens: 0 },
  orderMode: "both",
  k: 1,
  adaptive: false,
};

/** Hidden quality of a candidate text: the number after "q=". */
export function quality(text: string): number {
  const m = /q=(-?\d+(\.\d+)?)/.exec(text);
  if (!m) throw new Error(`no quality in ${text}`);
  return Number(m[1]);
}

export interface FakeJudgeStats {
  calls: number;
  inFlight: number;
  maxInFlight: number;
  pairs: PreferencePair[];
}

/**
 * A judge whose verdict is votes for A and B computed from the pair; `promptTokens` and 10
 * completion tokens per vote are charged. `delayMs` keeps judgments in flight together.
 */
export function votingJudge(
  decide: (pair: PreferencePair) => { A: number; B: number },
  options: { promptTokens?: number; delayMs?: number } = {},
): { judge: Judge; stats: FakeJudgeStats } {
  const { promptTokens = 100, delayMs = 0 } = options;
  const stats: FakeJudgeStats = { calls: 0, inFlight: 0, maxInFlight: 0, pairs: [] };
  const judge: Judge = {
    info: {
      name: "fake",
      modelId: provenance.modelId,
      modelName: "fake",
      protocol: "cot",
      templateId: provenance.templateId,
      templateHash: provenance.templateHash,
    },
    judge: async (pair) => {
      stats.calls++;
      stats.pairs.push(pair);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      stats.inFlight--;
      const { A, B } = decide(pair);
      const samples: JudgeSample[] = [];
      for (const [verdict, count] of [
        ["A", A],
        ["B", B],
      ] as const) {
        for (let i = 0; i < count; i++) {
          samples.push({
            order: samples.length % 2 === 0 ? "AB" : "BA",
            index: i,
            seed: i,
            text: `[[${verdict}]]`,
            verdict,
            completionTokens: 10,
            stopReason: "eos",
          });
        }
      }
      const pA = A + B === 0 ? null : A / (A + B);
      const verdict: PairVerdict = pA === null ? "error" : pA > 0.5 ? "A" : pA < 0.5 ? "B" : "tie";
      return buildJudgment({
        pairId: pair.id,
        verdict,
        pA,
        orders: ["AB", "BA"],
        samples,
        stoppedEarly: false,
        promptTokens,
        errors: [],
        provenance,
        startedAt: performance.now(),
      });
    },
  };
  return { judge, stats };
}

/** A transitive oracle: all 4 votes (2 per order) go to the candidate of higher quality. */
export function oracleJudge(options: { delayMs?: number } = {}) {
  return votingJudge((pair) => {
    const qa = quality(pair.responseA);
    const qb = quality(pair.responseB);
    return qa > qb ? { A: 4, B: 0 } : qa < qb ? { A: 0, B: 4 } : { A: 2, B: 2 };
  }, options);
}

/** A judge without sampled verdicts (like the direct protocol): pA as given, no votes. */
export function probabilityJudge(pA: (pair: PreferencePair) => number): Judge {
  return {
    info: votingJudge(() => ({ A: 0, B: 0 })).judge.info,
    judge: async (pair) => {
      const p = pA(pair);
      return buildJudgment({
        pairId: pair.id,
        verdict: p > 0.5 ? "A" : p < 0.5 ? "B" : "tie",
        pA: p,
        orders: ["AB", "BA"],
        samples: [],
        votes: { A: 0, B: 0, error: 0 },
        stoppedEarly: false,
        promptTokens: 50,
        errors: [],
        provenance: { ...provenance, protocol: "direct" },
        startedAt: performance.now(),
      });
    },
  };
}
