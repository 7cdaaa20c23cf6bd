import { describe, expect, it } from "vitest";
import type { StarRun } from "../../../src/report/runReport/readRunDir.js";
import { renderRunsReport } from "../../../src/report/runReport/renderRunsReport.js";
import type { StarManifest } from "../../../src/star/types.js";

const evalRecord = (name: string, accuracy: number | null) => ({
  name,
  modelId: "m",
  summaryFile: "s",
  accuracy,
  n: 8,
  parseErrorRate: 0,
});
const iteration = (t: number, held: number, ood: number | null) => ({
  iteration: t,
  status: "done",
  counts: { rows: 4 + t, pairsMixed: 3, pairsAllCorrect: 1, pairsAllWrong: 2 },
  training: {
    runDir: `/gone/iter-${t}/train`,
    encoded: null,
    steps: 10,
    resumedFrom: 0,
    lastLoss: 0.1 / t,
    checkpoint: null,
  },
  evals: [evalRecord("held", held), evalRecord("ood", ood)],
});
const manifest = {
  format: "genrm-star",
  method: "star-dpo",
  baseModel: { path: "/m/base.gguf", id: "b" },
  data: { source: "/d/pairs.jsonl", pairs: 12, slices: [6, 6], sliceSeed: 0 },
  status: "done",
  baseEvals: [evalRecord("held", 0.5), evalRecord("ood", 0.4)],
  iterations: [iteration(1, 0.6, 0.45), iteration(2, 0.7, null)],
} as unknown as StarManifest;
const star: StarRun = {
  kind: "star",
  dir: "/runs/star",
  manifest,
  training: [
    {
      iteration: 1,
      metrics: [
        { step: 1, loss: 0.7 },
        { step: 2, loss: 0.4 },
      ],
    },
    {
      iteration: 2,
      metrics: [
        { step: 1, loss: 0.6 },
        { step: 2, loss: 0.2 },
      ],
    },
  ],
};

describe("a STaR run on the page", () => {
  const html = renderRunsReport({ genrm: "t", runs: [{ name: "star", run: star }], examples: 5 });
  const section = html.match(/<section id="star-0"[\s\S]*?<\/section>/)![0];

  it("draws each eval set's accuracy by iteration, base model at 0", () => {
    const evalChart = section.match(/<svg class="chart"[\s\S]*?<\/svg>/)![0];
    expect(evalChart).toContain("accuracy by iteration");
    const series = [...evalChart.matchAll(/<g class="series" data-set="([^"]+)">([\s\S]*?)<\/g>/g)];
    // held: iterations 0, 1, 2; ood: 0 and 1 (iteration 2 has no accuracy).
    expect(series.map((m) => [m[1], (m[2]!.match(/<circle /g) ?? []).length])).toEqual([
      ["held", 3],
      ["ood", 2],
    ]);
    expect(evalChart).toContain("held, iteration 2: 0.700 (n = 8)");
  });

  it("tables the iterations and draws the training curves one line per iteration", () => {
    expect(section).toContain('<td class="num">5</td>'); // iteration 1's training rows
    expect(section).toContain("3 / 1 / 2");
    const loss = [...section.matchAll(/<svg class="chart"[\s\S]*?<\/svg>/g)]
      .map((m) => m[0])
      .find((s) => s.includes(">loss<"))!;
    expect(loss.match(/<polyline /g)).toHaveLength(2);
    expect(loss).toContain("iteration 2, step 2: 0.2");
    expect(html).not.toContain('id="accuracy"');
  });
});
