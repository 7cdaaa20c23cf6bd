/**
 * The training sections of `genrm report`'s page: curves of train runs side by side, and a STaR
 * run's accuracy by iteration and per-iteration curves.
 */
import type { MetricsEntry } from "../../run/metricsLog.js";
import { escapeHtml as esc } from "../escapeHtml.js";
import { dl, fmt3, fmtInt, table } from "../htmlBlocks.js";
import {
  htmlLegend,
  type LegendItem,
  type LineSeries,
  lineChart,
  niceDomain,
  niceTicks,
} from "../svgCharts.js";
import { dashes, figure, fmtValue, note, palette, type ReportedRun, section } from "./pageParts.js";
import type { StarRun, TrainRun } from "./readRunDir.js";
import { type CurveFamily, curveFamilies, familySeries } from "./trainCurves.js";

interface CurveRun {
  name: string;
  color: string;
  dash?: string;
  metrics: readonly MetricsEntry[];
}

/** One chart per curve family, one line per run × metric × split (eval dashed). */
function curveCharts(idPrefix: string, runs: CurveRun[]): string {
  const families = curveFamilies(runs.map((r) => r.metrics));
  if (families.length === 0) return note("No metrics logged (metrics.jsonl is empty or absent).");
  const figures = families.map((f, fi) => curveFigure(`${idPrefix}-${fi}`, f, runs));
  return `<div class="multiples">${figures.join("")}</div>`;
}

function curveFigure(id: string, family: CurveFamily, runs: CurveRun[]): string {
  const series: LineSeries[] = [];
  const legend: LegendItem[] = [];
  for (const r of runs) {
    for (const s of familySeries(r.metrics, family)) {
      const keyIndex = family.keys.indexOf(s.key);
      const dash = r.dash ?? dashes[(keyIndex * 2 + (s.split === "eval" ? 1 : 0)) % dashes.length]!;
      const label = `${r.name}${family.keys.length > 1 ? ` ${s.key}` : ""}${s.split === "eval" ? " (eval)" : ""}`;
      series.push({
        label,
        color: r.color,
        dash,
        data: { run: r.name, metric: s.split === "eval" ? `eval/${s.key}` : s.key },
        points: s.points.map((p) => ({
          x: p.step,
          y: p.value,
          title: `${label}, step ${p.step}: ${fmtValue(p.value)}`,
        })),
      });
      legend.push({ label, color: r.color, dash });
    }
  }
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const yDomain = niceDomain(series.flatMap((s) => s.points.map((p) => p.y)));
  const maxPoints = Math.max(...series.map((s) => s.points.length));
  return figure(
    lineChart({
      id,
      title: family.title,
      description: `Line chart: ${family.title} against the optimizer step, ${series.length} line${series.length === 1 ? "" : "s"}.`,
      xValues: xs,
      xTicks: niceTicks(xs[0]!, xs.at(-1)!).filter((t) => Number.isInteger(t)),
      yDomain,
      series,
      xLabel: "step",
      markers: maxPoints <= 40,
      width: 360,
      height: 240,
    }),
    htmlLegend(legend),
  );
}

export function trainSection(trains: (ReportedRun & { color: string; run: TrainRun })[]): string {
  const rows = trains.map((t) => {
    const s = t.run.summary;
    const last = s?.last ?? null;
    const lastEval = s?.lastEval ?? null;
    return [
      esc(t.name),
      esc(s?.method ?? String(t.run.config?.method ?? "—")),
      s?.step !== undefined
        ? `${fmtInt(s.step)} / ${fmtInt(s.totalSteps)}`
        : fmtInt(t.run.metrics.at(-1)?.step),
      esc(s?.stopReason ?? "—"),
      last?.loss !== undefined ? fmtValue(last.loss) : "—",
      lastEval?.["eval/loss"] !== undefined ? fmtValue(lastEval["eval/loss"]) : "—",
    ];
  });
  return section(
    "training",
    "Training curves",
    table(["run", "method", "steps", "stopped", "last loss", "last eval loss"], rows, {
      numeric: [false, false, true, false, true, true],
    }) +
      curveCharts(
        "train",
        trains.map((t) => ({ name: t.name, color: t.color, metrics: t.run.metrics })),
      ),
  );
}

