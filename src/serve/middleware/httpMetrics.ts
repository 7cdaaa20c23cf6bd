/**
 * Counts every request by route and status and times it. Outermost, so refusals by auth, the body
 * limit and admission (401, 413, 429) are counted too. Unknown paths share one label so a scanner
 * cannot blow up the series count.
 */
import type { MiddlewareHandler } from "hono";

export interface HttpMetricsSinks {
  request: (labels: { route: string; status: string }) => void;
  latency: (labels: { route: string }, seconds: number) => void;
}

export function httpMetrics(routes: readonly string[], sinks: HttpMetricsSinks): MiddlewareHandler {
  return async function httpMetrics(c, next) {
    const startedAt = performance.now();
    try {
      await next();
    } finally {
      const route = routes.includes(c.req.path) ? c.req.path : "other";
      sinks.request({ route, status: String(c.res.status) });
      sinks.latency({ route }, (performance.now() - startedAt) / 1000);
    }
  };
}
