/**
 * Whether a sample's text is what its token ids decode to: the whole detokenization, or, for a
 * sample stopped by a stop string, the part before it. A stored sample that fails this (or, on an
 * engine that reports tokens, has none: written before token ids were stored) is not served.
 */
export function sampleMatchesTokens(
  sample: { text: string; tokens?: readonly number[]; stopReason: string },
  detokenize: (tokens: readonly number[]) => string,
): boolean {
  if (!sample.tokens) return false;
  const decoded = detokenize(sample.tokens);
  return sample.stopReason === "stop" ? decoded.startsWith(sample.text) : decoded === sample.text;
}
