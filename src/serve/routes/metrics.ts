/** GET /metrics: Prometheus text exposition of the server's counters, gauges and histograms. */
import type { Hono } from "hono";
import type { Metrics } from "../Metrics.js";
import type { ServeEnv } from "../types.js";

export function metricsRoute(app: Hono<ServeEnv>, metrics: Metrics): void {
  app.get("/metrics", (c) =>
    c.body(metrics.render(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }),
  );
}
