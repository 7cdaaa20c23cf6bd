/**
 * One HTTP request with a hard time limit and an AbortSignal, on node:http(s) rather than fetch:
 * Node's fetch (undici) gives up on a response whose headers take more than 300 s, and a
 * non-streaming generation behind a long server queue can legitimately take longer. It also lets
 * the engine own its keep-alive agents and destroy them on dispose.
 *
 * Transport failures come back as `TransportError` with a kind (network | timeout | aborted) so the
 * caller decides what is retried; HTTP error statuses are returned, not thrown.
 */
import http from "node:http";
import https from "node:https";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type TransportErrorKind = "network" | "timeout" | "aborted";

export class TransportError extends Error {
  readonly kind: TransportErrorKind;
  constructor(kind: TransportErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "TransportError";
    this.kind = kind;
  }
}

export interface HttpRequestOptions {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  agents: { http: http.Agent; https: https.Agent };
  /** Responses larger than this are cut off as a network error; a chat completion is far smaller. */
  maxBodyBytes?: number;
}

const defaultMaxBodyBytes = 256 * 1024 * 1024;

export function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const { method, headers, body, timeoutMs, signal, agents, maxBodyBytes = defaultMaxBodyBytes } = options;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new TransportError("aborted", "aborted before sending", { cause: signal.reason }));
      return;
    }
    const target = new URL(url);
    const isHttps = target.protocol === "https:";
    const requestHeaders: Record<string, string> = { accept: "application/json", ...headers };
    if (body !== undefined) {
      requestHeaders["content-type"] = "application/json";
      requestHeaders["content-length"] = String(Buffer.byteLength(body));
    }
    let settled = false;
    const finish = (error: TransportError | undefined, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(response!);
    };
    const onAbort = () => finish(new TransportError("aborted", "aborted", { cause: signal?.reason }));
    const timer = setTimeout(
      () => finish(new TransportError("timeout", `no complete response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const req = (isHttps ? https : http).request(
      target,
      { method, headers: requestHeaders, agent: isHttps ? agents.https : agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) {
            finish(new TransportError("network", `response body larger than ${maxBodyBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () =>
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", (err) => finish(new TransportError("network", err.message, { cause: err })));
        // A server that dies mid-body closes the response without "end"; `complete` tells the two apart.
        res.on("close", () => {
          if (!res.complete) finish(new TransportError("network", "connection closed before the body ended"));
        });
      },
    );
    req.on("error", (err) =>
      finish(new TransportError("network", describeNetworkError(err), { cause: err })),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function describeNetworkError(err: Error & { code?: string }): string {
  return err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
}
