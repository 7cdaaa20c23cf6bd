/**
 * The report's two chart kinds as inline SVG strings: a grouped bar chart with interval whiskers
 * and a small line chart. No chart library, so the report stays one offline file; this module knows
 * nothing about genrm results, only numbers, colours and labels.
 *
 * Colours of axes and text come from the page's CSS classes (`.chart …`), so light and dark mode
 * and print are the stylesheet's business; series colours are given by the caller.
 */
import { escapeHtml } from "./escapeHtml.js";

export interface Bar {
  value: number;
  ci?: [number, number] | null;
  color: string;
  /** Drawn with diagonal stripes (the report uses it for maj@k). */
  hatched?: boolean;
  /** Tooltip and accessible name of the bar. */
  title: string;
  /** Extra gap before this bar, in bar widths. */
  gapBefore?: number;
  /** `data-*` attributes, for tests and for anyone scripting the file. */
  data?: Record<string, string>;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface LegendItem {
  label: string;
  color: string;
  hatched?: boolean;
  dash?: string;
}

export interface ReferenceLine {
  value: number;
  /** Drawn at the right end, above the line; leave out where bars would cover it (say it in the legend). */
  label?: string;
}

export interface BarChartSpec {
  /** Unique in the page: prefixes the ids of patterns and titles. */
  id: string;
  title: string;
  description: string;
  groups: BarGroup[];
  legend: LegendItem[];
  refLine?: ReferenceLine;
  yLabel?: string;
  /** Top of the scale. Defaults to 1 (accuracies); costs pass their own. */
  yMax?: number;
  width?: number;
  height?: number;
}

const fontSize = 11;
const n2 = (x: number) => String(Math.round(x * 100) / 100);

function attrs(data: Record<string, string> | undefined): string {
  return Object.entries(data ?? {})
    .map(([k, v]) => ` data-${k.replace(/[^a-z0-9-]/g, "")}="${escapeHtml(v)}"`)
    .join("");
}

function svgOpen(
  id: string,
  width: number,
  height: number,
  title: string,
  description: string,
  kind: string,
) {
  return (
    `<svg class="chart" data-chart="${escapeHtml(kind)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-label="${escapeHtml(title)}" aria-describedby="${id}-desc">` +
    `<title>${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>`
  );
}

function hatchId(chartId: string, color: string): string {
  return `${chartId}-hatch-${color.replace(/[^a-zA-Z0-9]/g, "")}`;
}

function hatchPattern(chartId: string, color: string): string {
  const c = escapeHtml(color);
  return (
    `<pattern id="${hatchId(chartId, color)}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">` +
    `<rect width="6" height="6" fill="${c}" fill-opacity="0.3"/><line x1="0" y1="0" x2="0" y2="6" stroke="${c}" stroke-width="3"/></pattern>`
  );
}

function fillOf(chartId: string, color: string, hatched: boolean | undefined): string {
  return hatched ? `url(#${hatchId(chartId, color)})` : escapeHtml(color);
}

/** Splits a label after spaces, hyphens, slashes and underscores into lines of about `maxChars`. */
export function wrapLabel(label: string, maxChars: number): string[] {
  const words = label.split(/(?<=[\s\-–/_])/);
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last]! + w).trimEnd().length <= maxChars) lines[last] += w;
    else lines.push(w);
  }
  return lines.map((l) => l.trim()).filter((l) => l.length > 0);
}

function legendRow(chartId: string, items: LegendItem[], x0: number, y: number): string {
  let x = x0;
  let out = `<g class="legend">`;
  for (const item of items) {
    const swatch = item.dash
      ? `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${escapeHtml(item.color)}" stroke-width="2.5" stroke-dasharray="${escapeHtml(item.dash)}"/>`
      : `<rect x="${x}" y="${y - 6}" width="14" height="12" fill="${fillOf(chartId, item.color, item.hatched)}" stroke="${escapeHtml(item.color)}"/>`;
    out += `${swatch}<text x="${x + 20}" y="${y + 4}">${escapeHtml(item.label)}</text>`;
    x += 38 + item.label.length * 6.3;
  }
  return `${out}</g>`;
}

