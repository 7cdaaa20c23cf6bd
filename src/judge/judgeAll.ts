/**
 * Judges a stream of pairs with bounded concurrency and yields each Judgment as soon as it is
 * done (completion order, not input order), so a writer can append it at once and an interrupted
 * run loses at most the judgments in flight. Pairs are pulled lazily: a huge file is never held
 * in memory.
 */
import type { PreferencePair } from "../data/types.js";
import type { Judge, Judgment } from "./types.js";

export interface JudgeAllOptions {
  /** Pairs judged at once; engines batch concurrent requests. Defaults to 4. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after each judgment; `total` is passed through when the caller knows it. */
  onProgress?: (progress: { done: number; total?: number }) => void;
  /** Number of pairs, for progress only. Defaults to unknown. */
  total?: number;
}

export const defaultJudgeAllOptions = { concurrency: 4 } satisfies JudgeAllOptions;

export async function* judgeAll(
  judge: Judge,
  pairs: Iterable<PreferencePair> | AsyncIterable<PreferencePair>,
  options: JudgeAllOptions = {},
): AsyncGenerator<Judgment> {
  const { concurrency = defaultJudgeAllOptions.concurrency, signal, onProgress, total } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`judgeAll: concurrency must be a positive integer, got ${concurrency}`);
  }
  const source =
    Symbol.asyncIterator in pairs
      ? pairs[Symbol.asyncIterator]()
      : (pairs as Iterable<PreferencePair>)[Symbol.iterator]();
  const running = new Map<number, Promise<{ slot: number; judgment: Judgment }>>();
  let nextSlot = 0;
  let exhausted = false;
  let done = 0;

  const fill = async () => {
    while (!exhausted && running.size < concurrency) {
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const slot = nextSlot++;
      const task = judge.judge(next.value, { signal }).then((judgment) => ({ slot, judgment }));
      // Only the first rejection is surfaced (through Promise.race); keep the others from being unhandled.
      task.catch(() => {});
      running.set(slot, task);
    }
  };

  try {
    await fill();
    while (running.size > 0) {
      const { slot, judgment } = await Promise.race(running.values());
      running.delete(slot);
      done++;
      onProgress?.({ done, total });
      yield judgment;
      await fill();
    }
  } finally {
    await source.return?.();
  }
}
