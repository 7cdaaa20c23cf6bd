/** Judgments, pairs and run directories built as genrm writes them, for the report's unit tests. */
import fs from "node:fs";
import path from "node:path";
import type { PreferencePair } from "../../../src/data/types.js";
import { summarizeEval } from "../../../src/eval/summarizeEval.js";
import type { JudgeSample, Judgment, PairVerdict } from "../../../src/judge/types.js";
import type { EvalRun } from "../../../src/report/runReport/readRunDir.js";
import type { ModelId, PairId, TemplateHash } from "../../../src/types.js";

export function pair(
  id: string,
  a: string,
  b: string,
  label: "A" | "B" | "tie",
  subset?: string,
): PreferencePair {
  return {
    id: id as PairId,
    prompt: [{ role: "user", content: `question ${id}` }],
    responseA: a,
    responseB: b,
    label,
    ...(subset ? { subset } : {}),
  };
}

export function judgment(
  pairId: string,
  verdict: PairVerdict,
  samples: Partial<JudgeSample>[] = [],
  extra: Partial<Judgment> = {},
): Judgment {
  const full = samples.map((s, index) => ({
    order: "AB" as const,
    index,
    seed: index,
    text: "",
    verdict: "A" as const,
    completionTokens: 10,
    stopReason: "eos",
    ...s,
  }));
  return {
    pairId: pairId as PairId,
    verdict,
    pA: verdict === "A" ? 1 : verdict === "B" ? 0 : 0.5,
    votes: {
      A: full.filter((s) => s.verdict === "A").length,
      B: full.filter((s) => s.verdict === "B").length,
      error: full.filter((s) => s.verdict === "error").length,
    },
    orders: ["AB"],
    samples: full,
    stoppedEarly: false,
    usage: {
      promptTokens: 100,
      completionTokens: 10 * full.length,
      samples: full.length,
      cachedSamples: 0,
      wallMs: 5,
    },
    errors: [],
    provenance: {
      modelId: "test:judge" as ModelId,
      modelName: "test judge",
      protocol: "cot",
      templateId: "cot-pair-v2@1",
      templateHash: "0000000000000000" as TemplateHash,
      seed: 0,
      sampling: { temperature: 1, topP: 1, maxTokens: 64 },
      orderMode: "fixed",
      k: full.length,
      adaptive: false,
    },
    ...extra,
  };
}

/** An eval run as readRunDir returns it, its summary computed by genrm's own summarizeEval. */
export function evalRun(
  dir: string,
  judgments: Judgment[],
  pairs: PreferencePair[],
  extraSummary: Record<string, unknown> = {},
): EvalRun {
  const summary = { ...summarizeEval(judgments, pairs, { bootstrap: { resamples: 200 } }), ...extraSummary };
  return { kind: "eval", dir, summary, config: null, judgments, hasJudgmentLog: true, listwise: false };
}

export function writeFiles(dir: string, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
