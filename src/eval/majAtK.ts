/**
 * Accuracy against the number of votes (paper Fig. 5, PR-1) from one run of K samples per pair:
 * no re-sampling per k. Votes of all orders are pooled; with equal valid votes per order this
 * decides exactly as the judge's p_sym does.
 *
 * mode "first": maj@k votes with samples 0..k−1 of each order (what a run with k would have drawn,
 * since sample i's seed does not depend on k).
 * mode "expected": the exact mean of maj@k over every k-subset of each order's samples
 * (hypergeometric), i.e. the limit of averaging random subsets; an unbiased estimate of maj@k
 * from K ≥ k samples, smoother than "first".
 * A judgment that stopped early (adaptive) has fewer samples; it votes with all it has, which is
 * the decision it stopped on.
 *
 * per "order" (default): k samples from each order, so with both orders maj@k spends 2k samples.
 * per "total": k samples in all, the paper's Maj@k by samples spent: ⌈k/m⌉ from the first of m
 * orders and ⌊k/m⌋ from the other (the first k samples a run alternating orders would draw).
 */
import type { Label } from "../data/types.js";
import type { JudgeSample, Judgment } from "../judge/types.js";
import type { PairId } from "../types.js";
import { defaultScoreOptions } from "./scorePair.js";
import type { MajAtKPoint, ScoreOptions } from "./types.js";

export interface MajAtKOptions extends ScoreOptions {
  /** Largest k. Defaults to the most samples any judgment has in one order. */
  maxK?: number;
  /** Defaults to "first". */
  mode?: "first" | "expected";
  /** Whether k counts samples per order or in total. Defaults to "order". */
  per?: "order" | "total";
}

export function majAtK(
  judgments: readonly Judgment[],
  labels: ReadonlyMap<PairId, Label>,
  options: MajAtKOptions = {},
): MajAtKPoint[] {
  const {
    tieScore = defaultScoreOptions.tieScore,
    errorScore = defaultScoreOptions.errorScore,
    mode = "first",
    per = "order",
  } = options;
  const items: { label: "A" | "B"; failed: boolean; orders: JudgeSample[][] }[] = [];
  for (const j of judgments) {
    const label = labels.get(j.pairId);
    if (label === undefined || label === "tie" || j.samples.length === 0) continue;
    const byOrder = new Map<string, JudgeSample[]>();
    for (const s of j.samples) {
      const list = byOrder.get(s.order);
      if (list) list.push(s);
      else byOrder.set(s.order, [s]);
    }
    const orders = [...byOrder.values()].map((list) => list.sort((a, b) => a.index - b.index));
    items.push({ label, failed: j.errors.length > 0, orders });
  }
  const maxK =
    options.maxK ??
    Math.max(
      0,
      ...items.flatMap((item) =>
        per === "order" ? item.orders.map((o) => o.length) : [item.orders.reduce((s, o) => s + o.length, 0)],
      ),
    );
  const points: MajAtKPoint[] = [];
  for (let k = 1; k <= maxK; k++) {
    let total = 0;
    for (const item of items) {
      if (item.failed) {
        total += errorScore;
        continue;
      }
      const sizes = per === "order" ? item.orders.map(() => k) : splitTotal(k, item.orders.length);
      total +=
        mode === "first"
          ? scoreFirst(item.orders, item.label, sizes, tieScore, errorScore)
          : scoreExpected(item.orders, item.label, sizes, tieScore, errorScore);
    }
    if (items.length > 0) points.push({ k, accuracy: total / items.length, n: items.length });
  }
  return points;
}

/** k samples over m orders: ⌈k/m⌉ from the first k mod m orders, ⌊k/m⌋ from the rest. */
function splitTotal(k: number, orders: number): number[] {
  return Array.from({ length: orders }, (_, i) => Math.floor(k / orders) + (i < k % orders ? 1 : 0));
}

function scoreFirst(
  orders: JudgeSample[][],
  label: "A" | "B",
  sizes: number[],
  tieScore: number,
  errorScore: number,
) {
  let right = 0;
  let wrong = 0;
  for (const [o, samples] of orders.entries()) {
    for (const s of samples.slice(0, sizes[o])) {
      if (s.verdict === label) right++;
      else if (s.verdict !== "error") wrong++;
    }
  }
  if (right > wrong) return 1;
  if (right < wrong) return 0;
  return right + wrong > 0 ? tieScore : errorScore;
}

/**
 * Distribution of (right − wrong) over k-subsets, per order, convolved over orders. `none` is the
 * probability that no drawn sample parsed (scored as an error, not a tie).
 */
function scoreExpected(
  orders: JudgeSample[][],
  label: "A" | "B",
  sizes: number[],
  tieScore: number,
  errorScore: number,
) {
  let dist = new Map<number, number>([[0, 1]]);
  let none = 1;
  for (const [o, samples] of orders.entries()) {
    const k = sizes[o]!;
    const right = samples.filter((s) => s.verdict === label).length;
    const wrong = samples.filter((s) => s.verdict !== label && s.verdict !== "error").length;
    const errors = samples.length - right - wrong;
    const m = Math.min(k, samples.length);
    const order = new Map<number, number>();
    const logTotal = logChoose(samples.length, m);
    for (let i = 0; i <= Math.min(right, m); i++) {
      for (let j = 0; j <= Math.min(wrong, m - i); j++) {
        const l = m - i - j;
        if (l > errors) continue;
        const p = Math.exp(logChoose(right, i) + logChoose(wrong, j) + logChoose(errors, l) - logTotal);
        order.set(i - j, (order.get(i - j) ?? 0) + p);
      }
    }
    none *= m > errors ? 0 : Math.exp(logChoose(errors, m) - logTotal);
    const next = new Map<number, number>();
    for (const [d1, p1] of dist)
      for (const [d2, p2] of order) next.set(d1 + d2, (next.get(d1 + d2) ?? 0) + p1 * p2);
    dist = next;
  }
  let score = 0;
  for (const [d, p] of dist) if (d > 0) score += p;
  return score + tieScore * ((dist.get(0) ?? 0) - none) + errorScore * none;
}

const logFactorials: number[] = [0];

function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]! - logFactorials[k]! - logFactorials[n - k]!;
}
