/**
 * Splits the seeds of one `generate` call into HTTP requests. With `samplesPerRequest` 1 every seed
 * is its own request. With `n > 1`, vLLM and llama-server sample choice j of a request with seed s
 * using seed s + j ("offset" seeding), so a run of consecutive seeds s, s+1, ..., s+n-1 can share one
 * request and still give each sample exactly what a single request with its own seed would give.
 * Seeds that do not form such runs get requests of their own. With "unknown" seeding any seeds are
 * grouped, and a sample then no longer depends only on its seed.
 */
import type { ChoiceSeeding } from "./types.js";

export interface SeedRequest {
  /** Index of the first sample (in the request's `seeds`) this request produces. */
  start: number;
  /** Number of samples (`n`). */
  count: number;
  /** The `seed` field sent. */
  seed: number;
}

/** Largest seed accepted: llama-server reads the seed as uint32 and 0xFFFFFFFF means "random". */
export const maxSeed = 0xfffffffe;

export function planSeedRequests(
  seeds: readonly number[],
  samplesPerRequest: number,
  choiceSeeding: ChoiceSeeding,
): SeedRequest[] {
  const plan: SeedRequest[] = [];
  let i = 0;
  while (i < seeds.length) {
    let count = 1;
    while (count < samplesPerRequest && i + count < seeds.length) {
      const next = seeds[i + count];
      if (choiceSeeding === "offset" && (next !== seeds[i] + count || next > maxSeed)) break;
      count += 1;
    }
    plan.push({ start: i, count, seed: seeds[i] });
    i += count;
  }
  return plan;
}
