/** Public API of serve/: the HTTP reward server. */
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
export { splitQuery, unwrapTemplate } from "./splitQuery.js";
export * from "./types.js";
