/**
 * Drives every decoding sequence of a context one token per step, in lockstep: each step starts all
 * participants' next token in the same macrotask, so node-llama-cpp puts them in one llama.cpp batch
 * (one pass over the weights for all of them) and the batches a workload produces do not depend on
 * how long each sequence's sampler happened to take.
 *
 * With node-llama-cpp's own scheduling each sequence queues its next token when its sampler
 * finishes, and the batch is dispatched on the next event-loop turn; a sequence whose sampler was
 * slower misses it and costs a second, nearly empty pass.
 *
 * Rows are queued in sequence order because llama.cpp (one KV stream per sequence) cuts a batch into
 * micro-batches of consecutive sequence ids, in batch order, and a row that ends up alone in its
 * micro-batch is computed with different rounding (one-row kernels) than a row with company
 * (measured with node-llama-cpp 3.21.1: up to 0.3% relative in probabilities on F16 models, none
 * between any two micro-batches of two or more rows). Fixed order makes the micro-batches, and so
 * the samples, a function of the workload; it cannot make a lone sample decode like one with company.
 *
 * A participant wraps node-llama-cpp's `evaluate` generator: one `next()` evaluates the previous
 * token and samples the next one.
 *
 * Prompt prefills run as exclusive steps (`exclusive`): alone in their batch, never beside decoding
 * rows. In a shared batch llama.cpp's `split_equal` gives a prefill one token per micro-batch next to
 * its neighbours' decode rows and the rest in micro-batches of its own, whose sizes (sometimes one
 * row) depend on who else was decoding; alone, a prefill's micro-batches depend on its tokens only.
 */

interface Participant {
  /** Rows are queued in this order (see the header). */
  order: number;
  step: () => Promise<boolean>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Exclusive {
  run: () => Promise<void>;
}

export class LockstepDecoder {
  readonly #active: Participant[] = [];
  readonly #exclusive: Exclusive[] = [];
  #running = false;
  /** Steps run, rows decoded in them, and wall time spent in steps. */
  steps = 0;
  rows = 0;
  stepMs = 0;

  /**
   * Adds a participant, queued at each step by `order` (its sequence's index). `step` must call `next()` on its generator before its first await (so the
   * row is queued with the others) and resolve to whether it wants another step. Resolves when the
   * participant is done; rejects with the error its step threw.
   */
  run(order: number, step: () => Promise<boolean>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#active.push({ order, step, resolve, reject });
      this.#active.sort((a, b) => a.order - b.order);
      if (!this.#running) void this.#loop();
    });
  }

  /**
   * Runs `fn` between steps, with no decode step in flight and none started until it settles;
   * exclusive work runs one at a time, in the order it was asked for.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#exclusive.push({ run: () => fn().then(resolve, reject) });
      if (!this.#running) void this.#loop();
    });
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      while (this.#active.length > 0 || this.#exclusive.length > 0) {
        // A fresh macrotask: every next() below queues its row before node-llama-cpp dispatches.
        await new Promise<void>((r) => setImmediate(r));
        const exclusive = this.#exclusive.shift();
        if (exclusive) {
          await exclusive.run();
          continue;
        }
        if (this.#active.length === 0) continue;
        const group = [...this.#active];
        const started = performance.now();
        const results = await Promise.allSettled(group.map((p) => p.step()));
        this.stepMs += performance.now() - started;
        this.steps++;
        this.rows += group.length;
        group.forEach((p, i) => {
          const r = results[i]!;
          if (r.status === "fulfilled" && r.value === true) return;
          this.#active.splice(this.#active.indexOf(p), 1);
          if (r.status === "fulfilled") p.resolve();
          else p.reject(r.reason);
        });
      }
    } finally {
      this.#running = false;
    }
  }
}
