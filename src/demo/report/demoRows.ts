/**
 * The row model shared by the terminal table and the HTML report, so both show the same rows, the
 * same rounding and the same "best in column" marks.
 *
 * A chain-of-thought judge (one whose split results carry `majK`) gets two rows: maj@1 (the mean
 * accuracy of one sample, `majK[0]`) and maj@k (the vote of all k samples, `accuracy`, the only one with a
 * bootstrap CI). Two rows rather than "maj@1 / maj@k" in one cell keep every cell a single number,
 * so columns stay narrow and a best mark points at exactly one value.
 */
import { formatSeconds } from "../../progress/ProgressReporter.js";
import {
  type DemoEvalSplit,
  type DemoMethodResult,
  type DemoResults,
  type DemoSplitInfo,
  demoMethodIds,
} from "../types.js";

export type DemoVote = "single" | "maj@1" | "maj@k";

export interface DemoCell {
  accuracy: number;
  /** Bootstrap 95% interval; null for maj@1 (the results carry an interval only for the final vote). */
  ci: [number, number] | null;
}

export interface DemoRow {
  method: DemoMethodResult;
  vote: DemoVote;
  /** "" for single-verdict judges, else "maj@1" / "maj@8". */
  voteLabel: string;
  /** First row of its method (the one that carries name, family and reasoning). */
  first: boolean;
  /** Rows this method spans (2 for CoT judges with k > 1). */
  span: number;
  /** By split name; null where the split has no finite result. */
  cells: Record<string, DemoCell | null>;
  /** Mean over the OOD splits; null when any OOD split is missing or there is none. */
  oodMean: number | null;
}

const shortSplitLabels: Record<DemoEvalSplit, string> = {
  test: "ID",
  "ood-length": "OOD-length",
  "ood-mixed": "OOD-mixed",
};

/** Column heading of a split: "ID", "OOD-length", "OOD-mixed" (unknown names as they are). */
export function splitLabel(name: string): string {
  return (shortSplitLabels as Record<string, string>)[name] ?? name;
}

const familyLabels: Record<DemoMethodResult["family"], string> = {
  "zero-shot": "zero-shot",
  "verdict-only": "verdict-only",
  star: "STaR",
};

export function familyLabel(family: string): string {
  return (familyLabels as Record<string, string>)[family] ?? family;
}

/** Accuracies and rates: three decimals; "—" for anything not a finite number. */
/** "45s", "12m05s", "1h02m". Rounded first: formatSeconds would print 59.6 s past a minute as "60s". */
export function fmtDuration(seconds: number): string {
  return Number.isFinite(seconds) ? formatSeconds(Math.round(seconds)) : "—";
}

/** Methods in the paper's Figure 2 order; ids the demo does not know yet go last, in file order. */
export function orderedMethods(results: DemoResults): DemoMethodResult[] {
  const known = new Set<string>(demoMethodIds);
  return [
    ...demoMethodIds.flatMap((id) => results.methods.filter((m) => m.id === id)),
    ...results.methods.filter((m) => !known.has(m.id)),
  ];
}

function splitResult(m: DemoMethodResult, split: string) {
  const r = (m.results as Record<string, DemoMethodResult["results"][DemoEvalSplit] | undefined>)?.[split];
  return r && typeof r.accuracy === "number" && Number.isFinite(r.accuracy) ? r : null;
}

/** maj@j accuracies of a split, j = 1..K; empty for judges without votes. */
export function majKCurve(m: DemoMethodResult, split: string): number[] {
  const majK = splitResult(m, split)?.majK;
  return Array.isArray(majK) ? majK.filter((x) => Number.isFinite(x)) : [];
}

/** Largest K over the method's splits: 0 for single-verdict judges. */
export function methodMaxK(m: DemoMethodResult): number {
  return Math.max(0, ...Object.keys(m.results ?? {}).map((s) => majKCurve(m, s).length));
}

export function isCot(m: DemoMethodResult): boolean {
  return methodMaxK(m) > 0;
}

function oodSplits(splits: DemoSplitInfo[]): DemoSplitInfo[] {
  return splits.filter((s) => s.ood);
}

