/**
 * The pieces every section of `genrm report`'s page is built from: the runs as the page sees
 * them, their colours, section / figure / note markup and number formats.
 */
import { escapeHtml as esc } from "../escapeHtml.js";
import type { LegendItem } from "../svgCharts.js";
import type { RunPairs } from "./loadRunPairs.js";
import type { EvalRun, ReportRun } from "./readRunDir.js";

export interface ReportedRun {
  run: ReportRun;
  /** Short unique name on the page (the directory's name, or more of its path where two share one). */
  name: string;
  /** Eval runs: the pairs read again from the run's data. */
  pairs?: RunPairs;
}

export interface RunsReportInput {
  genrm: string;
  runs: ReportedRun[];
  /** Failure examples shown per eval run. */
  examples: number;
}

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies, legible on light
// and dark backgrounds); past seven runs the dashes keep lines apart.
export const palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933"];
export const dashes = ["", "7 3", "2 3", "9 3 2 3"];
export interface EvalView {
  run: EvalRun;
  name: string;
  color: string;
  pairs: RunPairs;
}

export function section(id: string, heading: string, body: string): string {
  return `<section id="${esc(id)}" data-section="${esc(id)}"><h2>${esc(heading)}</h2>${body}</section>`;
}

export function note(text: string): string {
  return `<p class="note">${text}</p>`;
}

export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${caption}</figcaption></figure>`;
}

export function pct(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "—";
}

export function runLegend(runs: { name: string; color: string }[]): LegendItem[] {
  return runs.map((r) => ({ label: r.name, color: r.color }));
}

export function fmt1(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? (Math.round(x * 10) / 10).toFixed(1) : "—";
}

export function fmtValue(x: number): string {
  const a = Math.abs(x);
  return a !== 0 && (a < 0.001 || a >= 1e5) ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}
