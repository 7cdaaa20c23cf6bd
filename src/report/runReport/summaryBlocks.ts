/**
 * The parts of an eval summary.json the page draws whose shape other parts of genrm define, read
 * generically so that a block added to summary.json later is drawn without a change here:
 *
 * - official benchmark scores: every `metrics` key outside the generic namespaces, grouped by its
 *   namespace (`rewardbench/chat` → block "rewardbench", row "chat"),
 * - k-sample curves: every top-level array of points with an `accuracy` and a numeric x (`majAtK`'s
 *   `k`, or samples spent),
 * - calibration: a `calibration` or `reliability` block with reliability-table bins.
 */
import type { EvalSummaryRecord } from "./readRunDir.js";

/** Namespaces of metrics that are genrm's own, not a benchmark's (docs/metrics.md). */
export const genericMetricNamespaces = new Set(["eval", "judge", "usage", "calibration", "adaptive"]);

export interface ScoreBlock {
  /** The namespace, e.g. "rewardbench". */
  name: string;
  /** Row keys in first-seen order (the summary writes them in the benchmark's order). */
  keys: string[];
}

/** The benchmark score blocks of several runs, keys merged in first-seen order. */
export function officialScoreBlocks(summaries: readonly EvalSummaryRecord[]): ScoreBlock[] {
  const blocks = new Map<string, string[]>();
  for (const s of summaries) {
    for (const key of Object.keys(s.metrics ?? {})) {
      const slash = key.indexOf("/");
      if (slash <= 0) continue;
      const ns = key.slice(0, slash);
      if (genericMetricNamespaces.has(ns)) continue;
      const keys = blocks.get(ns) ?? [];
      const row = key.slice(slash + 1);
      if (!keys.includes(row)) keys.push(row);
      blocks.set(ns, keys);
    }
  }
  return [...blocks].map(([name, keys]) => ({ name, keys }));
}

export interface CurvePoint {
  x: number;
  accuracy: number;
}

export interface SampleCurve {
  /** The summary key, e.g. "majAtK". */
  key: string;
  /** The name of the x field, e.g. "k". */
  xField: string;
  points: CurvePoint[];
}

/** Top-level arrays of `{<x>: number, accuracy: number, …}`, x being the first numeric field besides accuracy and n. */
export function sampleCurves(summary: EvalSummaryRecord): SampleCurve[] {
  const curves: SampleCurve[] = [];
  for (const [key, value] of Object.entries(summary)) {
    if (!Array.isArray(value) || value.length === 0) continue;
    const first = value[0];
    if (first === null || typeof first !== "object" || typeof first.accuracy !== "number") continue;
    const xField = Object.keys(first).find(
      (f) => f !== "accuracy" && f !== "n" && typeof (first as Record<string, unknown>)[f] === "number",
    );
    if (xField === undefined) continue;
    const points = value
      .filter((p) => typeof p?.[xField] === "number" && typeof p?.accuracy === "number")
      .map((p) => ({ x: p[xField] as number, accuracy: p.accuracy as number }));
    curves.push({ key, xField, points });
  }
  return curves;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Mean predicted probability in the bin. */
  confidence: number;
  /** Observed frequency of the predicted outcome in the bin. */
  accuracy: number;
}

export interface Calibration {
  /** Which summary key it came from. */
  key: string;
  bins: ReliabilityBin[];
  ece: number | null;
}

const pick = (o: Record<string, unknown>, names: string[]): number | undefined => {
  for (const n of names) if (typeof o[n] === "number" && Number.isFinite(o[n])) return o[n] as number;
  return undefined;
};

/**
 * A reliability table, under `calibration` or `reliability`: an array of bins under `bins`,
 * `reliability` or `table` (or one object deeper), each `{lo, hi, count, meanConfidence, accuracy}`
 * or a usual synonym (lower / upper, n, confidence / meanPredicted / meanPA, observed / frequency /
 * fractionA, the last two what genrm's `eval/calibration.ts` writes for P(A)); empty bins (no
 * mean) are left out; null when there is no such table.
 */
export function calibrationOf(summary: EvalSummaryRecord): Calibration | null {
  for (const key of ["calibration", "reliability"]) {
    const block = summary[key];
    if (block === null || typeof block !== "object") continue;
    const objects = [block, ...Object.values(block)].filter(
      (v): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v),
    );
    const tables = [
      ...(Array.isArray(block) ? [block] : []),
      ...objects.flatMap((o) => [o.bins, o.reliability, o.table].filter(Array.isArray)),
    ] as unknown[][];
    for (const table of tables) {
      const bins: ReliabilityBin[] = [];
      for (const b of table) {
        if (b === null || typeof b !== "object") continue;
        const o = b as Record<string, unknown>;
        const lo = pick(o, ["lo", "lower", "from"]);
        const hi = pick(o, ["hi", "upper", "to"]);
        const count = pick(o, ["count", "n"]);
        const confidence = pick(o, ["meanConfidence", "confidence", "meanPredicted", "meanPA", "predicted"]);
        const accuracy = pick(o, ["accuracy", "observed", "frequency", "observedRate", "fractionA"]);
        if (lo === undefined || hi === undefined || confidence === undefined || accuracy === undefined)
          continue;
        bins.push({ lo, hi, count: count ?? 0, confidence, accuracy });
      }
      if (bins.length === 0) continue;
      const ece = objects
        .map((o) => pick(o, ["ece", "expectedCalibrationError"]))
        .find((v) => v !== undefined);
      return { key, bins, ece: ece ?? null };
    }
  }
  return null;
}
