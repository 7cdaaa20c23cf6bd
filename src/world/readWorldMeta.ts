/** The hidden facts of a world pair, or an error naming the pair when it is not one. */
import type { PreferencePair } from "../data/types.js";
import { InputError } from "../errors.js";
import type { WorldPairMeta } from "./types.js";

export function readWorldMeta(pair: PreferencePair): WorldPairMeta {
  const meta = pair.meta as Partial<WorldPairMeta> | undefined;
  if (meta?.world !== 1) {
    throw new InputError(`pair ${pair.id} is not a mini-world pair`, {
      field: "meta.world",
      expected: "1 (pairs made by generateWorld)",
      got: String(meta?.world),
    });
  }
  return meta as WorldPairMeta;
}
