/**
 * Both-order symmetrisation (paper-spec §1.13): p_sym = ½[p(AB) + p(BA, display undone)]. Each
 * order's pA is already about the pair's own responses, so the combination is their mean; the
 * verdict follows p_sym, which cancels a judge's slot preference instead of averaging it in.
 */
import { breakTie, defaultErrorPolicy, defaultTiePolicy } from "./majorityVote.js";
import type { ErrorPolicy, PairVerdict, TiePolicy } from "./types.js";

export interface OrderResult {
  verdict: PairVerdict;
  pA: number | null;
}

export interface CombineOrdersOptions {
  /** Defaults to "half". */
  tiePolicy?: TiePolicy;
  /**
   * "ignore": an order with no valid vote is left out (the other order decides). Otherwise an
   * order whose verdict is "error" makes the combined verdict "error". Defaults to "ignore".
   */
  errorPolicy?: ErrorPolicy;
  /** See `MajorityVoteOptions.tieBreakPA`. */
  tieBreakPA?: number;
}

export function combineOrders(
  orders: readonly OrderResult[],
  options: CombineOrdersOptions = {},
): OrderResult {
  const { tiePolicy = defaultTiePolicy, errorPolicy = defaultErrorPolicy, tieBreakPA } = options;
  const known = orders.map((o) => o.pA).filter((p): p is number => p !== null);
  const pA = known.length === 0 ? null : known.reduce((s, p) => s + p, 0) / known.length;
  if (pA === null) return { verdict: "error", pA };
  if (errorPolicy !== "ignore" && orders.some((o) => o.verdict === "error")) return { verdict: "error", pA };
  if (pA > 0.5) return { verdict: "A", pA };
  if (pA < 0.5) return { verdict: "B", pA };
  return { verdict: breakTie(tiePolicy, tieBreakPA), pA };
}
