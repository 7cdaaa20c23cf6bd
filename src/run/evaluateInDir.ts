/**
 * One judge on one set of pairs in a run directory: `judgments.jsonl` as the resume point
 * (`JudgmentLog`), `runJudging`, then `summarizeEval` written to `summary.json` with whatever the
 * caller adds to it. Used wherever a finished evaluation must survive a kill (STaR iterations,
 * the demo's splits).
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
import { type RunJudgingOptions, runJudging } from "./runJudging.js";

export interface EvaluateInDirOptions
  extends Pick<RunJudgingOptions, "concurrency" | "signal" | "onProgress"> {
  summary?: EvalOptions;
  /** Fields written into summary.json next to the summary. */
  extra?: Record<string, unknown>;
}

export async function evaluateInDir(
  judge: Judge,
  pairs: readonly PreferencePair[],
  dir: string,
  options: EvaluateInDirOptions = {},
): Promise<{ summary: EvalSummary; judgments: Judgment[]; summaryFile: string }> {
  const { summary: summaryOptions, extra, ...judging } = options;
  fs.mkdirSync(dir, { recursive: true });
  const log = JudgmentLog.open(path.join(dir, "judgments.jsonl"), { resume: true });
  let judgments: Judgment[];
  try {
    judgments = (await runJudging(judge, [...pairs], log, judging)).judgments;
  } finally {
    log.close();
  }
  throwIfAborted(judging.signal);
  const summary = summarizeEval(judgments, pairs, summaryOptions);
  const summaryFile = path.join(dir, "summary.json");
  writeJsonFile(summaryFile, { ...summary, ...extra });
  return { summary, judgments, summaryFile };
}
