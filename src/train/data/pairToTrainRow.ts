/**
 * A labelled preference pair as a training row: label A → 1, B → 0, tie → 0.5. Every method but
 * SFT trains on these (BT and DPO read the winner as chosen; GenRM and PairRM show both).
 */
import type { PreferencePair } from "../../data/types.js";
import type { PairwiseRow, RowRef } from "./types.js";

export function pairToTrainRow(pair: PreferencePair, ref: RowRef): PairwiseRow {
  return {
    type: "pairwise",
    id: pair.id,
    prompt: pair.prompt,
    responseA: pair.responseA,
    responseB: pair.responseB,
    label: pair.label === "A" ? 1 : pair.label === "B" ? 0 : 0.5,
    ref,
  };
}
