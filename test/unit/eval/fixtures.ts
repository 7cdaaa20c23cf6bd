/** Judgments built by hand for eval tests: only the fields a metric reads are meaningful. */
import type { PreferencePair } from "../../../src/data/types.js";
import type {
  JudgeSample,
  Judgment,
  Order,
  OrderProbability,
  PairVerdict,
} from "../../../src/judge/types.js";
import type { ModelId, PairId, TemplateHash } from "../../../src/types.js";

export function pairOf(id: string, label: "A" | "B" | "tie", subset?: string): PreferencePair {
  return {
    id: id as PairId,
    prompt: [{ role: "user", content: `question ${id}` }],
    responseA: "a",
    responseB: "b",
    label,
    ...(subset ? { subset } : {}),
  };
}

/** Samples from a compact spec: "AB:BA|BA:BB" = order AB verdicts B,A; order BA verdicts B,B ("x" = error). */
export function samplesOf(spec: string): JudgeSample[] {
  return spec.split("|").flatMap((part) => {
    const [order, verdicts] = part.split(":") as [Order, string];
    return [...verdicts].map((v, index) => ({
      order,
      index,
      seed: index,
      text: v === "x" ? "no verdict" : `[[${v}]]`,
      verdict: v === "x" ? ("error" as const) : (v as "A" | "B"),
      ...(v === "x" ? { parseError: "no verdict" } : {}),
      completionTokens: 10,
      stopReason: "eos",
    }));
  });
}

export function judgmentOf(
  id: string,
  verdict: PairVerdict,
  extra: {
    pA?: number | null;
    samples?: JudgeSample[];
    orders?: Order[];
    probabilities?: OrderProbability[];
    errors?: string[];
    usage?: Partial<Judgment["usage"]>;
    stoppedEarly?: boolean;
  } = {},
): Judgment {
  const samples = extra.samples ?? [];
  return {
    pairId: id as PairId,
    verdict,
    pA:
      extra.pA === undefined
        ? verdict === "A"
          ? 1
          : verdict === "B"
            ? 0
            : verdict === "tie"
              ? 0.5
              : null
        : extra.pA,
    votes: {
      A: samples.filter((s) => s.verdict === "A").length,
      B: samples.filter((s) => s.verdict === "B").length,
      error: samples.filter((s) => s.verdict === "error").length,
    },
    orders: extra.orders ?? [...new Set(samples.map((s) => s.order))],
    samples,
    ...(extra.probabilities ? { probabilities: extra.probabilities } : {}),
    stoppedEarly: extra.stoppedEarly ?? false,
    usage: {
      promptTokens: 0,
      completionTokens: 0,
      samples: samples.length,
      cachedSamples: 0,
      wallMs: 0,
      ...extra.usage,
    },
    errors: extra.errors ?? [],
    provenance: {
      modelId: "test:model" as ModelId,
      modelName: "test",
      protocol: "cot",
      templateId: "cot-pair-v2@1",
      templateHash: "0123456789abcdef" as TemplateHash,
      seed: 0,
      sampling: { temperature: 1, topP: 0.95, maxTokens: 1024 },
      orderMode: "both",
      k: 2,
      adaptive: false,
    },
  };
}
