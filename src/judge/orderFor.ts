/**
 * Display-order policy. "random" shows each pair in one order drawn from hash(seed, pair id), as
 * RewardBench's runner does with a coin flip (paper-comparable); "both" judges AB and BA and
 * averages them (position bias cancels, PR-4); "fixed" always uses one order.
 */
import type { PairId } from "../types.js";
import { hash32 } from "./hash32.js";
import type { Order, OrderMode } from "./types.js";

/** The seeded single order of a pair under mode "random". */
export function orderFor(pairId: PairId, seed: number): Order {
  return (hash32("genrm/order", seed, pairId) & 1) === 0 ? "AB" : "BA";
}

export interface OrdersForOptions {
  /** Defaults to "both" (`defaultOrderMode`). */
  mode?: OrderMode;
  /** Seed of mode "random". Defaults to 0. */
  seed?: number;
  /** The order of mode "fixed". Defaults to "AB". */
  fixedOrder?: Order;
}

/** Evaluation in both orders is the default: it removes position bias instead of averaging it in. */
export const defaultOrderMode: OrderMode = "both";

export function ordersFor(pairId: PairId, options: OrdersForOptions = {}): Order[] {
  const { mode = defaultOrderMode, seed = 0, fixedOrder = "AB" } = options;
  switch (mode) {
    case "random":
      return [orderFor(pairId, seed)];
    case "both":
      return ["AB", "BA"];
    case "fixed":
      return [fixedOrder];
  }
}
