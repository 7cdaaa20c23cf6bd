/**
 * The eval-run sections of `genrm report`'s page: accuracy, benchmark scores, k-sample curves,
 * calibration, position consistency, accuracy by length difference, cost and failure examples.
 */
import type { PreferencePair } from "../../data/types.js";
import { defaultBootstrap } from "../../eval/bootstrapCI.js";
import { defaultScoreOptions } from "../../eval/scorePair.js";
import { escapeHtml as esc } from "../escapeHtml.js";
import { fmt3, fmtInt, table } from "../htmlBlocks.js";
import {
  type BarGroup,
  barChart,
  htmlLegend,
  type LineSeries,
  lineChart,
  niceDomain,
  niceTicks,
} from "../svgCharts.js";
import { failureExamples } from "./failureExamples.js";
import { lengthBias } from "./lengthBias.js";
import { dashes, type EvalView, figure, fmt1, note, palette, pct, runLegend, section } from "./pageParts.js";
import { calibrationOf, officialScoreBlocks, sampleCurves } from "./summaryBlocks.js";

/** Characters of a prompt, answer or rationale shown in a failure example before it is cut. */
const excerptChars = 1200;

export function accuracySection(evals: EvalView[], listwise: EvalView[]): string {
  const subsets = [...new Set(evals.flatMap((e) => Object.keys(e.run.summary.subsets ?? {})))].sort();
  const groups: BarGroup[] = [
    {
      label: "all pairs",
      bars: evals.map((e) => ({
        value: e.run.summary.accuracy.accuracy ?? Number.NaN,
        ci: e.run.summary.accuracy.ci
          ? [e.run.summary.accuracy.ci.lower, e.run.summary.accuracy.ci.upper]
          : null,
        color: e.color,
        title: `${e.name}, all pairs: ${fmt3(e.run.summary.accuracy.accuracy)} (n = ${e.run.summary.accuracy.n})`,
        data: { run: e.name, group: "all" },
      })),
    },
    ...subsets.map((s) => ({
      label: s,
      bars: evals.map((e) => {
        const r = e.run.summary.subsets[s];
        return {
          value: r?.accuracy ?? Number.NaN,
          ci: r?.ci ? ([r.ci.lower, r.ci.upper] as [number, number]) : null,
          color: e.color,
          title: `${e.name}, ${s}: ${r ? `${fmt3(r.accuracy)} (n = ${r.n})` : "not in this run"}`,
          data: { run: e.name, group: s },
        };
      }),
    })),
  ];
  const width = Math.max(1040, Math.round(groups.length * (evals.length + 1.6) * 26 + 70));
  const level = evals[0]!.run.summary.accuracy.ci?.level ?? defaultBootstrap.level;
  const chart = barChart({
    id: "acc-subsets",
    title: "Accuracy per subset",
    description: `Bar chart: accuracy on all pairs and on each subset, one bar per run, with ${Math.round(level * 100)}% bootstrap intervals.`,
    groups,
    legend: runLegend(evals),
    refLine: { value: 0.5 },
    yLabel: "accuracy",
    width,
  });
  const rows = evals.map((e) => {
    const s = e.run.summary;
    return [
      esc(e.name),
      fmtInt(s.counts.scored),
      `${pct(s.accuracy.accuracy)} <span class="ci">${s.accuracy.ci ? `[${pct(s.accuracy.ci.lower)}, ${pct(s.accuracy.ci.upper)}]` : ""}</span>`,
      `A ${fmtInt(s.verdicts.A)} · B ${fmtInt(s.verdicts.B)} · tie ${fmtInt(s.verdicts.tie)} · error ${fmtInt(s.verdicts.error)}`,
      pct(s.parse?.parseErrorRate),
      fmtInt(s.counts.missing),
    ];
  });
  const subsetRows = subsets.map((sub) => [
    esc(sub),
    ...evals.map((e) => {
      const r = e.run.summary.subsets[sub];
      return r ? `${pct(r.accuracy)} <span class="ci">n=${r.n}</span>` : "—";
    }),
  ]);
  return section(
    "accuracy",
    "Accuracy",
    table(["run", "scored pairs", "accuracy [CI]", "verdicts", "parse errors", "pairs not judged"], rows, {
      numeric: [false, true, true, false, true, true],
    }) +
      figure(
        chart,
        `Mean score per pair (1 right, 0 wrong, ${defaultScoreOptions.tieScore} for a tie or an unparseable verdict unless the run says otherwise), whiskers the bootstrap interval; the dashed line is chance.`,
      ) +
      (subsets.length > 0
        ? `<h3>Per subset</h3>${table(["subset", ...evals.map((e) => esc(e.name))], subsetRows, {
            numeric: [false, ...evals.map(() => true)],
          })}`
        : "") +
      (listwise.length > 0
        ? note(
            `${listwise.map((e) => esc(e.name)).join(", ")}: rows judged whole (<code>genrm eval --listwise</code>); only their benchmark scores are comparable here.`,
          )
        : ""),
  );
}

