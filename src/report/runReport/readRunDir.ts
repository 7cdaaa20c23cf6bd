/**
 * What kind of genrm run a directory holds, told from the files the commands write, and its
 * contents read without writing anything:
 *
 *   eval   summary.json with `counts` and `accuracy` (evaluateInDir) or, from `genrm eval
 *          --listwise`, `benchmarks` (evaluateItemsInDir), judgments.jsonl, and from
 *          `genrm eval` config.json (the data it read). STaR's and the demo's per-split evaluation
 *          directories are eval runs too.
 *   train  metrics.jsonl and/or summary.json with `stopReason` (runTraining), run.json from `genrm train`
 *   star   manifest.json with format "genrm-star" (runStar); each iteration's training run
 *          is `iter-N/train`
 *
 * Anything else is an InputError that names the directory, what it holds and what was expected.
 */
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../../errors.js";
import type { EvalSummary } from "../../eval/types.js";
import type { Judgment } from "../../judge/types.js";
import { readJudgmentLog } from "../../run/JudgmentLog.js";
import { readJsonFile } from "../../run/jsonFile.js";
import { type MetricsEntry, readMetrics } from "../../run/metricsLog.js";
import type { StarManifest } from "../../star/types.js";

export type RunKind = "eval" | "train" | "star";

/** summary.json of an eval run: the summary and whatever the writer added (`run`, …). */
export type EvalSummaryRecord = EvalSummary & Record<string, unknown>;

/** The data part of `genrm eval`'s config.json. */
export interface EvalDataSource {
  path: string;
  format: string;
  pairs: number;
  limit: number | null;
}

export interface EvalRun {
  kind: "eval";
  dir: string;
  summary: EvalSummaryRecord;
  /** config.json's `config` (genrm eval only), or null. */
  config: (Record<string, unknown> & { data?: EvalDataSource }) | null;
  /** Every judgment of judgments.jsonl, by pair id; empty when the file is absent. */
  judgments: Judgment[];
  hasJudgmentLog: boolean;
  /**
   * A `genrm eval --listwise` run: rows judged whole (item-judgments.jsonl), so its summary has
   * benchmark scores and parse counts but no pairwise accuracy, maj@k or usage.
   */
  listwise: boolean;
}

/** summary.json of a training run (runTraining). */
export interface TrainSummaryFile {
  method?: string;
  step?: number;
  totalSteps?: number;
  stopReason?: string;
  last?: Record<string, number> | null;
  lastEval?: Record<string, number> | null;
}

export interface TrainRun {
  kind: "train";
  dir: string;
  summary: TrainSummaryFile | null;
  /** run.json's `config` (genrm train only), or null. */
  config: Record<string, unknown> | null;
  metrics: MetricsEntry[];
}

export interface StarIterationTraining {
  iteration: number;
  metrics: MetricsEntry[];
}

export interface StarRun {
  kind: "star";
  dir: string;
  manifest: StarManifest;
  training: StarIterationTraining[];
}

export type ReportRun = EvalRun | TrainRun | StarRun;

const expectedFiles =
  "a run directory of genrm eval (summary.json, judgments.jsonl), genrm train (metrics.jsonl, summary.json) or genrm star (manifest.json)";

export function detectRunKind(dir: string): RunKind {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new InputError("no such run directory", { file: dir, expected: expectedFiles });
  }
  if (!stat.isDirectory()) throw new InputError("not a directory", { file: dir, expected: expectedFiles });
  const has = (name: string) => fs.existsSync(path.join(dir, name));
  const hint = "rerun the command that wrote it, or pass another directory";
  if (has("manifest.json")) {
    const manifest = readJsonFile<{ format?: unknown }>(path.join(dir, "manifest.json"), { hint });
    if (manifest?.format === "genrm-star") return "star";
  }
  const summary = has("summary.json")
    ? readJsonFile<Record<string, unknown> | null>(path.join(dir, "summary.json"), { hint })
    : null;
  const isObject = summary !== null && typeof summary === "object";
  // Pairwise evals summarize accuracy; `--listwise` evals (whole rows) only benchmark scores.
  if (isObject && "counts" in summary && ("accuracy" in summary || "benchmarks" in summary)) return "eval";
  if (has("metrics.jsonl") || (isObject && "stopReason" in summary)) return "train";
  if (has("judgments.jsonl")) {
    throw new InputError(
      "eval run without summary.json",
      {
        file: dir,
        expected: "summary.json next to judgments.jsonl",
      },
      { hint: "the run was stopped before it summarized: rerun the same genrm eval command to resume it" },
    );
  }
  if (has("demo.json")) {
    throw new InputError(
      "a genrm demo directory",
      { file: dir, expected: expectedFiles },
      {
        hint: `genrm demo writes its own report: ${path.join(dir, "report.html")}`,
      },
    );
  }
  const seen = fs.readdirSync(dir).sort().slice(0, 8).join(", ");
  throw new InputError("not a genrm run directory", {
    file: dir,
    expected: expectedFiles,
    got: seen === "" ? "an empty directory" : seen,
  });
}

export function readRunDir(dir: string): ReportRun {
  const kind = detectRunKind(dir);
  const hint = "rerun the command that wrote it";
  const file = (name: string) => path.join(dir, name);
  switch (kind) {
    case "eval": {
      const summary = readJsonFile<EvalSummaryRecord>(file("summary.json"), { hint });
      const hasJudgmentLog = fs.existsSync(file("judgments.jsonl"));
      const judgments = hasJudgmentLog
        ? [...readJudgmentLog(file("judgments.jsonl")).values()].sort((a, b) =>
            a.pairId < b.pairId ? -1 : a.pairId > b.pairId ? 1 : 0,
          )
        : [];
      const config = fs.existsSync(file("config.json"))
        ? (readJsonFile<{ config?: EvalRun["config"] }>(file("config.json"), { hint }).config ?? null)
        : null;
      const listwise = !("accuracy" in summary);
      return { kind, dir, summary, config, judgments, hasJudgmentLog, listwise };
    }
    case "train": {
      const summary = fs.existsSync(file("summary.json"))
        ? readJsonFile<TrainSummaryFile>(file("summary.json"), { hint })
        : null;
      const config = fs.existsSync(file("run.json"))
        ? (readJsonFile<{ config?: Record<string, unknown> }>(file("run.json"), { hint }).config ?? null)
        : null;
      return { kind, dir, summary, config, metrics: readMetrics(file("metrics.jsonl")) };
    }
    case "star": {
      const manifest = readJsonFile<StarManifest>(file("manifest.json"), { hint });
      const training = manifest.iterations
        .filter((it) => it.training !== null)
        .map((it) => ({
          iteration: it.iteration,
          // The manifest records absolute paths; a moved run directory still has its iter-N/train.
          metrics: readMetrics(starTrainMetricsFile(dir, it.iteration, it.training!.runDir)),
        }));
      return { kind, dir, manifest, training };
    }
  }
}

function starTrainMetricsFile(dir: string, iteration: number, recorded: string): string {
  const local = path.join(dir, `iter-${iteration}`, "train", "metrics.jsonl");
  return fs.existsSync(local) ? local : path.join(recorded, "metrics.jsonl");
}