function yAxis(
  left: number,
  right: number,
  y: (v: number) => number,
  ticks: number[],
  label: string | undefined,
) {
  let out = `<g class="axis">`;
  // A scale of whole steps (0, 5, 10, 15) reads as integers; a 0..1 scale keeps its decimals.
  const whole = ticks.length > 1 && ticks.every(Number.isInteger) && ticks[1]! - ticks[0]! >= 1;
  for (const t of ticks) {
    out += `<line class="grid" x1="${left}" x2="${right}" y1="${n2(y(t))}" y2="${n2(y(t))}"/>`;
    out += `<text x="${left - 6}" y="${n2(y(t) + 4)}" text-anchor="end">${whole && Math.abs(t) < 1000 ? t : tickText(t)}</text>`;
  }
  if (label) {
    const mid = (y(ticks[0]!) + y(ticks[ticks.length - 1]!)) / 2;
    out += `<text class="axis-label" transform="translate(12 ${n2(mid)}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text>`;
  }
  return `${out}</g>`;
}

function tickText(t: number): string {
  const a = Math.abs(t);
  // Past 1,000 and below 0.01 the two-decimal form would read 12000.00 or 0.00.
  if (a >= 1000 || (a > 0 && a < 0.01)) return Number(t.toPrecision(3)).toExponential().replace("e+", "e");
  if (a >= 10) return String(Math.round(t * 10) / 10);
  const s = t.toFixed(2);
  return s.endsWith("0") ? t.toFixed(1) : s;
}

function refLineSvg(
  ref: ReferenceLine | undefined,
  left: number,
  right: number,
  y: (v: number) => number,
  lo: number,
  hi: number,
) {
  if (!ref || ref.value < lo || ref.value > hi) return "";
  const yy = n2(y(ref.value));
  const label = ref.label
    ? `<text class="ref-label" x="${right - 2}" y="${n2(y(ref.value) - 4)}" text-anchor="end">${escapeHtml(ref.label)}</text>`
    : "";
  return `<line class="ref" x1="${left}" x2="${right}" y1="${yy}" y2="${yy}"/>${label}`;
}

