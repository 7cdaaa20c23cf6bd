/**
 * The reward server as a Hono app built from (engine, options). It never listens (`startServer` in
 * main.ts does), so tests can drive it with `app.request()` as well as over a socket.
 *
 * Request path: metrics → auth → body limit → admission (429 when full, 503 while draining) →
 * deadline (504) → route. Every judgment of every route goes through one JudgeScheduler, so many
 * clients share the engine's parallel sequences. Errors are mapped to HTTP once, in `onError`:
 * the body is always `{error: {code, message, field?}}`, and a 500 never carries internals.
 */
import { Hono } from "hono";
import type { Engine } from "../engine/types.js";
import {
  AbortedError,
  ConfigError,
  EngineError,
  GenrmError,
  InputError,
  UnsupportedError,
} from "../errors.js";
import { createLlmJudge } from "../judge/createLlmJudge.js";
import {
  createRatingJudge,
  type Rating,
  type RatingJudge,
  ratingJudgeFrom,
} from "../judge/createRatingJudge.js";
import { HttpError } from "./HttpError.js";
import { defaultMaxInputChars } from "./inputSize.js";
import { JudgeScheduler } from "./JudgeScheduler.js";
import { Metrics } from "./Metrics.js";
import { AdmissionState, admission } from "./middleware/admission.js";
import { bearerAuth } from "./middleware/bearerAuth.js";
import { httpMetrics } from "./middleware/httpMetrics.js";
import { limitBody } from "./middleware/limitBody.js";
import { requestDeadline } from "./middleware/requestDeadline.js";
import { RewardService } from "./RewardService.js";
import { resolveServeConfig } from "./resolveServeConfig.js";
import { getRewardRoute } from "./routes/getReward.js";
import { healthRoute } from "./routes/health.js";
import { judgeRoute } from "./routes/judge.js";
import { metricsRoute } from "./routes/metrics.js";
import { rankRoute } from "./routes/rank.js";
import { rewardRoute } from "./routes/reward.js";
import type { RouteDeps, ServeConfig, ServeEnv, ServeOptions } from "./types.js";

export const workRoutes = ["/get_reward", "/v1/reward", "/v1/judge", "/v1/rank"] as const;
export const routes = [...workRoutes, "/health", "/metrics"] as const;

export interface ServeApp {
  app: Hono<ServeEnv>;
  config: ServeConfig;
  metrics: Metrics;
  admission: AdmissionState;
  scheduler: JudgeScheduler;
  rewards: RewardService;
  /**
   * Stops admitting work and judges every open group now; resolves when every admitted request has
   * finished.
   */
  drain(): Promise<void>;
  /** Aborts every request in progress (forced shutdown after the drain timeout). */
  abortAll(reason?: unknown): void;
}

