import { describe, expect, it } from "vitest";
import { failureExamples } from "../../../src/report/runReport/failureExamples.js";
import type { TrainRun } from "../../../src/report/runReport/readRunDir.js";
import { type ReportedRun, renderRunsReport } from "../../../src/report/runReport/renderRunsReport.js";
import { niceDomain, niceTicks } from "../../../src/report/svgCharts.js";
import { evalRun, judgment, pair } from "./runFixtures.js";

const hostile = `<script>alert("x")</script>`;
const pairs = [
  pair("p1", "a long and careful answer", "short", "A", "chat"),
  pair("p2", "short", "a long and careful answer", "A", "chat"),
  pair("p3", "yes", "no!", "B", hostile),
  pair("p4", "tied", "tied", "tie", "chat"),
];
const byId = new Map(pairs.map((p) => [p.id as string, p]));
const sampled = [
  judgment("p1", "A", [
    { verdict: "A", text: "A is fuller. [[A]]" },
    { verdict: "A", text: "[[A]]" },
  ]),
  judgment("p2", "B", [
    { verdict: "A", text: "[[A]]" },
    { verdict: "B", text: `B is longer ${hostile} [[A]]`, order: "BA" },
  ]),
  judgment("p3", "B", [{ verdict: "B", text: "[[B]]" }]),
  judgment("p4", "A", [{ verdict: "A", text: "[[A]]" }]),
];
const calibration = {
  calibration: {
    bins: [
      { lo: 0, hi: 0.5, count: 2, meanConfidence: 0.2, accuracy: 0.5 },
      { lo: 0.5, hi: 0.9, count: 0, meanConfidence: 0, accuracy: 0 },
      { lo: 0.9, hi: 1, count: 3, meanConfidence: 0.95, accuracy: 1 },
    ],
    ece: 0.12,
  },
};
const train: TrainRun = {
  kind: "train",
  dir: "/runs/train",
  config: null,
  summary: { method: "dpo", step: 2, totalSteps: 2, stopReason: "completed", last: { step: 2, loss: 0.5 } },
  metrics: [
    { step: 1, loss: 0.69, learning_rate: 1e-3, "rewards/margins": 0 },
    { step: 2, loss: 0.5, learning_rate: 5e-4, "rewards/margins": 0.4 },
    { step: 2, "eval/loss": 0.6 },
  ],
};

function runs(): ReportedRun[] {
  return [
    {
      name: `judge "one" <b>`,
      run: evalRun("/runs/one", sampled, pairs, {
        ...calibration,
        metrics: { "rewardbench/chat": 0.75, "rewardbench2/ties": 0.25 },
        rewardBench: { sectionsMissing: ["Safety", "Reasoning"] },
        benchmarks: { rewardBench2: { subsetsMissing: ["Ties"] } },
      }),
      pairs: { pairs: byId, note: null },
    },
    {
      name: "baseline",
      run: evalRun("/runs/two", [judgment("p1", "A"), judgment("p2", "A"), judgment("p3", "A")], pairs),
      pairs: { pairs: null, note: "the run records no data source" },
    },
    { name: "train", run: train },
  ];
}

