/**
 * Position bias (PR-4). A judge is position-consistent on a pair when, judged in both orders, it
 * picks the same response each time; its slot preference is how often a per-order verdict names
 * whichever response was shown first.
 */
import type { Judgment, Order } from "../judge/types.js";
import type { PositionConsistency } from "./types.js";

type OrderVerdict = "A" | "B" | "tie" | "none";

/** Verdict of one order about the pair's responses: majority of its samples, or its read-out. */
export function orderVerdict(judgment: Judgment, order: Order): OrderVerdict {
  const samples = judgment.samples.filter((s) => s.order === order);
  if (samples.length > 0) {
    const a = samples.filter((s) => s.verdict === "A").length;
    const b = samples.filter((s) => s.verdict === "B").length;
    return a > b ? "A" : b > a ? "B" : a + b > 0 ? "tie" : "none";
  }
  const p = judgment.probabilities?.find((x) => x.order === order);
  if (!p) return "none";
  return p.pA > 0.5 ? "A" : p.pA < 0.5 ? "B" : "tie";
}

export function positionConsistency(judgments: readonly Judgment[]): PositionConsistency {
  let bothOrderJudgments = 0;
  let decidedPairs = 0;
  let consistentPairs = 0;
  let decidedOrders = 0;
  let slotA = 0;
  for (const j of judgments) {
    const verdicts = new Map<Order, OrderVerdict>();
    for (const order of j.orders) {
      const v = orderVerdict(j, order);
      verdicts.set(order, v);
      if (v === "A" || v === "B") {
        decidedOrders++;
        const shownFirst = order === "AB" ? "A" : "B";
        if (v === shownFirst) slotA++;
      }
    }
    if (!(verdicts.has("AB") && verdicts.has("BA"))) continue;
    bothOrderJudgments++;
    const ab = verdicts.get("AB");
    const ba = verdicts.get("BA");
    if ((ab === "A" || ab === "B") && (ba === "A" || ba === "B")) {
      decidedPairs++;
      if (ab === ba) consistentPairs++;
    }
  }
  return {
    bothOrderJudgments,
    decidedPairs,
    consistentPairs,
    rate: decidedPairs === 0 ? null : consistentPairs / decidedPairs,
    decidedOrders,
    aSlotRate: decidedOrders === 0 ? null : slotA / decidedOrders,
  };
}
