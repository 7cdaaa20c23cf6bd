/** Public API of serve/: the HTTP reward server. */

export { maxCharsPerToken } from "../engine/types.js";
export { createServeApp, routes, type ServeApp, workRoutes } from "./app.js";
export { HttpError, type HttpErrorCode } from "./HttpError.js";
export { JudgeScheduler, type JudgeSchedulerOptions } from "./JudgeScheduler.js";
export { Metrics } from "./Metrics.js";
export {
  defaultStartServerOptions,
  isLoopback,
  type RunningServer,
  type StartServerOptions,
  startServer,
} from "./main.js";
export { defaultServeOptions, resolveServeConfig } from "./resolveServeConfig.js";
export type { RewardFailure, RewardFailureCode } from "./rewardFailure.js";
export { type QuerySplit, splitQuery, trimEndTokens, unwrapTemplate } from "./splitQuery.js";
export * from "./types.js";