function mean(values: (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}

/** Mean of maj@j over the OOD splits, j = 1..K, as far as every OOD split has that j. */
export function oodMeanMajKCurve(m: DemoMethodResult, splits: DemoSplitInfo[]): number[] {
  const curves = oodSplits(splits).map((s) => majKCurve(m, s.name));
  if (curves.length === 0) return [];
  const len = Math.min(...curves.map((c) => c.length));
  return Array.from({ length: len }, (_, j) => mean(curves.map((c) => c[j]!))!);
}

export function demoRows(results: DemoResults): DemoRow[] {
  const splits = results.splits;
  const rows: DemoRow[] = [];
  for (const m of orderedMethods(results)) {
    const maxK = methodMaxK(m);
    const k = m.k ?? maxK;
    const full = (s: string): DemoCell | null => {
      const r = splitResult(m, s);
      return r ? { accuracy: r.accuracy, ci: validCi(r.ci) } : null;
    };
    const first = (s: string): DemoCell | null => {
      const v = majKCurve(m, s)[0];
      return v === undefined ? null : { accuracy: v, ci: null };
    };
    const variants: { vote: DemoVote; voteLabel: string; cell: (s: string) => DemoCell | null }[] =
      maxK === 0
        ? [{ vote: "single", voteLabel: "", cell: full }]
        : k <= 1
          ? [{ vote: "maj@k", voteLabel: "maj@1", cell: full }]
          : [
              { vote: "maj@1", voteLabel: "maj@1", cell: first },
              { vote: "maj@k", voteLabel: `maj@${k}`, cell: full },
            ];
    variants.forEach((v, i) => {
      const cells = Object.fromEntries(splits.map((s) => [s.name, v.cell(s.name)]));
      const ood = oodSplits(splits).map((s) => cells[s.name]?.accuracy ?? null);
      rows.push({
        method: m,
        vote: v.vote,
        voteLabel: v.voteLabel,
        first: i === 0,
        span: variants.length,
        cells,
        oodMean: mean(ood),
      });
    });
  }
  return rows;
}

function validCi(ci: unknown): [number, number] | null {
  return Array.isArray(ci) && ci.length === 2 && ci.every((x) => typeof x === "number" && Number.isFinite(x))
    ? (ci as [number, number])
    : null;
}

/** The "longer answer wins" reference per split and its OOD mean: what the surface cue alone scores. */
export function lengthJudgeRow(splits: DemoSplitInfo[]): {
  cells: Record<string, number | null>;
  oodMean: number | null;
} {
  const value = (s: DemoSplitInfo) => (Number.isFinite(s.lengthJudgeAccuracy) ? s.lengthJudgeAccuracy : null);
  return {
    cells: Object.fromEntries(splits.map((s) => [s.name, value(s)])),
    oodMean: mean(oodSplits(splits).map(value)),
  };
}

export interface DemoBest {
  /** Best displayed value per split (rounded to 3 decimals), null where no row has one. */
  splits: Record<string, number | null>;
  oodMean: number | null;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Best value per column, compared as displayed (3 decimals) so that two values that print the same
 * are both marked. maj@1 rows compete too: the column asks which number is highest, not which judge.
 */
export function bestValues(rows: DemoRow[], splits: DemoSplitInfo[]): DemoBest {
  const best = (values: (number | null | undefined)[]) => {
    const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    return finite.length === 0 ? null : Math.max(...finite.map(round3));
  };
  return {
    splits: Object.fromEntries(splits.map((s) => [s.name, best(rows.map((r) => r.cells[s.name]?.accuracy))])),
    oodMean: best(rows.map((r) => r.oodMean)),
  };
}

export function isBest(value: number | null | undefined, best: number | null): boolean {
  return typeof value === "number" && Number.isFinite(value) && best !== null && round3(value) === best;
}

/** The k columns of a maj@k table: powers of two below K, then K itself (1, 2, 4, 8 for K = 8; 1, 2, 4, 6 for K = 6). */
export function majKColumns(maxK: number): number[] {
  if (!(maxK >= 1)) return [];
  const ks: number[] = [];
  for (let k = 1; k < maxK; k *= 2) ks.push(k);
  ks.push(maxK);
  return ks;
}