export function createServeApp(engine: Engine, options: ServeOptions = {}): ServeApp {
  const config = resolveServeConfig(options, defaultMaxInputChars(engine));
  const metrics = new Metrics();
  const countRequest = metrics.counter("genrm_http_requests_total", "HTTP requests by route and status.");
  const observeLatency = metrics.histogram(
    "genrm_http_request_duration_seconds",
    "HTTP request latency in seconds, by route.",
  );
  const countJudgment = metrics.counter("genrm_judgments_total", "Judgments made, by verdict.");
  const countTokens = metrics.counter(
    "genrm_tokens_total",
    "Tokens spent on judgments, by kind (prompt, completion).",
  );

  const scheduler = new JudgeScheduler(createLlmJudge(engine, config.judge), {
    concurrency: config.concurrency,
    onJudgment: (j) => {
      countJudgment({ verdict: j.verdict });
      countTokens({ kind: "prompt" }, j.usage.promptTokens);
      countTokens({ kind: "completion" }, j.usage.completionTokens);
    },
  });
  const admissionState = new AdmissionState(config.maxQueue);
  const serverAbort = new AbortController();
  const startedAt = performance.now();
  metrics.gauge(
    "genrm_requests_in_flight",
    "Requests admitted and not yet answered.",
    () => admissionState.inFlight,
  );
  metrics.gauge("genrm_queue_depth", "Judgments waiting for an engine slot.", () => scheduler.queued);
  metrics.gauge("genrm_judgments_running", "Judgments running in the engine.", () => scheduler.running);

  const app = new Hono<ServeEnv>();
  app.use("*", httpMetrics(routes, { request: countRequest, latency: observeLatency }));
  if (config.token !== undefined) app.use("*", bearerAuth({ token: config.token }));
  for (const path of workRoutes) {
    app.use(path, limitBody({ maxBytes: config.maxBodyBytes }));
    app.use(path, admission(admissionState));
    app.use(path, requestDeadline({ timeoutMs: config.timeoutMs, serverSignal: serverAbort.signal }));
  }

  let rating: RatingJudge | undefined;
  if (config.rating) {
    const countRatings = metrics.counter(
      "genrm_ratings_total",
      "Rollouts rated by the rating judge, by outcome (rated, unparsed).",
    );
    rating = scheduledRatingJudge(createRatingJudge(engine, config.rating), scheduler, (r) => {
      countRatings({ outcome: r.rating === null ? "unparsed" : "rated" });
      countTokens({ kind: "prompt" }, r.usage.promptTokens);
      countTokens({ kind: "completion" }, r.usage.completionTokens);
    });
    if (options.scorer === undefined) config.scorer = rating;
  }
  const deps: RouteDeps = {
    config,
    judge: scheduler.judge,
    ...(rating ? { rating } : {}),
    engineInfo: engine.info,
  };
  const countGroupOpened = metrics.counter(
    "genrm_groups_opened_total",
    "Groups opened by server-side group assembly.",
  );
  const countGroupClosed = metrics.counter(
    "genrm_groups_closed_total",
    "Groups closed, by outcome: full, timeout, evicted (past max open groups), draining, abandoned.",
  );
  const rewards = new RewardService(deps, {
    onGroupOpen: () => countGroupOpened(),
    onGroupClose: (outcome) => countGroupClosed({ outcome }),
  });
  metrics.gauge("genrm_groups_open", "Groups waiting for members.", () => rewards.assembler?.openGroups ?? 0);
  metrics.gauge(
    "genrm_group_members_waiting",
    "Rollouts held in open groups.",
    () => rewards.assembler?.waitingMembers ?? 0,
  );
  getRewardRoute(app, deps, rewards);
  rewardRoute(app, deps, rewards);
  judgeRoute(app, deps);
  rankRoute(app, deps);
  healthRoute(app, deps, {
    draining: () => admissionState.draining,
    inFlight: () => admissionState.inFlight,
    startedAt,
  });
  metricsRoute(app, metrics);

  app.notFound((c) => {
    const error = new HttpError(404, "not_found", `no route for ${c.req.method} ${c.req.path}`);
    return c.json(error.body(), error.status);
  });
  app.onError((err, c) => {
    const error = toHttpError(err, c.var.signal);
    if (error.status === 500) {
      process.stderr.write(`genrm serve: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}\n`);
    }
    return c.json(error.body(), error.status, error.headers);
  });

  return {
    app,
    config,
    metrics,
    admission: admissionState,
    scheduler,
    rewards,
    drain: () => {
      const drained = admissionState.drain();
      rewards.assembler?.flush("draining");
      return drained;
    },
    abortAll: (reason) => serverAbort.abort(reason ?? new Error("server closing")),
  };
}

/** A rating judge whose every rating waits for an engine slot, like every judgment. */
function scheduledRatingJudge(
  inner: RatingJudge,
  scheduler: JudgeScheduler,
  onRating: (rating: Rating) => void,
): RatingJudge {
  const rate: RatingJudge["rate"] = (prompt, response, options = {}) =>
    scheduler.schedule(async () => {
      const r = await inner.rate(prompt, response, options);
      onRating(r);
      return r;
    }, options.signal);
  return ratingJudgeFrom(inner, rate);
}

function toHttpError(err: Error, signal: AbortSignal | undefined): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof AbortedError || signal?.aborted) {
    // The deadline aborted the work: the route's abort is the timeout's doing.
    const reason = signal?.reason;
    return reason instanceof HttpError
      ? reason
      : new HttpError(503, "shutting_down", "the request was aborted (client gone or server closing)");
  }
  if (err instanceof ConfigError || err instanceof InputError) {
    return new HttpError(400, "invalid_request", err.message);
  }
  if (err instanceof UnsupportedError) return new HttpError(400, "unsupported", err.message);
  if (err instanceof EngineError) return new HttpError(502, "engine_error", err.message);
  if (err instanceof GenrmError) return new HttpError(500, "internal", `internal error (${err.code})`);
  return new HttpError(500, "internal", "internal error");
}
