/**
 * The one queue between every HTTP request and the engine. Requests from many clients become
 * judgments here; at most `concurrency` run at once, so the embedded engine's parallel sequences
 * stay full (concurrent judgments are decoded in the same llama.cpp batches) without piling more
 * work onto it than it has slots for. Waiting judgments are served first come, first served.
 *
 * A waiting judgment whose request was aborted (timeout, client gone) leaves the queue at once and
 * never reaches the engine; a running one gets the abort through the judge's signal.
 */
import { AbortedError } from "../errors.js";
import type { Judge, Judgment } from "../judge/types.js";

interface Waiting {
  start: () => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export interface JudgeSchedulerOptions {
  /** Judgments in flight to the engine. Defaults to 8 (the embedded engine's parallel sequences). */
  concurrency?: number;
  /** Called with every finished judgment (metrics). */
  onJudgment?: (judgment: Judgment) => void;
}

export class JudgeScheduler {
  /** The scheduled judge: same interface, but every call waits for a slot. */
  readonly judge: Judge;
  readonly concurrency: number;
  #running = 0;
  #waiting: Waiting[] = [];

  constructor(inner: Judge, options: JudgeSchedulerOptions = {}) {
    const { concurrency = 8, onJudgment } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.concurrency = concurrency;
    this.judge = {
      info: inner.info,
      judge: (pair, { signal } = {}) =>
        this.schedule(async () => {
          const judgment = await inner.judge(pair, { signal });
          onJudgment?.(judgment);
          return judgment;
        }, signal),
    };
  }

  /** Runs `task` once a slot is free (any engine work: a rating judge's calls share the slots). */
  async schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    if (this.#running < this.concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = { start: resolve, reject, signal };
      if (signal) {
        entry.onAbort = () => {
          const i = this.#waiting.indexOf(entry);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(new AbortedError(signal.reason));
        };
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      this.#waiting.push(entry);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (!next) {
      this.#running--;
      return;
    }
    // The slot passes straight to the next judgment; `running` is unchanged.
    if (next.signal && next.onAbort) next.signal.removeEventListener("abort", next.onAbort);
    next.start();
  }
}
