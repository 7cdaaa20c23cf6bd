/**
 * Admission control: a bounded number of requests in the server at once. Past the bound a request is
 * refused at the door with 429 and Retry-After instead of queueing without limit (an RL trainer
 * retries; an unbounded queue only turns overload into timeouts for everyone). While the server
 * drains for shutdown, new work is refused with 503 and in-flight requests finish. The 503 closes its
 * connection (a keep-alive client would otherwise come back to a server about to go) and carries
 * Retry-After: by then a restarted server or another replica can take the request.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../HttpError.js";

/** Seconds a client refused during shutdown should wait: about what a restart takes. */
export const shutdownRetryAfterSeconds = 5;

export class AdmissionState {
  readonly maxQueue: number;
  #inFlight = 0;
  #draining = false;
  #idle: (() => void)[] = [];

  constructor(maxQueue: number) {
    this.maxQueue = maxQueue;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Stops admitting work; resolves when every admitted request has finished. */
  drain(): Promise<void> {
    this.#draining = true;
    return this.#inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  enter(): void {
    if (this.#draining) {
      throw new HttpError(503, "shutting_down", "the server is shutting down", {
        headers: { Connection: "close", "Retry-After": String(shutdownRetryAfterSeconds) },
      });
    }
    if (this.#inFlight >= this.maxQueue) {
      throw new HttpError(429, "queue_full", `the server is busy (${this.maxQueue} requests in progress)`, {
        headers: { "Retry-After": "1" },
      });
    }
    this.#inFlight++;
  }

  leave(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}

export function admission(state: AdmissionState): MiddlewareHandler {
  return async function admission(c, next) {
    state.enter();
    try {
      await next();
    } finally {
      state.leave();
    }
    // Finished during a drain: the client must not reuse the connection, so that the server can
    // close once the last response is out instead of waiting on idle keep-alive sockets.
    if (state.draining) c.header("Connection", "close");
  };
}
