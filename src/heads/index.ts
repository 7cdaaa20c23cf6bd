export {
  defaultHeadJudgeOptions,
  type HeadJudge,
  type HeadJudgment,
  type HeadReadout,
  type OpenHeadJudgeOptions,
  openHeadJudge,
} from "./openHeadJudge.js";