export function officialSection(allEvals: EvalView[]): string {
  const blocks = officialScoreBlocks(allEvals.map((e) => e.run.summary));
  if (blocks.length === 0) {
    return section(
      "official",
      "Benchmark scores",
      note("No run holds an official benchmark score (its data is no benchmark genrm scores officially)."),
    );
  }
  const parts = blocks.map((b, bi) => {
    const value = (e: EvalView, key: string) => e.run.summary.metrics?.[`${b.name}/${key}`];
    // Each block compares the runs that have this benchmark's scores.
    const evals = allEvals.filter((e) => b.keys.some((k) => value(e, k) !== undefined));
    const unitScale = b.keys.filter((k) =>
      evals.every((e) => {
        const v = value(e, k);
        return v === undefined || v === null || (v >= 0 && v <= 1);
      }),
    );
    const chart =
      unitScale.length === 0
        ? ""
        : figure(
            barChart({
              id: `official-${bi}`,
              title: b.name,
              description: `Bar chart: ${b.name} scores, one bar per run.`,
              groups: unitScale.map((k) => ({
                label: k,
                bars: evals.map((e) => ({
                  value: value(e, k) ?? Number.NaN,
                  color: e.color,
                  title: `${e.name}, ${b.name}/${k}: ${fmt3(value(e, k))}`,
                  data: { run: e.name, group: k },
                })),
              })),
              legend: runLegend(evals),
              refLine: { value: 0.5 },
              yLabel: "score",
              height: 320,
            }),
            `${esc(b.name)} as the run's summary.json reports it (metrics <code>${esc(b.name)}/*</code>).`,
          );
    // The structured block of the same benchmark (`rewardBench` for `rewardbench/*`,
    // `benchmarks.rewardBench2` for `rewardbench2/*`) names what a partial run had no pairs of.
    const missing = evals.flatMap((e) => {
      const s = e.run.summary as Record<string, unknown>;
      const nested =
        s.benchmarks !== null && typeof s.benchmarks === "object" ? Object.entries(s.benchmarks) : [];
      const [, block] =
        [...Object.entries(s), ...nested].find(([key]) => key.toLowerCase() === b.name.toLowerCase()) ?? [];
      const record = (block ?? {}) as { sectionsMissing?: unknown; subsetsMissing?: unknown };
      const absent = record.sectionsMissing ?? record.subsetsMissing;
      return Array.isArray(absent) && absent.length > 0
        ? [`${esc(e.name)}: no pairs of ${absent.map((x) => esc(String(x))).join(", ")}`]
        : [];
    });
    return (
      `<h3>${esc(b.name)}</h3>` +
      chart +
      table(
        ["score", ...evals.map((e) => esc(e.name))],
        b.keys.map((k) => [esc(k), ...evals.map((e) => fmt3(value(e, k)))]),
        { numeric: [false, ...evals.map(() => true)] },
      ) +
      (missing.length > 0 ? note(`Missing: ${missing.join("; ")}.`) : "")
    );
  });
  return section("official", "Benchmark scores", parts.join(""));
}

