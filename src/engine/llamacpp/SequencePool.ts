/**
 * A fixed set of sequences ("slots") of one node-llama-cpp context, shared by every request of an
 * engine. Each unit of work (one sample, one probability read-out) waits in one FIFO queue, then
 * runs alone on one slot; node-llama-cpp evaluates the tokens that all busy slots queue in the same
 * event-loop cycle as one llama.cpp batch, which is where parallel decoding comes from.
 *
 * Slot choice keeps prefix reuse cheap: a job goes to the free slot whose KV cache already holds the
 * longest prefix of its prompt (a sequence keeps its tokens after a job ends), so repeated prompts,
 * shared system prompts and the two orders of a pair start from what is already evaluated.
 *
 * Contract: a job's function owns its slot until it settles; jobs never share a slot. Queued jobs
 * leave the queue on abort (AbortedError) or on `close()` (DisposedError).
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { AbortedError, DisposedError } from "../../errors.js";

export interface Slot {
  readonly index: number;
  readonly sequence: LlamaContextSequence;
  /** llama.cpp's id of `sequence`: its place in every batch (sequenceOrderBatching). */
  readonly sequenceId: number;
  /**
   * The sequence right after `sequence` (id + 1), which decodes a filler row beside each of this
   * slot's rows so that no row is ever alone in its micro-batch; absent when batch invariance is off.
   */
  readonly companion?: LlamaContextSequence;
}

interface QueuedJob {
  prompt: readonly Token[];
  start: (slot: Slot) => void;
  fail: (error: unknown) => void;
}

export class SequencePool {
  readonly #slots: Slot[];
  readonly #free = new Set<number>();
  readonly #queue: QueuedJob[] = [];
  #closed = false;
  readonly #running = new Set<Promise<unknown>>();

  constructor(slots: Omit<Slot, "index">[]) {
    this.#slots = slots.map((slot, index) => ({ index, ...slot }));
    for (const slot of this.#slots) this.#free.add(slot.index);
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Runs `fn` on a slot once one is free; the slot returns to the pool when `fn` settles. */
  run<T>(
    prompt: readonly Token[],
    signal: AbortSignal | undefined,
    fn: (slot: Slot) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new DisposedError("llama.cpp engine"));
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#queue.indexOf(job);
        if (i >= 0) {
          this.#queue.splice(i, 1);
          reject(new AbortedError(signal?.reason));
        }
      };
      const job: QueuedJob = {
        prompt,
        start: (slot) => {
          signal?.removeEventListener("abort", onAbort);
          const work = (async () => fn(slot))();
          this.#running.add(work);
          work.then(resolve, reject).finally(() => {
            this.#running.delete(work);
            this.#release(slot);
          });
        },
        fail: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /** Rejects queued jobs and waits for running ones to settle. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.fail(new DisposedError("llama.cpp engine"));
    await Promise.allSettled([...this.#running]);
  }

  #release(slot: Slot): void {
    this.#free.add(slot.index);
    this.#dispatch();
  }

  #dispatch(): void {
    while (!this.#closed && this.#free.size > 0 && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      const slot = this.#bestSlot(job.prompt);
      this.#free.delete(slot.index);
      job.start(slot);
    }
  }

  /**
   * The free slot holding the longest prefix of `prompt`; among equals the lowest index, so the same
   * workload lands on the same sequences (llama.cpp's numerics depend on which sequences share a
   * micro-batch; see LockstepDecoder).
   */
  #bestSlot(prompt: readonly Token[]): Slot {
    let best: Slot | undefined;
    let bestShared = -1;
    for (const slot of this.#slots) {
      if (!this.#free.has(slot.index)) continue;
      const shared = commonPrefixLength(slot.sequence.contextTokens, prompt);
      if (shared > bestShared) {
        best = slot;
        bestShared = shared;
      }
    }
    return best!;
  }
}

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
