/** STaR data selection on hand-built samples: filter, cap, dedupe, DPO pairing, rationalizer rows, counts, config. */
import { describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import { ConfigError } from "../../../src/errors.js";
import { worldCotTemplate, worldRationalizerTemplate } from "../../../src/judge/templates/worldTemplates.js";
import type { JudgeSample, Order } from "../../../src/judge/types.js";
import {
  classifySample,
  emptyCounts,
  type PairSamples,
  pairDpoRows,
  rationalizerRows,
  resolveStarConfig,
  selectSftRows,
  tallySamples,
  toTrlRow,
} from "../../../src/star/index.js";
import type { PairId } from "../../../src/types.js";

const pair = (label: "A" | "B" | "tie" = "A"): PreferencePair => ({
  id: "p:1" as PairId,
  prompt: [{ role: "user", content: "2+2?" }],
  responseA: "4",
  responseB: "5",
  label,
});

let nextIndex = 0;
const sample = (verdict: "A" | "B" | "error", extra: Partial<JudgeSample> = {}): JudgeSample => ({
  order: "AB",
  index: nextIndex,
  seed: 1000 + nextIndex++,
  text: `because ${nextIndex} [[${verdict === "error" ? "?" : verdict}]]`,
  verdict,
  completionTokens: 5,
  stopReason: "eos",
  ...(verdict === "error" ? { parseError: "no verdict" } : {}),
  ...extra,
});

const source = {
  iteration: 1,
  modelId: "gguf:m@sha256:0",
  templateId: worldCotTemplate.id,
  templateHash: "h",
  samplingKey: "s",
};
const ps = (samples: JudgeSample[], label: "A" | "B" | "tie" = "A"): PairSamples => ({
  pair: pair(label),
  samples,
  source,
});

describe("classifySample", () => {
  it("separates correct, wrong, unparseable, truncated and engine errors", () => {
    expect(classifySample(sample("A"), "A")).toBe("correct");
    expect(classifySample(sample("B"), "A")).toBe("wrong");
    expect(classifySample(sample("error"), "A")).toBe("unparseable");
    expect(classifySample(sample("error", { parseError: "truncated", stopReason: "maxTokens" }), "A")).toBe(
      "truncated",
    );
    expect(classifySample(sample("error", { stopReason: "error" }), "A")).toBe("engineError");
  });

  it("calls a chain cut at the token cap truncated even when a verdict parsed from it", () => {
    // As stored before cut chains parsed as errors: the verdict was read from quoted instructions.
    const cut = sample("A", { stopReason: "maxTokens", text: 'End with "[[A]]" or "[[B]]". 3+4=7. 7+' });
    expect(classifySample(cut, "A")).toBe("truncated");
    expect(classifySample(cut, "B")).toBe("truncated");
    const counts = emptyCounts();
    const rows = selectSftRows(
      ps([cut, sample("A")]),
      { template: worldCotTemplate, seed: 0, maxPerPair: null, dedupe: false },
      counts,
    );
    expect(rows).toHaveLength(1);
  });
});

describe("selectSftRows", () => {
  const base = { template: worldCotTemplate, seed: 0, maxPerPair: null, dedupe: false };
  it("keeps exactly the correct chains, prompt in the sampled order, with lineage", () => {
    const samples = [sample("A"), sample("B"), sample("A", { order: "BA" }), sample("error")];
    const counts = emptyCounts();
    const rows = selectSftRows(ps(samples), base, counts);
    expect(rows.map((r) => r.lineage.index)).toEqual([samples[0]!.index, samples[2]!.index]);
    expect(rows[1]!.lineage.order).toBe("BA");
    // BA shows responseB first.
    expect(rows[1]!.prompt.at(-1)!.content).toContain("A: 5\nB: 4");
    expect(rows[0]!.completion[0].content).toBe(samples[0]!.text);
    expect(rows[0]!.lineage).toMatchObject({
      pairId: "p:1",
      modelId: source.modelId,
      seed: samples[0]!.seed,
      gold: "A",
      hinted: false,
    });
    expect(toTrlRow(rows[0]!)).toEqual({ prompt: rows[0]!.prompt, completion: rows[0]!.completion });
  });
  it("dedupes repeated texts and caps per pair with a seeded choice", () => {
    const same = [
      sample("A", { text: "x [[A]]" }),
      sample("A", { text: "x [[A]]" }),
      sample("A"),
      sample("A"),
      sample("A"),
    ];
    const counts = emptyCounts();
    const rows = selectSftRows(ps(same), { ...base, dedupe: true, maxPerPair: 2 }, counts);
    expect(rows).toHaveLength(2);
    expect(counts.droppedDuplicate).toBe(1);
    expect(counts.droppedOverCap).toBe(2);
    const again = selectSftRows(ps(same), { ...base, dedupe: true, maxPerPair: 2 }, emptyCounts());
    expect(again.map((r) => r.lineage.index)).toEqual(rows.map((r) => r.lineage.index));
  });
  it("a tie pair gives nothing", () => {
    expect(selectSftRows(ps([sample("A")], "tie"), base, emptyCounts())).toEqual([]);
  });
});

describe("pairDpoRows", () => {
  const base = {
    template: worldCotTemplate,
    seed: 0,
    pairsPerPrompt: "one" as const,
    rejectUnparseable: true,
  };
  it("pairs a correct with a wrong chain of the same order, one per prompt by default", () => {
    const mk = (o: Order) => [
      sample("A", { order: o }),
      sample("A", { order: o }),
      sample("B", { order: o }),
      sample("error", { order: o }),
    ];
    const samples = [...mk("AB"), ...mk("BA")];
    const rows = pairDpoRows(ps(samples), base);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.lineage.chosen.verdict).toBe("A");
      expect(r.lineage.rejected.verdict).not.toBe("A");
      expect(r.lineage.chosen.order).toBe(r.lineage.rejected.order);
    }
    const max = pairDpoRows(ps(samples), { ...base, pairsPerPrompt: "max" });
    expect(max).toHaveLength(4);
    const used = max.flatMap((r) => [r.lineage.chosen.index, r.lineage.rejected.index]);
    expect(new Set(used).size).toBe(used.length);
    expect(toTrlRow(max[0]!)).toEqual({
      prompt: max[0]!.prompt,
      chosen: max[0]!.chosen,
      rejected: max[0]!.rejected,
    });
  });
  it("never uses an empty chain (EOS first) as the rejected reply", () => {
    const samples = [sample("A"), sample("error", { text: "" }), sample("error", { text: "  " })];
    expect(pairDpoRows(ps(samples), base)).toEqual([]);
    const withWrong = [...samples, sample("B")];
    const rows = pairDpoRows(ps(withWrong), { ...base, pairsPerPrompt: "max" });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.lineage.rejected.verdict).toBe("B");
  });
  it("never uses truncated chains, and unparseable ones only when allowed", () => {
    const samples = [
      sample("A"),
      sample("error"),
      sample("error", { parseError: "truncated", stopReason: "maxTokens" }),
    ];
    expect(pairDpoRows(ps(samples), base)).toHaveLength(1);
    expect(pairDpoRows(ps(samples), { ...base, rejectUnparseable: false })).toHaveLength(0);
  });
  it("counts pairs that cannot give a DPO pair", () => {
    const counts = emptyCounts();
    tallySamples(counts, ps([sample("A"), sample("A")]));
    tallySamples(
      counts,
      ps([sample("B"), sample("error", { parseError: "truncated", stopReason: "maxTokens" })]),
    );
    tallySamples(counts, ps([sample("A"), sample("B")]));
    tallySamples(counts, ps([sample("A")], "tie"));
    expect(counts).toMatchObject({
      pairs: 4,
      tiePairs: 1,
      pairsAllCorrect: 1,
      pairsAllWrong: 1,
      pairsMixed: 1,
      correct: 3,
      wrongVerdict: 2,
      truncated: 1,
      samples: 6,
    });
  });
});

