/**
 * Makes pair ids unique within one load. A repeated id on the same content (subset, prompt, both
 * responses) is the same pair read again, e.g. Auto-J's identical records with different labels:
 * the first keeps its id and later ones get `~2`, `~3`, … in reading order, so a file always loads
 * to the same ids and nothing is dropped. A repeated id on different content is two pairs claiming
 * one name (a bad export, a careless merge); that is a `duplicate-id` record naming both places.
 */
import type { PairId } from "../types.js";
import { InvalidRecordError, SKIP_HINT } from "./InvalidRecordError.js";
import { contentHash } from "./pairId.js";
import type { PreferencePair, RecordLocation } from "./types.js";

export class UniqueIds {
  private readonly first = new Map<string, { hash: string; at: RecordLocation }>();
  private readonly taken = new Map<string, number>();
  /** Pairs that got a `~n` suffix. */
  renamed = 0;

  /** The id to give `pair`, or the error when its id already names a different pair. */
  claim(pair: PreferencePair, at: RecordLocation): PairId | InvalidRecordError {
    const hash = contentHash(pair);
    const earlier = this.first.get(pair.id);
    if (earlier === undefined) this.first.set(pair.id, { hash, at });
    else if (earlier.hash !== hash) return duplicateId(pair.id, earlier.at, at);
    const id = this.suffixed(pair.id);
    if (id !== pair.id) this.renamed++;
    return id;
  }

  private suffixed(id: PairId): PairId {
    const seen = this.taken.get(id);
    if (seen === undefined) {
      this.taken.set(id, 1);
      return id;
    }
    let n = seen + 1;
    while (this.taken.has(`${id}~${n}`)) n++;
    this.taken.set(id, n);
    this.taken.set(`${id}~${n}`, 1);
    return `${id}~${n}` as PairId;
  }
}

function duplicateId(id: string, first: RecordLocation, at: RecordLocation): InvalidRecordError {
  const where = `${first.file === at.file ? "" : `${first.file}, `}${first.unit} ${first.line}`;
  return new InvalidRecordError(
    "duplicate-id",
    `id ${JSON.stringify(id)} is already used by ${where} for a different pair`,
    { file: at.file, line: at.line, unit: at.unit, field: "id", expected: "an id no other pair has" },
    { hint: SKIP_HINT },
  );
}
