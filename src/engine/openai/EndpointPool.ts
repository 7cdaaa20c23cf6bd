/**
 * Round-robin over several base URLs that serve the same model (data-parallel vLLM/SGLang replicas,
 * several llama-server processes). An endpoint that fails is skipped until its cool-down ends: the
 * cool-down doubles with each consecutive failure (with jitter, capped) or follows the server's
 * `Retry-After`. One success clears it. This one mechanism is both the failover between endpoints
 * and the exponential back-off of retries: with a single endpoint, the next attempt simply waits
 * for that endpoint's cool-down.
 */

export interface Endpoint {
  readonly baseUrl: string;
  /** Consecutive failures since the last success. */
  failures: number;
  /** Epoch ms before which the endpoint is skipped. */
  availableAt: number;
}

export interface EndpointPick {
  endpoint: Endpoint;
  /** How long to wait before using it (0 when some endpoint is available now). */
  waitMs: number;
}

export interface EndpointPoolOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform [0, 1) source for jitter; injectable so tests can pin it. Defaults to Math.random. */
  random?: () => number;
  now?: () => number;
}

export class EndpointPool {
  readonly endpoints: readonly Endpoint[];
  private cursor = 0;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(baseUrls: readonly string[], options: EndpointPoolOptions) {
    this.endpoints = baseUrls.map((baseUrl) => ({ baseUrl, failures: 0, availableAt: 0 }));
    this.baseDelayMs = options.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Next available endpoint in round-robin order; if all are cooling down, the one free soonest. */
  pick(): EndpointPick {
    const now = this.now();
    const n = this.endpoints.length;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      const endpoint = this.endpoints[i];
      if (endpoint.availableAt <= now) {
        this.cursor = (i + 1) % n;
        return { endpoint, waitMs: 0 };
      }
    }
    let soonest = this.endpoints[0];
    for (const endpoint of this.endpoints) if (endpoint.availableAt < soonest.availableAt) soonest = endpoint;
    return { endpoint: soonest, waitMs: soonest.availableAt - now };
  }

  reportSuccess(endpoint: Endpoint): void {
    endpoint.failures = 0;
    endpoint.availableAt = 0;
  }

  /**
   * Records a failure and returns the cool-down in ms. `retryAfterMs` (from the server) replaces the
   * computed back-off, capped at `maxDelayMs` so a server cannot park a run for hours.
   */
  reportFailure(endpoint: Endpoint, retryAfterMs?: number): number {
    endpoint.failures += 1;
    let delay: number;
    if (retryAfterMs !== undefined) {
      delay = Math.min(retryAfterMs, this.maxDelayMs);
    } else {
      const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(endpoint.failures - 1, 30));
      // "Equal jitter": at least half the delay, so retries spread out without collapsing to ~0.
      delay = exp / 2 + (exp / 2) * this.random();
    }
    // Concurrent failures on the same endpoint must not shorten a cool-down already in place.
    endpoint.availableAt = Math.max(endpoint.availableAt, this.now() + delay);
    return delay;
  }
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into ms; undefined when absent or invalid. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return undefined;
  const trimmed = raw.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