export function starSection(star: ReportedRun & { color: string; run: StarRun }, index: number): string {
  const m = star.run.manifest;
  const sets = [...new Set([...m.baseEvals, ...m.iterations.flatMap((it) => it.evals)].map((e) => e.name))];
  const byIteration = [
    { iteration: 0, evals: m.baseEvals },
    ...m.iterations.map((it) => ({ iteration: it.iteration, evals: it.evals })),
  ];
  const evalChart =
    sets.length === 0
      ? note("No eval sets (the run was started without --eval-data).")
      : figure(
          lineChart({
            id: `star-${index}-eval`,
            title: "accuracy by iteration",
            description: `Line chart: accuracy of the model of each STaR iteration (0 = base model) on each eval set.`,
            xValues: byIteration.map((b) => b.iteration),
            yDomain: [0, 1],
            series: sets.map((name, si) => ({
              label: name,
              color: palette[si % palette.length]!,
              dash: dashes[Math.floor(si / palette.length) % dashes.length]!,
              data: { set: name },
              points: byIteration.flatMap((b) => {
                const ev = b.evals.find((e) => e.name === name);
                return ev && ev.accuracy !== null
                  ? [
                      {
                        x: b.iteration,
                        y: ev.accuracy,
                        title: `${name}, iteration ${b.iteration}: ${fmt3(ev.accuracy)} (n = ${ev.n})`,
                      },
                    ]
                  : [];
              }),
            })),
            refLine: { value: 0.5 },
            xLabel: "iteration",
            width: 420,
            height: 280,
          }),
          htmlLegend(
            sets.map((name, si) => ({
              label: name,
              color: palette[si % palette.length]!,
              dash: dashes[Math.floor(si / palette.length) % dashes.length]!,
            })),
          ),
        );
  const counts = m.iterations.map((it) => [
    String(it.iteration),
    esc(it.status),
    it.counts ? fmtInt(it.counts.rows) : "—",
    it.counts
      ? `${fmtInt(it.counts.pairsMixed)} / ${fmtInt(it.counts.pairsAllCorrect)} / ${fmtInt(it.counts.pairsAllWrong)}`
      : "—",
    it.training?.steps != null ? fmtInt(it.training.steps) : "—",
    it.training?.lastLoss != null ? fmtValue(it.training.lastLoss) : "—",
    ...sets.map((name) => fmt3(it.evals.find((e) => e.name === name)?.accuracy)),
  ]);
  const curves =
    star.run.training.length === 0
      ? note("No iteration has trained yet.")
      : curveCharts(
          `star-${index}-train`,
          star.run.training.map((t, i) => ({
            name: `iteration ${t.iteration}`,
            color: palette[i % palette.length]!,
            metrics: t.metrics,
          })),
        );
  return section(
    `star-${index}`,
    `STaR: ${star.name}`,
    dl([
      ["method", esc(m.method)],
      ["base model", `<code>${esc(m.baseModel.path)}</code>`],
      [
        "data",
        `${esc(m.data.source ?? "—")} (${fmtInt(m.data.pairs)} pairs in ${m.data.slices.length} slices)`,
      ],
      ["status", esc(m.status)],
    ]) +
      evalChart +
      table(
        [
          "iteration",
          "status",
          "training rows",
          "pairs mixed / all right / all wrong",
          "steps",
          "last loss",
          ...sets.map(esc),
        ],
        counts,
        { numeric: [true, false, true, true, true, true, ...sets.map(() => true)] },
      ) +
      `<h3>Training curves per iteration</h3>${curves}`,
  );
}