export function majKSection(evals: EvalView[]): string {
  const byKey = new Map<
    string,
    { xField: string; runs: { e: EvalView; points: { x: number; accuracy: number }[] }[] }
  >();
  for (const e of evals) {
    for (const c of sampleCurves(e.run.summary)) {
      if (c.points.length === 0) continue;
      const entry = byKey.get(c.key) ?? { xField: c.xField, runs: [] };
      entry.runs.push({ e, points: c.points });
      byKey.set(c.key, entry);
    }
  }
  const without = evals.filter((e) => !sampleCurves(e.run.summary).some((c) => c.points.length > 0));
  const withoutNote =
    without.length > 0
      ? note(
          `No k-sample curve for ${without.map((e) => esc(e.name)).join(", ")}: ${without.length === 1 ? "its judge draws" : "their judges draw"} no samples (model-free or verdict-probability judges), or one sample per order.`,
        )
      : "";
  if (byKey.size === 0) return section("majk", "Accuracy by samples (maj@k)", withoutNote);
  const figures = [...byKey].map(([key, { xField, runs }], i) => {
    const xs = [...new Set(runs.flatMap((r) => r.points.map((p) => p.x)))].sort((a, b) => a - b);
    const ys = runs.flatMap((r) => r.points.map((p) => p.accuracy));
    const [lo, hi] = niceDomain([...ys, Math.min(...ys) - 0.02, Math.max(...ys) + 0.02].map(clamp01));
    const series: LineSeries[] = runs.map((r) => ({
      label: r.e.name,
      color: r.e.color,
      dash: dashes[Math.floor(evals.indexOf(r.e) / palette.length) % dashes.length]!,
      data: { run: r.e.name },
      points: r.points.map((p) => ({
        x: p.x,
        y: p.accuracy,
        title: `${r.e.name}, ${xField} = ${p.x}: ${fmt3(p.accuracy)}`,
      })),
    }));
    return figure(
      lineChart({
        id: `majk-${i}`,
        title: curveTitles[key]?.title ?? key,
        description: `Line chart: accuracy of the majority vote against ${xField}, one line per run.`,
        xValues: xs,
        yDomain: [lo, hi],
        series,
        refLine: { value: 0.5 },
        xLabel: xField,
        width: 520,
        height: 300,
      }),
      `${curveTitles[key]?.caption ?? ""}summary.json <code>${esc(key)}</code>.`,
    );
  });
  return section(
    "majk",
    "Accuracy by samples (maj@k)",
    `${htmlLegend(runLegend(evals))}<div class="multiples">${figures.join("")}</div>${withoutNote}`,
  );
}

/** What the k-sample curves genrm writes show; a curve a later summary adds is drawn under its key. */
const curveTitles: Record<string, { title: string; caption: string }> = {
  majAtK: {
    title: "maj@k (k samples per order)",
    caption:
      "Accuracy of the vote of the first k samples of each order (with both orders a point spends 2k). ",
  },
  majAtKTotal: {
    title: "Maj@k (k samples in all)",
    caption: "Accuracy of the vote of k samples spent in all, the paper's Maj@k. ",
  },
};

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