describe("rationalizerRows", () => {
  it("trains on the unhinted CoT prompt and drops rationales against the hint", () => {
    const counts = emptyCounts();
    const samples = [sample("A"), sample("B"), sample("error")];
    const rows = rationalizerRows(
      ps(samples),
      {
        template: worldCotTemplate,
        rationalizerTemplate: worldRationalizerTemplate,
        keepInconsistent: false,
        maxPerPair: null,
        seed: 0,
      },
      counts,
    );
    expect(rows).toHaveLength(1);
    expect(counts.droppedInconsistent).toBe(1);
    expect(rows[0]!.lineage.hinted).toBe(true);
    expect(JSON.stringify(rows[0]!.prompt)).not.toContain("Explain why");
  });
  it("keeps at most maxPerPair rationales per pair, the same seeded choice as STaR-SFT's cap", () => {
    const samples = Array.from({ length: 6 }, () => sample("A"));
    const options = {
      template: worldCotTemplate,
      rationalizerTemplate: worldRationalizerTemplate,
      keepInconsistent: false,
      seed: 4,
    };
    const counts = emptyCounts();
    const capped = rationalizerRows(ps(samples), { ...options, maxPerPair: 2 }, counts);
    expect(capped).toHaveLength(2);
    expect(counts.droppedOverCap).toBe(4);
    const sft = selectSftRows(
      ps(samples),
      { template: worldCotTemplate, seed: 4, maxPerPair: 2, dedupe: false },
      emptyCounts(),
    );
    expect(capped.map((r) => r.lineage.index)).toEqual(sft.map((r) => r.lineage.index));
    expect(rationalizerRows(ps(samples), { ...options, maxPerPair: null }, emptyCounts())).toHaveLength(6);
  });
});

