/**
 * Judges a set of pairs with bounded concurrency, appending each judgment to a resumable log.
 *
 * Pairs already in the log are not judged again. Seeds and orders derive from (seed, pair id), so
 * the results do not depend on concurrency or on where a previous run was interrupted.
 */
import pLimit from "p-limit";
import type { PreferencePair } from "../data/types.js";
import { AbortedError } from "../errors.js";
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
  const limit = pLimit(Math.max(1, concurrency));
  let interrupted = false;
  const todo = pairs.filter((p) => !results.has(p.id));
  await Promise.all(
    todo.map((pair) =>
      limit(async () => {
        if (signal?.aborted) {
          interrupted = true;
          return;
        }
        try {
          const judgment = await judge.judge(pair, { signal });
          log.append(judgment);
          results.set(pair.id, judgment);
          done++;
          onProgress?.({ done, total: pairs.length, judgment, resumed: false });
        } catch (err) {
          if (err instanceof AbortedError || signal?.aborted) {
            interrupted = true;
            return;
          }
          throw err;
        }
      }),
    ),
  );
  const judgments = pairs.map((p) => results.get(p.id)).filter((j): j is Judgment => j !== undefined);
  return {
    judgments,
    resumed,
    judged: judgments.length - resumed,
    interrupted,
    wallMs: Date.now() - started,
  };
}