export function calibrationSection(evals: EvalView[]): string {
  const withBlock = evals.map((e) => ({ e, cal: calibrationOf(e.run.summary) }));
  const present = withBlock.filter((w) => w.cal !== null);
  const absent = withBlock.filter((w) => w.cal === null).map((w) => esc(w.e.name));
  const absentNote =
    absent.length > 0
      ? note(
          `No calibration table in the summary.json of ${absent.join(", ")}: a judge whose P(A) is only ever 0, ½ or 1 (a baseline, a single sample) states verdicts, not probabilities, and runs summarized before genrm wrote a <code>calibration</code> block have none.`,
        )
      : "";
  const figures = present.map(({ e, cal }, i) => {
    const bins = cal!.bins;
    const series: LineSeries[] = [
      {
        label: "perfect calibration",
        color: "#7f8790",
        dash: "4 4",
        points: [
          { x: 0, y: 0, title: "perfect calibration" },
          { x: 1, y: 1, title: "perfect calibration" },
        ],
      },
      {
        label: e.name,
        color: e.color,
        data: { run: e.name },
        points: bins
          .filter((b) => b.count > 0)
          .map((b) => ({
            x: b.confidence,
            y: b.accuracy,
            title: `${e.name}, P in [${fmt3(b.lo)}, ${fmt3(b.hi)}): mean ${fmt3(b.confidence)}, observed ${fmt3(b.accuracy)}, n = ${b.count}`,
          })),
      },
    ];
    return figure(
      lineChart({
        id: `calibration-${i}`,
        title: `${e.name}${cal!.ece !== null ? `, ECE ${fmt3(cal!.ece)}` : ""}`,
        description: `Reliability diagram of ${e.name}: observed frequency against mean predicted probability per bin, with the diagonal of perfect calibration.`,
        xValues: [0, 1],
        xTicks: niceTicks(0, 1),
        yDomain: [0, 1],
        series,
        xLabel: "predicted probability",
        width: 330,
        height: 300,
      }),
      `${esc(e.name)}: ${bins.filter((b) => b.count > 0).length} non-empty bins (summary.json <code>${esc(cal!.key)}</code>): observed frequency against mean predicted probability.`,
    );
  });
  return section(
    "calibration",
    "Calibration",
    (figures.length > 0 ? `<div class="multiples">${figures.join("")}</div>` : "") + absentNote,
  );
}

export function positionSection(evals: EvalView[]): string {
  const has = evals.filter(
    (e) =>
      e.run.summary.positionConsistency?.rate != null || e.run.summary.positionConsistency?.aSlotRate != null,
  );
  const without = evals.filter((e) => !has.includes(e));
  const rows = evals.map((e) => {
    const p = e.run.summary.positionConsistency;
    return [
      esc(e.name),
      p ? `${fmtInt(p.consistentPairs)} / ${fmtInt(p.decidedPairs)}` : "—",
      pct(p?.rate),
      pct(p?.aSlotRate),
      p ? fmtInt(p.decidedOrders) : "—",
    ];
  });
  const chart =
    has.length === 0
      ? ""
      : figure(
          barChart({
            id: "position",
            title: "Position consistency",
            description:
              "Bar chart: share of pairs judged in both orders whose verdict survived the swap, and share of per-order verdicts naming the first-shown answer, one bar per run.",
            groups: [
              {
                label: "same verdict in both orders",
                bars: has.map((e) => ({
                  value: e.run.summary.positionConsistency.rate ?? Number.NaN,
                  color: e.color,
                  title: `${e.name}: ${pct(e.run.summary.positionConsistency.rate)}`,
                  data: { run: e.name, group: "consistency" },
                })),
              },
              {
                label: "verdicts naming the first-shown answer",
                bars: has.map((e) => ({
                  value: e.run.summary.positionConsistency.aSlotRate ?? Number.NaN,
                  color: e.color,
                  title: `${e.name}: ${pct(e.run.summary.positionConsistency.aSlotRate)}`,
                  data: { run: e.name, group: "a-slot" },
                })),
              },
            ],
            legend: runLegend(has),
            refLine: { value: 0.5 },
            width: 640,
            height: 300,
          }),
          "A judge without position bias keeps its verdict when the answers swap places (left, higher is better) and names the first-shown answer half the time (right, 0.5 is unbiased).",
        );
  return section(
    "position",
    "Position consistency",
    chart +
      table(
        ["run", "consistent / decided in both orders", "consistency", "first-slot rate", "decided orders"],
        rows,
        {
          numeric: [false, true, true, true, true],
        },
      ) +
      (without.length > 0
        ? note(
            `${without.map((e) => esc(e.name)).join(", ")}: no verdict per order (a model-free judge, or one that does not show the answers in an order).`,
          )
        : ""),
  );
}

