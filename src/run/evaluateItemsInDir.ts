/**
 * A listwise judge (rating or 4-way ranking) on the multi-response rows of a data set, in a run
 * directory: `item-judgments.jsonl`, one ItemJudgment per row appended the moment the row is judged
 * (a `RecordLog`: a torn last line from a killed process is dropped and that row judged again, its
 * samples served from the sample store), and `summary.json` with the official scores. Rows already
 * in the log are not judged again unless `fresh`. The listwise counterpart of `evaluateInDir`.
 */
import fs from "node:fs";
import path from "node:path";
import pLimit from "p-limit";
import type { BenchmarkItem } from "../data/adapters/expandItem.js";
import { throwIfAborted } from "../errors.js";
import { listwiseBenchmarkScores } from "../eval/listwiseOutcomes.js";
import { benchmarkMetrics } from "../eval/summarizeEval.js";
import type { BenchmarkScores } from "../eval/types.js";
import type { ItemJudge, ItemJudgment } from "../judge/createListwiseJudge.js";
import { RecordLog } from "./JudgmentLog.js";
import { writeJsonFile, writeJsonLinesFile } from "./jsonFile.js";
import { defaultJudgingConcurrency } from "./runJudging.js";

export interface ListwiseSummary {
  counts: { items: number; judged: number; missing: number };
  benchmarks: BenchmarkScores;
  parse: { samples: number; unparsed: number; unparsedRate: number | null };
  engineErrors: number;
  provenance: ItemJudgment["provenance"][];
  metrics: Record<string, number | null>;
}

/** What judging did: rows judged now and taken from the log, whether it was stopped, how long it took. */
export interface ItemJudgingOutcome {
  judged: number;
  resumed: number;
  interrupted: boolean;
  wallMs: number;
}

export interface EvaluateItemsOptions {
  /** Rows judged at once. Defaults to `defaultJudgingConcurrency`. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Judge every row again instead of resuming from item-judgments.jsonl. Defaults to false. */
  fresh?: boolean;
  onProgress?: (p: { done: number; total: number; judgment: ItemJudgment; resumed: boolean }) => void;
  /** Fields written into summary.json next to the summary, or a function of what judging did. */
  extra?: Record<string, unknown> | ((outcome: ItemJudgingOutcome) => Record<string, unknown>);
  /**
   * When the signal stops judging: summarize the rows judged so far (`outcome.interrupted`), or
   * throw the abort. Defaults to "throw".
   */
  onStop?: "summarize" | "throw";
}

export interface EvaluateItemsResult {
  summary: ListwiseSummary;
  judgments: ItemJudgment[];
  outcome: ItemJudgingOutcome;
  /** What summary.json holds: the summary and the `extra` fields. */
  record: ListwiseSummary & Record<string, unknown>;
}

export async function evaluateItemsInDir(
  judge: ItemJudge,
  items: readonly BenchmarkItem[],
  dir: string,
  options: EvaluateItemsOptions = {},
): Promise<EvaluateItemsResult> {
  const {
    concurrency = defaultJudgingConcurrency,
    signal,
    fresh = false,
    onProgress,
    onStop = "throw",
  } = options;
  const started = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "item-judgments.jsonl");
  const log = RecordLog.open<ItemJudgment>(file, (j) => j.itemId, {
    resume: !fresh,
    expected: "a JSON item judgment",
  });
  const done = new Map<string, ItemJudgment>();
  let finished = 0;
  let resumed = 0;
  for (const item of items) {
    const prior = log.existing.get(item.id);
    if (!prior) continue;
    done.set(item.id, prior);
    resumed++;
    onProgress?.({ done: ++finished, total: items.length, judgment: prior, resumed: true });
  }
  const limit = pLimit(concurrency);
  // A row that fails (not by the signal) stops the rows not yet started; its error is the run's.
  const failed = new AbortController();
  const stop = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
  let failure: { error: unknown } | undefined;
  try {
    await Promise.all(
      items
        .filter((item) => !done.has(item.id))
        .map((item) =>
          limit(async () => {
            if (stop.aborted) return;
            try {
              const judgment = await judge.judgeItem(item, { signal: stop });
              log.append(judgment);
              done.set(item.id, judgment);
              onProgress?.({ done: ++finished, total: items.length, judgment, resumed: false });
            } catch (error) {
              if (failed.signal.aborted || signal?.aborted) return;
              failure = { error };
              failed.abort(error);
            }
          }),
        ),
    );
  } finally {
    log.close();
  }
  if (failure) throw failure.error;
  const interrupted = done.size < items.length;
  if (interrupted && onStop === "throw") throwIfAborted(signal);
  // In row order: rows are appended as they finish; a finished run rewrites its log in row order, so
  // the same run writes the same bytes whatever the concurrency.
  const judgments = items.map((i) => done.get(i.id)).filter((j): j is ItemJudgment => j !== undefined);
  if (!interrupted) writeJsonLinesFile(file, judgments);
  const outcome = { judged: judgments.length - resumed, resumed, interrupted, wallMs: Date.now() - started };
  const summary = summarizeListwise(judgments, items);
  const extra = typeof options.extra === "function" ? options.extra(outcome) : options.extra;
  const record = { ...summary, ...extra };
  writeJsonFile(path.join(dir, "summary.json"), record);
  return { summary, judgments, outcome, record };
}

export function summarizeListwise(
  judgments: readonly ItemJudgment[],
  items: readonly BenchmarkItem[],
): ListwiseSummary {
  const benchmarks = listwiseBenchmarkScores(judgments, items);
  const samples = judgments.flatMap((j) => j.samples);
  const unparsed = samples.filter((s) => s.parsed === null).length;
  const provenance = new Map(judgments.map((j) => [JSON.stringify(j.provenance), j.provenance]));
  const metrics = benchmarkMetrics(benchmarks);
  metrics["judge/parse_error_rate"] = samples.length === 0 ? null : unparsed / samples.length;
  return {
    counts: { items: items.length, judged: judgments.length, missing: items.length - judgments.length },
    benchmarks,
    parse: { samples: samples.length, unparsed, unparsedRate: metrics["judge/parse_error_rate"] },
    engineErrors: judgments.filter((j) => j.errors.length > 0).length,
    provenance: [...provenance.values()],
    metrics,
  };
}
