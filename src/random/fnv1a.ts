/**
 * FNV-1a (32-bit): seeds named random streams and fingerprints data. Tiny and identical on every
 * platform; not for cryptography.
 */
export const FNV1A_OFFSET_BASIS = 0x811c9dc5;

/** One FNV-1a round: `value` is folded in whole (callers pass bytes, code units or 16-bit halves). */
export function fnv1aStep(hash: number, value: number): number {
  return Math.imul(hash ^ value, 0x01000193);
}

/** FNV-1a of a string's UTF-16 code units, continuing from `hash`; unsigned. */
export function fnv1a(text: string, hash = FNV1A_OFFSET_BASIS): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = fnv1aStep(h, text.charCodeAt(i));
  return h >>> 0;
}
