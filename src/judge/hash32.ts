/**
 * Unsigned 32-bit hash of a tuple of values. Orders and sample seeds are derived from it rather
 * than from a running RNG, so they depend only on (seed, pair, …): never on concurrency, input order
 * or which pairs were skipped or resumed.
 */
import { createHash } from "node:crypto";

export function hash32(...parts: readonly (string | number)[]): number {
  // The unit separator cannot appear in a decimal number and makes ("a","bc") differ from ("ab","c").
  const digest = createHash("sha256").update(parts.map(String).join("\u001f")).digest();
  return digest.readUInt32BE(0);
}
