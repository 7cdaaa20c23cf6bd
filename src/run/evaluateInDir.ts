/**
 * One judge on one set of pairs in a run directory: `judgments.jsonl` as the resume point
 * (`JudgmentLog`), `runJudging`, then `summarizeEval` written to `summary.json` with whatever the
 * caller adds to it. Used wherever a finished evaluation must survive a kill (`genrm eval`, STaR
 * iterations, the demo's splits).
 */
import fs from "node:fs";
import path from "node:path";
import type { PreferencePair } from "../data/types.js";
import { throwIfAborted } from "../errors.js";
import { summarizeEval } from "../eval/summarizeEval.js";
import type { EvalOptions, EvalSummary } from "../eval/types.js";
import type { Judge, Judgment } from "../judge/types.js";
import { JudgmentLog } from "./JudgmentLog.js";
import { writeJsonFile } from "./jsonFile.js";
import { type RunJudgingOptions, type RunJudgingResult, runJudging } from "./runJudging.js";

/** What judging did: pairs judged now and taken from the log, whether it was stopped, how long it took. */
export type JudgingOutcome = Omit<RunJudgingResult, "judgments">;

export interface EvaluateInDirOptions
  extends Pick<RunJudgingOptions, "concurrency" | "signal" | "onProgress"> {
  summary?: EvalOptions;
  /** Fields written into summary.json next to the summary, or a function of what judging did. */
  extra?: Record<string, unknown> | ((outcome: JudgingOutcome) => Record<string, unknown>);
  /** Judge every pair again instead of resuming from judgments.jsonl. Defaults to false. */
  fresh?: boolean;
  /**
   * When the signal stops judging: summarize the pairs judged so far (`outcome.interrupted`), or
   * throw the abort. Defaults to "throw".
   */
  onStop?: "summarize" | "throw";
}

export interface EvaluateInDirResult {
  summary: EvalSummary;
  judgments: Judgment[];
  summaryFile: string;
  /** What summary.json holds: the summary and the `extra` fields. */
  record: EvalSummary & Record<string, unknown>;
  outcome: JudgingOutcome;
}

export async function evaluateInDir(
  judge: Judge,
  pairs: readonly PreferencePair[],
  dir: string,
  options: EvaluateInDirOptions = {},
): Promise<EvaluateInDirResult> {
  const { summary: summaryOptions, extra, fresh = false, onStop = "throw", ...judging } = options;
  fs.mkdirSync(dir, { recursive: true });
  const log = JudgmentLog.open(path.join(dir, "judgments.jsonl"), { resume: !fresh });
  let result: RunJudgingResult;
  try {
    result = await runJudging(judge, [...pairs], log, judging);
  } finally {
    log.close();
  }
  if (onStop === "throw") throwIfAborted(judging.signal);
  const { judgments, ...outcome } = result;
  const summary = summarizeEval(judgments, pairs, summaryOptions);
  const summaryFile = path.join(dir, "summary.json");
  const record = { ...summary, ...(typeof extra === "function" ? extra(outcome) : extra) };
  writeJsonFile(summaryFile, record);
  return { summary, judgments, summaryFile, record, outcome };
}