const sectionOf = (html: string, id: string) =>
  html.match(new RegExp(`<section id="${id}"[\\s\\S]*?</section>`))?.[0] ?? "";
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe("renderRunsReport", () => {
  const html = renderRunsReport({ genrm: "0.0.0-test", runs: runs(), examples: 5 });

  it("is a pure function of the runs", () => {
    expect(renderRunsReport({ genrm: "0.0.0-test", runs: runs(), examples: 5 })).toBe(html);
  });

  it("escapes every string that comes from a run", () => {
    expect(html).not.toContain(hostile);
    expect(html).not.toContain(`<b>`);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).not.toMatch(/<script\b/);
  });

  it("has every section, each with the charts its data allows", () => {
    const ids = [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual([
      "accuracy",
      "official",
      "majk",
      "calibration",
      "position",
      "length",
      "cost",
      "failures",
      "training",
    ]);
    // Accuracy: all pairs + 2 subsets, two runs each.
    expect(count(sectionOf(html, "accuracy"), /<rect class="bar"/g)).toBe(6);
    // A namespace the summary adds later is drawn as its own block.
    const official = sectionOf(html, "official");
    expect(official).toContain("<h3>rewardbench2</h3>");
    // Only runs with a benchmark's scores take part in its block.
    expect(official).toContain(`data-run="judge &quot;one&quot; &lt;b&gt;"`);
    expect(official).not.toContain(">baseline<");
    // A partial run names what it had no pairs of under each benchmark's own block (RewardBench's
    // `rewardBench`, RewardBench 2's `benchmarks.rewardBench2`).
    expect(official.match(/Missing: ([^<]*)/g)).toEqual([
      "Missing: judge &quot;one&quot; &lt;b&gt;: no pairs of Safety, Reasoning.",
      "Missing: judge &quot;one&quot; &lt;b&gt;: no pairs of Ties.",
    ]);
    // The calibrated run: one diagram, a dot per non-empty bin (2) plus the diagonal's two ends;
    // the other run is named in the note.
    const cal = sectionOf(html, "calibration");
    expect(count(cal, /<svg class="chart"/g)).toBe(1);
    expect(count(cal, /<circle /g)).toBe(4);
    expect(cal).toContain("ECE 0.120");
    expect(cal).toMatch(/No calibration table in the summary\.json of baseline/);
    // Length: the second run's pairs are unknown, so it is listed, not drawn.
    const length = sectionOf(html, "length");
    // p1: d = +0.8 (much longer), p2: −0.8 (much shorter), p3: equal (similar); p4 is a tie label.
    expect(count(length, /<rect class="bar"/g)).toBe(3);
    expect(length).toContain("baseline: the run records no data source");
    expect(count(sectionOf(html, "training"), /<svg class="chart"/g)).toBe(3);
  });
});

describe("a --listwise eval run", () => {
  const listwise: ReportedRun = {
    name: "ranking",
    run: {
      kind: "eval",
      dir: "/runs/list",
      summary: {
        counts: { items: 7 },
        benchmarks: {},
        metrics: { "rewardbench2/factuality": 1, "rewardbench2/score": 0.4 },
        provenance: [{ modelName: "judge", protocol: "ranking", k: 1 }],
      } as never,
      config: null,
      judgments: [],
      hasJudgmentLog: false,
      listwise: true,
    },
  };

  it("shows only its benchmark scores, and says so beside pairwise runs", () => {
    const alone = renderRunsReport({ genrm: "t", runs: [listwise], examples: 5 });
    expect([...alone.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1])).toEqual(["official"]);
    expect(alone).toContain("judge (listwise ranking, k=1)");
    const both = renderRunsReport({ genrm: "t", runs: [runs()[0]!, listwise], examples: 5 });
    expect(sectionOf(both, "accuracy")).toMatch(/ranking: rows judged whole/);
    expect(count(sectionOf(both, "accuracy"), /<rect class="bar"/g)).toBe(3);
    expect(sectionOf(both, "official")).toContain('data-run="ranking"');
  });
});

describe("failureExamples", () => {
  it("takes wrong verdicts only, in the given order, with a sample that voted that way", () => {
    const { examples, total } = failureExamples(sampled, byId, 5);
    // p1 right, p2 wrong (B, label A), p3 right, p4 a tie label (unscored).
    expect(total).toBe(1);
    expect(examples.map((e) => [e.judgment.pairId, e.label, e.rationaleOrder])).toEqual([["p2", "A", "BA"]]);
    expect(examples[0]!.rationale).toContain("B is longer");
    expect(failureExamples(sampled, byId, 0).examples).toEqual([]);
    expect(failureExamples(sampled, null, 5).total).toBe(0);
  });
});

describe("chart scales", () => {
  it("ticks and domains on any scale", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 6)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(niceTicks(0, 0.001)).toEqual([0, 0.0002, 0.0004, 0.0006, 0.0008, 0.001]);
    expect(niceDomain([0.69, 0.0002])).toEqual([0, 0.8]);
    expect(niceDomain([-4.1, 4.3])).toEqual([-6, 6]);
    expect(niceDomain([1, 1])).toEqual([0.9, 1.1]);
    expect(niceDomain([])).toEqual([0, 1]);
  });
});
