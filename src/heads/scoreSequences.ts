/**
 * Scalar-head read-outs of token sequences: one decoder forward over a right-padded batch, the head
 * at each sequence's last real token, exactly as the trainer's BT / PairRM objectives read it
 * (`collate`, `forwardHidden`, `lastTokenRows`), under noGrad.
 *
 * `createSequenceScorer` groups the sequences of concurrent judge calls into batches: a judge
 * call queues its sequences and awaits; the queue is flushed on the next macrotask, so the pairs
 * `judgeAll` keeps in flight share forwards instead of each running alone. Where a batch runs is
 * the caller's choice: in this thread (`scoreSequences` on a loaded model) or on a worker thread
 * (`openWorkerScorer`), which keeps the event loop free during long forwards.
 */
import { DisposedError } from "../errors.js";
import type { CausalLM } from "../model/llama/CausalLM.js";
import { lastTokenRows, type ScalarHead } from "../model/llama/ScalarHead.js";
import { noGrad } from "../tensor/index.js";
import { collate } from "../train/batch.js";

/** Head value at the last token of each sequence, one decoder forward for all of them. */
export function scoreSequences(model: CausalLM, head: ScalarHead, seqs: readonly Int32Array[]): Float32Array {
  if (seqs.length === 0) return new Float32Array(0);
  return noGrad(() => {
    const batch = collate(seqs.map((tokens) => ({ tokens, completionStart: tokens.length })));
    const hidden = model.forwardHidden(batch.tokens, {
      batch: batch.batch,
      seqLen: batch.seqLen,
      lengths: batch.lengths,
    }); // (B·T, C)
    return Float32Array.from(head.forward(hidden, lastTokenRows(batch.lengths, batch.seqLen)).data); // (B)
  });
}

export interface SequenceScorer {
  /** Head values of `seqs`, in order, computed with whatever else is queued. */
  score(seqs: readonly Int32Array[]): Promise<number[]>;
  /** Rejects what is queued and every later call. */
  close(): void;
}

interface Pending {
  tokens: Int32Array;
  resolve: (value: number) => void;
  reject: (error: unknown) => void;
}

/** Scores one batch: in this thread, or on a worker. */
export type ScoreBatch = (seqs: Int32Array[]) => Float32Array | Promise<Float32Array>;

/** `scoreSequences` on a model loaded in this thread, as a `ScoreBatch`. */
export function inThreadBatch(model: CausalLM, head: ScalarHead): ScoreBatch {
  return (seqs) => scoreSequences(model, head, seqs);
}

export function createSequenceScorer(
  runBatch: ScoreBatch,
  options: { batchSize: number; name: string; onClose?: () => void },
): SequenceScorer {
  const { batchSize, name } = options;
  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;

  const flush = async () => {
    scheduled = false;
    const taken = queue;
    queue = [];
    // Similar lengths together: a batch is as long as its longest sequence.
    taken.sort((x, y) => x.tokens.length - y.tokens.length);
    for (let i = 0; i < taken.length; i += batchSize) {
      const chunk = taken.slice(i, i + batchSize);
      try {
        const values = await runBatch(chunk.map((p) => p.tokens));
        for (const [j, p] of chunk.entries()) p.resolve(values[j]!);
      } catch (error) {
        for (const p of chunk) p.reject(error);
      }
    }
  };

  return {
    score(seqs) {
      if (closed) return Promise.reject(new DisposedError(name));
      const out = Promise.all(
        seqs.map(
          (tokens) =>
            new Promise<number>((resolve, reject) => {
              queue.push({ tokens, resolve, reject });
            }),
        ),
      );
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
      return out;
    },
    close() {
      closed = true;
      const taken = queue;
      queue = [];
      for (const p of taken) p.reject(new DisposedError(name));
      options.onClose?.();
    },
  };
}
