/** Public API of serve/: the HTTP reward server. */

export { maxCharsPerToken } from "../engine/types.js";
export { createServeApp, routes, type ServeApp, workRoutes } from "./app.js";
export {
  type ClosedGroup,
  GroupAssembler,
  type GroupAssemblerOptions,
  type GroupCloseReason,
  type GroupOutcome,
} from "./GroupAssembler.js";
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
export { RewardService, type RewardServiceHooks } from "./RewardService.js";
export { defaultServeOptions, resolveServeConfig } from "./resolveServeConfig.js";
export type { RewardFailure, RewardFailureCode } from "./rewardFailure.js";
export { groupKey, type RewardItem, type RewardOutcome, rewardGroup } from "./rewardGroup.js";
export { type QuerySplit, splitQuery, trimEndTokens, unwrapTemplate } from "./splitQuery.js";
export * from "./types.js";
