/**
 * `genrm report`'s page: eval, train and STaR runs side by side in one self-contained HTML file
 * (inline CSS and SVG from the shared report modules, no scripts, nothing loaded from anywhere).
 * A pure function of what was read from the run directories, so the same runs give the same bytes.
 * The sections themselves: evalSections.ts and trainSections.ts.
 */
import { escapeHtml as esc } from "../escapeHtml.js";
import { table } from "../htmlBlocks.js";
import { reportStyles } from "../reportStyles.js";
import {
  accuracySection,
  calibrationSection,
  costSection,
  failuresSection,
  lengthSection,
  majKSection,
  officialSection,
  positionSection,
} from "./evalSections.js";
import { type EvalView, palette, type ReportedRun, type RunsReportInput } from "./pageParts.js";
import type { EvalRun, ReportRun, StarRun, TrainRun } from "./readRunDir.js";
import { starSection, trainSection } from "./trainSections.js";

export type { ReportedRun, RunsReportInput } from "./pageParts.js";

export function renderRunsReport(input: RunsReportInput): string {
  const colored = input.runs.map((r, i) => ({ ...r, color: palette[i % palette.length]! }));
  const evals: EvalView[] = colored
    .filter((r): r is typeof r & { run: EvalRun } => r.run.kind === "eval")
    .map((r) => ({
      run: r.run,
      name: r.name,
      color: r.color,
      pairs: r.pairs ?? { pairs: null, note: null },
    }));
  // Runs of `genrm eval --listwise` judged whole rows: they have benchmark scores, nothing pairwise.
  const pairwise = evals.filter((e) => !e.run.listwise);
  const listwise = evals.filter((e) => e.run.listwise);
  const trains = colored.filter((r): r is typeof r & { run: TrainRun } => r.run.kind === "train");
  const stars = colored.filter((r): r is typeof r & { run: StarRun } => r.run.kind === "star");
  const title = `genrm report: ${input.runs.map((r) => r.name).join(", ")}`;
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="generator" content="genrm ${esc(input.genrm)}">`,
    `<title>${esc(title)}</title><style>${reportStyles}</style></head><body>`,
    header(colored),
    ...(evals.length > 0
      ? [
          ...(pairwise.length > 0 ? [accuracySection(pairwise, listwise)] : []),
          officialSection(evals),
          ...(pairwise.length > 0
            ? [
                majKSection(pairwise),
                calibrationSection(pairwise),
                positionSection(pairwise),
                lengthSection(pairwise),
                costSection(pairwise),
                failuresSection(pairwise, input.examples),
              ]
            : []),
        ]
      : []),
    ...(trains.length > 0 ? [trainSection(trains)] : []),
    ...stars.map((s, i) => starSection(s, i)),
    `<footer>Rendered by genrm ${esc(input.genrm)} (<code>genrm report</code>) from the files in each run directory.</footer>`,
    "</body></html>",
    "",
  ].join("\n");
}

function header(runs: (ReportedRun & { color: string })[]): string {
  const rows = runs.map((r) => [
    `<span style="color:${esc(r.color)}">■</span> ${esc(r.name)}`,
    esc(r.run.kind),
    esc(describeRun(r.run)),
    `<code>${esc(r.run.dir)}</code>`,
  ]);
  const kinds = (["eval", "train", "star"] as const)
    .map((k) => [k, runs.filter((r) => r.run.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  return (
    `<header><h1>genrm report</h1><p class="subtitle">${esc(`${runs.length} run${runs.length === 1 ? "" : "s"}: ${kinds}`)}</p>` +
    table(["run", "kind", "what", "directory"], rows) +
    `</header>`
  );
}

function describeRun(run: ReportRun): string {
  switch (run.kind) {
    case "eval": {
      const p = run.summary.provenance?.[0];
      const judge = !p
        ? "judge unknown"
        : run.listwise
          ? `${p.modelName} (listwise ${p.protocol}, k=${p.k})`
          : `${p.modelName} (${p.baseline ? "model-free" : `${p.protocol}, k=${p.k}, ${p.orderMode} order${p.adaptive ? ", adaptive" : ""}`})`;
      const data = run.config?.data;
      return data ? `${judge} on ${data.path} (${data.format})` : judge;
    }
    case "train": {
      const method = run.summary?.method ?? (run.config?.method as string | undefined) ?? "unknown method";
      const steps =
        run.summary?.step !== undefined ? `, ${run.summary.step}/${run.summary.totalSteps} steps` : "";
      return `${method} training${steps}${run.summary?.stopReason ? `, ${run.summary.stopReason}` : ""}`;
    }
    case "star":
      return `${run.manifest.method}, ${run.manifest.iterations.length} iterations, ${run.manifest.status}`;
  }
}
