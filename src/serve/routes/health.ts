/** GET /health: liveness and what is being served; open without a token for load balancers. */
import type { Hono } from "hono";
import type { RouteDeps, ServeEnv } from "../types.js";

export function healthRoute(
  app: Hono<ServeEnv>,
  deps: RouteDeps,
  state: { draining: () => boolean; inFlight: () => number; startedAt: number },
): void {
  app.get("/health", (c) =>
    c.json(
      {
        status: state.draining() ? "draining" : "ok",
        model: { id: deps.engineInfo.modelId, name: deps.engineInfo.modelName, kind: deps.engineInfo.kind },
        judge: {
          name: deps.judge.info.name,
          protocol: deps.judge.info.protocol,
          template_id: deps.judge.info.templateId,
        },
        // What the reward routes use: the pairwise judge's schemes, or the rating judge.
        reward: deps.rating
          ? { judge: "rating", template_id: deps.rating.info.templateId, k: deps.rating.info.k }
          : { judge: "pairwise" },
        in_flight: state.inFlight(),
        uptime_s: Math.round((performance.now() - state.startedAt) / 1000),
      },
      state.draining() ? 503 : 200,
    ),
  );
}
