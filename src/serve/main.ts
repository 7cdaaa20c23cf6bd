/**
 * Listens: binds the app from app.ts to a host and port with @hono/node-server, and shuts down
 * gracefully. `close()` stops admitting work but keeps listening while admitted requests finish:
 * a client that arrives during the drain gets a 503 with Retry-After, and /health answers
 * "draining", so load balancers and RL trainers can route elsewhere or retry, instead of meeting a
 * refused connection they cannot tell from a crash. Only after the drain (or `drainTimeoutMs`,
 * when what is left is aborted) does the server stop listening and close its connections. The
 * engine belongs to the caller, who disposes it after `close()` resolves.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Engine } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import { createServeApp, type ServeApp } from "./app.js";
import { defaultStartServerOptions } from "./serveDefaults.js";
import type { ServeOptions } from "./types.js";

export interface StartServerOptions extends ServeOptions {
  /** Defaults to "127.0.0.1". */
  host?: string;
  /** 0 picks a free port. Defaults to 8000. */
  port?: number;
  /**
   * Serve without a token on a non-loopback address. Off by default: a reward server reachable from
   * other machines without auth lets anyone spend its compute or poison a training run.
   */
  allowNoAuth?: boolean;
  /** How long `close()` waits for in-flight requests before aborting them. Defaults to 30000 ms. */
  drainTimeoutMs?: number;
}

export { defaultStartServerOptions } from "./serveDefaults.js";

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8000. */
  url: string;
  host: string;
  port: number;
  serveApp: ServeApp;
  /** Graceful shutdown; idempotent. Resolves once every connection is closed. */
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startServer(engine: Engine, options: StartServerOptions = {}): Promise<RunningServer> {
  const {
    host = defaultStartServerOptions.host,
    port = defaultStartServerOptions.port,
    allowNoAuth = defaultStartServerOptions.allowNoAuth,
    drainTimeoutMs = defaultStartServerOptions.drainTimeoutMs,
  } = options;
  const token = options.token ?? (process.env.GENRM_SERVE_TOKEN || undefined);
  if (token === undefined && !isLoopback(host) && !allowNoAuth) {
    throw new ConfigError(
      [`token: required when listening on ${host}, which is reachable beyond this machine`],
      {
        hint: "pass --token <secret> or set GENRM_SERVE_TOKEN; --no-auth serves without one",
      },
    );
  }
  const serveApp = createServeApp(engine, { ...options, token });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: serveApp.app.fetch, hostname: host, port }, () => resolve(s as Server));
    s.once("error", reject);
  });
  // A server that keeps erroring (EMFILE, a bad socket) must not take the process down.
  server.on("error", (err) => process.stderr.write(`genrm serve: ${err.message}\n`));
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const drained = serveApp.drain();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), drainTimeoutMs);
      });
      const outcome = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        serveApp.abortAll(new Error(`shutdown: requests still running after ${drainTimeoutMs} ms`));
        await Promise.race([drained, new Promise((r) => setTimeout(r, 1000))]);
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections that are now idle would hold server.close() open.
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1000).unref();
      await closed;
    })();
    return closing;
  };

  return { url: `http://${urlHost}:${address.port}`, host, port: address.port, serveApp, close };
}
