/**
 * Per-request deadline. The route gets `c.var.signal`, which aborts when the deadline passes, the
 * client disconnects, or the server is force-closed; judgments waiting in the scheduler then leave
 * the queue and running ones are aborted in the engine. Past the deadline the client gets 504 at
 * once, without waiting for the work to wind down.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../HttpError.js";
import type { ServeEnv } from "../types.js";

export interface RequestDeadlineOptions {
  timeoutMs: number;
  /** Aborts every request (forced shutdown). */
  serverSignal?: AbortSignal;
}

export function requestDeadline(options: RequestDeadlineOptions): MiddlewareHandler<ServeEnv> {
  const { timeoutMs, serverSignal } = options;
  return async function requestDeadline(c, next) {
    const deadline = new AbortController();
    const signals = [deadline.signal, c.req.raw.signal, ...(serverSignal ? [serverSignal] : [])];
    c.set("signal", AbortSignal.any(signals));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new HttpError(504, "timeout", `request took longer than ${timeoutMs} ms`);
        deadline.abort(error);
        reject(error);
      }, timeoutMs);
    });
    const work = next();
    // After a 504 the route still settles (usually with an abort error); nobody awaits it then.
    work.catch(() => {});
    try {
      await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