/**
 * Bars on a 0..1 scale: bar height is exactly proportional to the value. Groups are as wide as
 * their bars, so a group with more bars (maj@1 and maj@k per split) takes more room.
 */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 1040;
  const height = spec.height ?? 380;
  const margin = { left: 52, right: 16, top: 40, bottom: 60 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const groupGap = 1.6;
  const units = spec.groups.reduce(
    (sum, g) => sum + groupGap + g.bars.reduce((s, b) => s + 1 + (b.gapBefore ?? 0), 0),
    0,
  );
  const barW = units > 0 ? plotW / units : 0;
  const yMax = spec.yMax !== undefined && spec.yMax > 0 ? spec.yMax : 1;
  const clampY = (v: number) => Math.min(yMax, Math.max(0, v));
  const y = (v: number) => margin.top + plotH * (1 - v / yMax);
  const base = y(0);

  const colors = new Set(spec.groups.flatMap((g) => g.bars.filter((b) => b.hatched).map((b) => b.color)));
  for (const l of spec.legend) if (l.hatched) colors.add(l.color);
  let out = svgOpen(spec.id, width, height, spec.title, spec.description, "bars");
  out += `<defs>${[...colors].map((c) => hatchPattern(spec.id, c)).join("")}</defs>`;
  out += yAxis(
    margin.left,
    width - margin.right,
    y,
    yMax === 1 ? [0, 0.2, 0.4, 0.6, 0.8, 1] : niceTicks(0, yMax),
    spec.yLabel,
  );

  let x = margin.left + (groupGap / 2) * barW;
  for (const g of spec.groups) {
    const start = x;
    let bars = "";
    for (const b of g.bars) {
      x += (b.gapBefore ?? 0) * barW;
      if (Number.isFinite(b.value)) {
        const v = clampY(b.value);
        bars +=
          `<rect class="bar" x="${n2(x + barW * 0.06)}" y="${n2(y(v))}" width="${n2(barW * 0.88)}" height="${n2(base - y(v))}" ` +
          `fill="${fillOf(spec.id, b.color, b.hatched)}" stroke="${escapeHtml(b.color)}"${attrs(b.data)}><title>${escapeHtml(b.title)}</title></rect>`;
        if (b.ci?.every(Number.isFinite)) {
          const cx = n2(x + barW / 2);
          const [lo, hi] = [y(clampY(b.ci[0])), y(clampY(b.ci[1]))];
          const cap = barW * 0.22;
          bars +=
            `<path class="whisker" d="M${cx} ${n2(lo)}V${n2(hi)}M${n2(x + barW / 2 - cap)} ${n2(lo)}h${n2(2 * cap)}` +
            `M${n2(x + barW / 2 - cap)} ${n2(hi)}h${n2(2 * cap)}"/>`;
        }
      }
      x += barW;
    }
    const mid = (start + x) / 2;
    // About 6.4 px per character at 11 px; a label may use its group's gap too.
    const maxChars = Math.max(6, Math.floor((x - start + groupGap * barW) / 6.4));
    const label = wrapLabel(g.label, maxChars)
      .map(
        (line, i) => `<tspan x="${n2(mid)}" dy="${i === 0 ? 0 : fontSize + 2}">${escapeHtml(line)}</tspan>`,
      )
      .join("");
    out += `<g class="group">${bars}<text class="group-label" x="${n2(mid)}" y="${n2(base + 16)}" text-anchor="middle">${label}</text></g>`;
    x += groupGap * barW;
  }
  out += `<line class="baseline" x1="${margin.left}" x2="${width - margin.right}" y1="${n2(base)}" y2="${n2(base)}"/>`;
  out += refLineSvg(spec.refLine, margin.left, width - margin.right, y, 0, yMax);
  out += legendRow(spec.id, spec.legend, margin.left, 16);
  return `${out}</svg>`;
}

export interface LinePoint {
  x: number;
  y: number;
  title: string;
}

export interface LineSeries {
  label: string;
  color: string;
  dash?: string;
  points: LinePoint[];
  data?: Record<string, string>;
}

export interface LineChartSpec {
  id: string;
  title: string;
  description: string;
  xValues: number[];
  yDomain: [number, number];
  series: LineSeries[];
  refLine?: ReferenceLine;
  xLabel?: string;
  /** Where x ticks go. Defaults to every x value while they fit, then powers of two and the last. */
  xTicks?: number[];
  /** A dot on every point. Defaults to true; long training curves leave them off. */
  markers?: boolean;
  width?: number;
  height?: number;
}

/**
 * The tick step of a span: at most about six ticks, on 1, 2, 2.5 or 5 times a power of ten (below
 * 1 only 0.01, 0.02, 0.05, 0.1, 0.2, 0.25 and 0.5, the steps the demo's 0..1 charts are drawn with).
 */
function niceStep(span: number): number {
  const small = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5];
  const fits = (s: number) => span / s <= 6;
  if (span <= 0.06) {
    // Spans of a few thousandths (a learning rate): the power-of-ten steps below 0.01.
    for (let p = 1e-12; p < 0.01; p *= 10) {
      const step = [p, 2 * p, 2.5 * p, 5 * p].find(fits);
      if (step !== undefined) return step;
    }
  }
  const step = small.find(fits);
  if (step !== undefined) return step;
  for (let p = 1; ; p *= 10) {
    const big = [p, 2 * p, 2.5 * p, 5 * p].find(fits);
    if (big !== undefined) return big;
  }
}

