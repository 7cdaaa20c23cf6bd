/**
 * Judges a set of pairs (through `judgeAll`), appending each judgment to a resumable log.
 *
 * Pairs already in the log are not judged again. Seeds and orders derive from (seed, pair id), so
 * the results do not depend on concurrency or on where a previous run was interrupted.
 */
import type { PreferencePair } from "../data/types.js";
import { AbortedError } from "../errors.js";
import { judgeAll } from "../judge/judgeAll.js";
import type { Judge, Judgment } from "../judge/types.js";
import type { JudgmentLog } from "./JudgmentLog.js";

export interface RunJudgingOptions {
  /** Pairs judged at once. Engines batch samples across them. Defaults to 4. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; judgment: Judgment; resumed: boolean }) => void;
}

export interface RunJudgingResult {
  /** In the order of the input pairs; missing entries only when interrupted. */
  judgments: Judgment[];
  /** Pairs taken from the log of an earlier run. */
  resumed: number;
  /** Pairs judged by this run. */
  judged: number;
  interrupted: boolean;
  wallMs: number;
}

export const defaultJudgingConcurrency = 4;

export async function runJudging(
  judge: Judge,
  pairs: PreferencePair[],
  log: JudgmentLog,
  options: RunJudgingOptions = {},
): Promise<RunJudgingResult> {
  const { concurrency = defaultJudgingConcurrency, signal, onProgress } = options;
  const started = Date.now();
  const results = new Map<string, Judgment>();
  let done = 0;
  let resumed = 0;
  for (const pair of pairs) {
    const prior = log.existing.get(pair.id);
    if (prior) {
      results.set(pair.id, prior);
      resumed++;
      done++;
      onProgress?.({ done, total: pairs.length, judgment: prior, resumed: true });
    }
  }
  let interrupted = false;
  const todo = pairs.filter((p) => !results.has(p.id));
  try {
    for await (const judgment of judgeAll(judge, todo, { concurrency, ...(signal ? { signal } : {}) })) {
      log.append(judgment);
      results.set(judgment.pairId, judgment);
      done++;
      onProgress?.({ done, total: pairs.length, judgment, resumed: false });
    }
  } catch (err) {
    if (!(err instanceof AbortedError || signal?.aborted)) throw err;
    interrupted = true;
  }
  const judgments = pairs.map((p) => results.get(p.id)).filter((j): j is Judgment => j !== undefined);
  return {
    judgments,
    resumed,
    judged: judgments.length - resumed,
    interrupted,
    wallMs: Date.now() - started,
  };
}
