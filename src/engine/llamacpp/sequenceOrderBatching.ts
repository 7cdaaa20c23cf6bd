/**
 * Every llama.cpp batch of the embedded engine holds its rows in ascending sequence index.
 *
 * Why this is a correctness fix, not a tidy-up (node-llama-cpp 3.21.1, llama.cpp 80fb11a):
 * - With one KV stream per sequence, llama.cpp cuts a batch into micro-batches of consecutive
 *   sequence ids (`llama_batch_allocr::split_equal(..., sequential = true)`), taking each run in the
 *   order its first row appears. Rows queued as [seq 1, seq 3, seq 2] become micro-batches {1, 2}
 *   and {3}, so the logits come out in the order 1, 2, 3 instead of the batch's 1, 3, 2.
 * - llama.cpp then records swaps and applies them lazily, in place, on the first logits read
 *   (`llama_context::output_reorder`, called by every `llama_get_logits_ith`). That is not
 *   thread-safe.
 * - node-llama-cpp samples every row of a finished batch at once, one libuv worker per row, and
 *   each worker reads its logits through `llama_get_logits_ith`. Two workers run the swaps at the
 *   same time and a sampler reads a row mid-swap: another sequence's logits. The sample then
 *   continues with a token from another sequence or position (`…A says 20. B says 22. Neither is
 *   right; A is more detailed2+2=20. …`), about 1 sample in 100 when prompts are prefilled while
 *   others decode (measured on the mini world's base model), none with UV_THREADPOOL_SIZE=1.
 * Rows arrive in node-llama-cpp's queue in the order their evaluation reached it, which depends on
 * how many awaits each generator took, so the order has to be imposed where the batch is built:
 * node-llama-cpp's batch prioritization strategy. Its items carry no sequence id, so each
 * evaluation passes its sequence index as `evaluationPriority` (`rowKey`), and this strategy sorts
 * by it. A sorted batch has its outputs in batch order: no swaps, nothing to race on.
 *
 * The same ordering makes a batch's micro-batches a function of which sequences take part, not of
 * arrival order (see LockstepDecoder).
 */
import type { BatchItem, EvaluationPriority, PrioritizedBatchItem } from "node-llama-cpp";

/** The `evaluationPriority` every evaluation on sequence `index` passes (see the header). */
export function rowKey(index: number): EvaluationPriority {
  // node-llama-cpp types priorities as 1..5 but passes the number through untouched; only our
  // strategy below reads it.
  return (index + 1) as EvaluationPriority;
}

/** Rows in ascending sequence index; each takes all its tokens while the batch has room. */
export function sequenceOrderStrategy({
  items,
  size,
}: {
  items: readonly BatchItem[];
  size: number;
}): PrioritizedBatchItem[] {
  const ordered = [...items].sort((a, b) => a.evaluationPriority - b.evaluationPriority);
  const batch: PrioritizedBatchItem[] = [];
  let room = size;
  for (const item of ordered) {
    if (room <= 0) break;
    const processAmount = Math.min(item.tokens.length, room);
    batch.push({ item, processAmount });
    room -= processAmount;
  }
  return batch;
}