/** Nice ticks from lo to hi (see `niceStep`). */
export function niceTicks(lo: number, hi: number): number[] {
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return [lo];
  const step = niceStep(hi - lo);
  const ticks: number[] = [];
  const eps = step * 1e-6;
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + eps; i++)
    ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/**
 * A domain that holds every value and starts and ends on a tick, for charts on the data's own scale
 * (losses, rewards, learning rates). A flat series gets a band of ±10% (±0.5 around zero).
 */
export function niceDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo <= 1e-9 * Math.max(1, Math.abs(hi))) {
    const pad = hi !== 0 ? Math.abs(hi) * 0.1 : 0.5;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo);
  return [
    Number((Math.floor(lo / step + 1e-9) * step).toPrecision(12)),
    Number((Math.ceil(hi / step - 1e-9) * step).toPrecision(12)),
  ];
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 330;
  const height = spec.height ?? 230;
  const margin = { left: 44, right: 12, top: 26, bottom: 36 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const [lo, hi] = spec.yDomain;
  const xs = spec.xValues;
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const x = (v: number) =>
    xMax === xMin ? margin.left + plotW / 2 : margin.left + ((v - xMin) / (xMax - xMin)) * plotW;
  const y = (v: number) => margin.top + plotH * (1 - (Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo));
  // Every k while they fit; past that, powers of two and K, which is where the curve is read.
  const xTicks =
    spec.xTicks ?? (xs.length <= 12 ? xs : xs.filter((v, i) => (v & (v - 1)) === 0 || i === xs.length - 1));

  let out = svgOpen(spec.id, width, height, spec.title, spec.description, "lines");
  out += `<text class="chart-title" x="${margin.left}" y="14">${escapeHtml(spec.title)}</text>`;
  out += yAxis(margin.left, width - margin.right, y, niceTicks(lo, hi), undefined);
  out += `<g class="axis">`;
  for (const t of xTicks) {
    out += `<text x="${n2(x(t))}" y="${height - margin.bottom + 14}" text-anchor="middle">${spec.xTicks && !Number.isInteger(t) ? tickText(t) : t}</text>`;
  }
  if (spec.xLabel) {
    out += `<text class="axis-label" x="${n2(margin.left + plotW / 2)}" y="${height - 4}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`;
  }
  out += `</g>`;
  out += refLineSvg(spec.refLine, margin.left, width - margin.right, y, lo, hi);
  for (const s of spec.series) {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (pts.length === 0) continue;
    const color = escapeHtml(s.color);
    out += `<g class="series"${attrs(s.data)}><title>${escapeHtml(s.label)}</title>`;
    if (pts.length > 1) {
      const d = pts.map((p) => `${n2(x(p.x))},${n2(y(p.y))}`).join(" ");
      const dash = s.dash ? ` stroke-dasharray="${escapeHtml(s.dash)}"` : "";
      out += `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`;
    }
    for (const p of spec.markers === false && pts.length > 1 ? [] : pts) {
      out += `<circle cx="${n2(x(p.x))}" cy="${n2(y(p.y))}" r="3" fill="${color}"><title>${escapeHtml(p.title)}</title></circle>`;
    }
    out += `</g>`;
  }
  return `${out}</svg>`;
}

/** A legend as HTML, for charts drawn as small multiples that share one. */
export function htmlLegend(items: LegendItem[]): string {
  const li = items.map((item) => {
    const dash = item.dash ? ` stroke-dasharray="${escapeHtml(item.dash)}"` : "";
    return (
      `<li><svg width="24" height="10" aria-hidden="true"><line x1="1" y1="5" x2="23" y2="5" stroke="${escapeHtml(item.color)}" stroke-width="2.5"${dash}/></svg>` +
      `${escapeHtml(item.label)}</li>`
    );
  });
  return `<ul class="legend">${li.join("")}</ul>`;
}