export function lengthSection(evals: EvalView[]): string {
  const results = evals.map((e) => {
    const pairs = e.pairs.pairs;
    const opts = e.run.summary.options ?? {};
    return {
      e,
      result:
        pairs === null
          ? null
          : lengthBias(e.run.judgments, pairs as ReadonlyMap<string, PreferencePair>, {
              tieScore: opts.tieScore ?? defaultScoreOptions.tieScore,
              errorScore: opts.errorScore ?? defaultScoreOptions.errorScore,
              bootstrap: opts.bootstrap ?? defaultBootstrap,
            }),
    };
  });
  const shown = results.filter((r) => r.result !== null && r.result.scored > 0);
  const notes = results
    .filter((r) => r.result === null || r.result.scored === 0)
    .map(
      (r) =>
        `${esc(r.e.name)}: ${esc(r.e.pairs.note ?? (r.e.run.hasJudgmentLog ? "no scored judgment matches the data" : "no judgments.jsonl"))}`,
    );
  const partial = results
    .filter((r) => r.result !== null && r.e.pairs.note)
    .map((r) => `${esc(r.e.name)}: ${esc(r.e.pairs.note!)}`);
  if (shown.length === 0) {
    return section("length", "Accuracy by length difference", note(`Not available. ${notes.join("; ")}.`));
  }
  const bins = shown[0]!.result!.bins.map((b) => b.label);
  const chart = barChart({
    id: "length",
    title: "Accuracy by length difference",
    description:
      "Bar chart: accuracy on pairs binned by how much longer the preferred answer is than the other, one bar per run, with bootstrap intervals.",
    groups: bins.map((label, bi) => ({
      label,
      bars: shown.map(({ e, result }) => {
        const r = result!.bins[bi]!.result;
        return {
          value: r.accuracy ?? Number.NaN,
          ci: r.ci ? ([r.ci.lower, r.ci.upper] as [number, number]) : null,
          color: e.color,
          title: `${e.name}, ${label}: ${fmt3(r.accuracy)} (n = ${r.n})`,
          data: { run: e.name, group: result!.bins[bi]!.id },
        };
      }),
    })),
    legend: runLegend(shown.map((s) => s.e)),
    refLine: { value: 0.5 },
    yLabel: "accuracy",
    height: 340,
  });
  const rows = shown.map(({ e, result }) => [
    esc(e.name),
    ...result!.bins.map((b) => `${pct(b.result.accuracy)} <span class="ci">n=${b.result.n}</span>`),
    pct(result!.longerPickRate),
    pct(result!.longerPreferredRate),
  ]);
  return section(
    "length",
    "Accuracy by length difference",
    figure(
      chart,
      "Length is counted in characters (Unicode code points). A judge that prefers longer answers is right where the preferred answer is the longer one (right) and wrong where it is the shorter one (left); a judge without that bias is flat.",
    ) +
      table(["run", ...bins.map(esc), "picks the longer", "longer is preferred (data)"], rows, {
        numeric: [false, ...bins.map(() => true), true, true],
      }) +
      (notes.length + partial.length > 0 ? note(`${[...notes, ...partial].join("; ")}.`) : ""),
  );
}