describe("resolveStarConfig", () => {
  it("fills the paper's defaults", () => {
    const c = resolveStarConfig({ method: "star-dpo" });
    expect(c).toMatchObject({
      iterations: 3,
      k: 8,
      orders: "random",
      reference: "sampler",
      pairsPerPrompt: "one",
    });
    expect(c.sampling).toMatchObject({ temperature: 1, topP: 0.95 });
    expect(c.train).toMatchObject({ method: "dpo", beta: 1, epochs: 3 });
    expect(resolveStarConfig({ method: "star-sft" }).train.method).toBe("sft");
  });
  it("derives the hinted template from a given CoT template", () => {
    const c = resolveStarConfig({ method: "star-rationalizer", template: worldCotTemplate });
    expect(c.rationalizerTemplate).toMatchObject({
      protocol: "rationalizer",
      system: worldCotTemplate.system,
      user: worldCotTemplate.user,
    });
  });
  it("STaR-Rationalizer full fine-tuning uses the paper's learning rate (2e-5, Table 2)", () => {
    const full = (method: "star-rationalizer" | "star-sft") =>
      resolveStarConfig({ method, train: { lora: false } }).train.lr;
    expect(full("star-rationalizer")).toBe(2e-5);
    expect(full("star-sft")).toBe(1e-6);
    expect(
      resolveStarConfig({ method: "star-rationalizer", train: { lora: false, lr: 3e-4 } }).train.lr,
    ).toBe(3e-4);
    // LoRA keeps LoRA's default.
    expect(resolveStarConfig({ method: "star-rationalizer" }).train.lr).toBe(1e-4);
  });
  it("reports every bad option at once", () => {
    try {
      resolveStarConfig({ method: "star-sft", k: 3, orders: "both", iterations: 0, train: { lr: -1 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join("\n");
      expect(issues).toMatch(/k: orders "both"/);
      expect(issues).toMatch(/iterations/);
      expect(issues).toMatch(/train\.lr/);
    }
  });
});