export function costSection(evals: EvalView[]): string {
  const u = (e: EvalView) => e.run.summary.usage;
  const rows = evals.map((e) => {
    const s = u(e);
    return [
      esc(e.name),
      `${fmt1(s?.totalTokens?.mean)} <span class="ci">p50 ${fmt1(s?.totalTokens?.p50)} · p95 ${fmt1(s?.totalTokens?.p95)}</span>`,
      fmt1(s?.completionTokens?.mean),
      `${fmt1(s?.samples?.mean)} <span class="ci">p95 ${fmt1(s?.samples?.p95)}</span>`,
      pct(s?.cachedSampleRate),
      `${fmt1(s?.wallMs?.mean)} <span class="ci">p95 ${fmt1(s?.wallMs?.p95)}</span>`,
      pct(e.run.summary.adaptive?.stoppedEarlyRate),
    ];
  });
  const costChart = (
    id: string,
    title: string,
    value: (e: EvalView) => number | null | undefined,
    unit: string,
  ) => {
    const values = evals.map((e) => value(e) ?? Number.NaN);
    const top = niceDomain([0, ...values.filter(Number.isFinite), 1])[1];
    return barChart({
      id,
      title,
      description: `Bar chart: mean ${unit} per judgment, one bar per run.`,
      groups: [
        {
          label: title,
          bars: evals.map((e, i) => ({
            value: values[i]!,
            color: e.color,
            title: `${e.name}: ${fmt1(values[i])} ${unit} per judgment`,
            data: { run: e.name, group: id },
          })),
        },
      ],
      legend: runLegend(evals),
      yMax: top,
      width: 330,
      height: 280,
    });
  };
  return section(
    "cost",
    "Cost per judgment",
    `<div class="multiples">${figure(
      costChart("cost-tokens", "tokens per judgment", (e) => u(e)?.totalTokens?.mean, "tokens"),
      "Prompt and completion tokens, mean per judgment.",
    )}` +
      `${figure(
        costChart("cost-samples", "samples per judgment", (e) => u(e)?.samples?.mean, "samples"),
        "Judge samples drawn (generated or read from the store), mean per judgment.",
      )}</div>` +
      table(
        ["run", "tokens", "completion tokens", "samples", "from the store", "ms", "stopped early"],
        rows,
        { numeric: [false, true, true, true, true, true, true] },
      ),
  );
}

function excerpt(text: string): string {
  const chars = [...text];
  return chars.length <= excerptChars
    ? text
    : `${chars.slice(0, excerptChars).join("")}… (${chars.length - excerptChars} more characters)`;
}

export function failuresSection(evals: EvalView[], limit: number): string {
  const parts = evals.map((e) => {
    const opts = e.run.summary.options ?? {};
    const { examples, total } = failureExamples(e.run.judgments, e.pairs.pairs, limit, {
      tieScore: opts.tieScore ?? defaultScoreOptions.tieScore,
      errorScore: opts.errorScore ?? defaultScoreOptions.errorScore,
    });
    if (e.pairs.pairs === null) {
      return `<h3>${esc(e.name)}</h3>${note(`No examples: ${esc(e.pairs.note ?? "the pairs are unknown")}.`)}`;
    }
    if (total === 0) return `<h3>${esc(e.name)}</h3>${note("No wrong verdict.")}`;
    const items = examples.map((x) => {
      const j = x.judgment;
      const p = x.pair!;
      const lastUser = [...p.prompt].reverse().find((m) => m.role === "user")?.content ?? "";
      const turns = p.prompt.length > 1 ? ` <span class="ci">(last of ${p.prompt.length} turns)</span>` : "";
      return (
        `<details class="failure" data-pair="${esc(j.pairId)}"><summary><code>${esc(j.pairId)}</code>` +
        `${p.subset ? ` · ${esc(p.subset)}` : ""} · label ${esc(x.label!)} · verdict ${esc(j.verdict)} · votes A ${j.votes.A} / B ${j.votes.B} / error ${j.votes.error}</summary>` +
        `<h4>Prompt${turns}</h4><pre>${esc(excerpt(lastUser))}</pre><div class="answers">` +
        `<div><h4>Answer A${x.label === "A" ? " (preferred)" : ""}</h4><pre>${esc(excerpt(p.responseA))}</pre></div>` +
        `<div><h4>Answer B${x.label === "B" ? " (preferred)" : ""}</h4><pre>${esc(excerpt(p.responseB))}</pre></div></div>` +
        (x.rationale === null
          ? `<h4>Rationale</h4>${note("None: a model-free judge writes no rationale.")}`
          : `<h4>Rationale${x.rationaleOrder === "BA" ? ` <span class="ci">(answers shown swapped: the judge's "Assistant A" is answer B)</span>` : ""}</h4><pre>${esc(excerpt(x.rationale))}</pre>`) +
        `</details>`
      );
    });
    return (
      `<h3>${esc(e.name)}</h3>` +
      note(`${fmtInt(total)} wrong verdicts; the first ${examples.length} by pair id.`) +
      items.join("")
    );
  });
  return section("failures", "Failure examples", parts.join(""));
}
