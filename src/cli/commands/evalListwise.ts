/**
 * `genrm eval --listwise rating|ranking`: the multi-response rows of a data set (RewardBench 2,
 * RM-Bench) judged whole by a rating or 4-way ranking judge instead of in pairs, scored as the
 * benchmark scores them. Resumable like pairwise eval: samples go to the SQLite sample store as they
 * arrive (keyed apart from pairwise samples), each judged row is appended to item-judgments.jsonl,
 * and the store's run ledger records the run, its config and its outcome; a rerun of a killed or
 * interrupted run judges only the rows it lacks, with the samples it already drew served from the
 * store. Writes config.json, item-judgments.jsonl and summary.json (`evaluateItemsInDir`).
 */
import path from "node:path";
import { itemsFromPairs } from "../../data/adapters/expandItem.js";
import { loadPairs } from "../../data/index.js";
import type { Engine } from "../../engine/types.js";
import { ConfigError } from "../../errors.js";
import { formatBenchmarks } from "../../eval/formatEvalTable.js";
import { createListwiseJudge, type ListwiseProtocol } from "../../judge/createListwiseJudge.js";
import { defaultRatingJudgeOptions } from "../../judge/createRatingJudge.js";
import { createProgressReporter } from "../../progress/index.js";
import { evaluateItemsInDir, type ListwiseSummary } from "../../run/evaluateItemsInDir.js";
import type { RunDirLock } from "../../run/runDirLock.js";
import { asStorageError } from "../../run/storageErrors.js";
import { SampleStore } from "../../store/index.js";
import { genrmVersion } from "../../version.js";
import { gracefulStop } from "../gracefulStop.js";
import { openJudgeEngine, samplingFromFlags } from "../judgeFlags.js";
import { givenOnly } from "../parseArgs.js";
import { defaultStorePath } from "../paths.js";
import { openEvalRun, recordFailure } from "../runLedger.js";
import type { EvalCommandOptions } from "./eval.js";

export interface ListwiseEvalResult {
  runDir: string;
  /** summary.json: the summary and the run record. */
  summary: ListwiseSummary & Record<string, unknown>;
  interrupted: boolean;
}

export async function runListwiseEvalCommand(
  options: EvalCommandOptions & { listwise: ListwiseProtocol },
): Promise<ListwiseEvalResult> {
  const protocol = options.listwise;
  const issues: string[] = [];
  if (options.baseline !== undefined)
    issues.push("listwise: --listwise judges with a model; --baseline does not apply");
  if (options.head !== undefined)
    issues.push("listwise: --listwise judges with a model; --head does not apply");
  if (issues.length > 0) throw new ConfigError(issues);

  const loaded = await loadPairs(options.data, {
    ...(options.format ? { format: options.format } : {}),
    ...(options.skipInvalid ? { skipInvalid: true } : {}),
  });
  let items = itemsFromPairs(loaded.pairs);
  if (items.length === 0) {
    throw new ConfigError(
      [`listwise: ${options.data} holds no multi-response rows (RewardBench 2, RM-Bench)`],
      {
        hint: "judge pairwise data without --listwise",
      },
    );
  }
  if (protocol === "ranking" && items.some((i) => i.benchmark === "rm-bench")) {
    throw new ConfigError(["listwise: RM-Bench rows are scored per style pair; use --listwise rating"]);
  }
  if (options.limit !== undefined) items = items.slice(0, options.limit);

  const k = options.k ?? defaultRatingJudgeOptions.k;
  const seed = options.seed ?? defaultRatingJudgeOptions.seed;
  const sampling = samplingFromFlags(options);
  const storePath = options.store ?? defaultStorePath();
  let store: SampleStore | undefined;
  let engine: Engine | undefined;
  let lock: RunDirLock | undefined;
  /** The ledger row of this run while it is open (its end not yet recorded). */
  let ledgerRun: string | undefined;
  const stop = gracefulStop("finishing in-flight writes; rerun the same command to resume");
  try {
    store = SampleStore.open(storePath);
    engine = await openJudgeEngine(options);
    const judge = createListwiseJudge(engine, protocol, { k, seed, sampling, cache: store.sampleCache() });
    const runConfig = {
      data: {
        path: path.resolve(options.data),
        format: loaded.format,
        rows: items.length,
        limit: options.limit ?? null,
      },
      judge: { ...judge.info, modelId: engine.info.modelId, modelName: engine.info.modelName },
      protocol,
      k,
      seed,
      sampling,
      // What an HTTP engine adds to every sampled request changes the samples, so it is part of the run.
      ...(engine.info.requestFields ? { engineRequest: engine.info.requestFields } : {}),
    };
    const opened = openEvalRun({
      out: options.out,
      data: options.data,
      judgeName: judge.info.name,
      runConfig,
      store,
      fresh: Boolean(options.fresh),
    });
    lock = opened.lock;
    const { runDir, runId } = opened;
    ledgerRun = runId;
    const progress = createProgressReporter(`eval ${judge.info.name}`, {
      unit: "rows",
      ...(options.progress ? { mode: options.progress } : {}),
    });
    let evaluated: Awaited<ReturnType<typeof evaluateItemsInDir>>;
    try {
      evaluated = await evaluateItemsInDir(judge, items, runDir, {
        ...givenOnly({ concurrency: options.concurrency }),
        signal: stop.signal,
        fresh: Boolean(options.fresh),
        onStop: "summarize",
        onProgress: ({ done, total }) => progress.update({ done, total }),
        extra: (outcome) => ({
          run: {
            dir: runDir,
            configHash: opened.configHash,
            genrmVersion: genrmVersion(),
            ...outcome,
            skippedRecords: loaded.skipped.count,
          },
        }),
      });
    } finally {
      progress.stop();
    }
    const { summary, record, outcome } = evaluated;
    store.recordRunEnd(runId, outcome.interrupted ? "interrupted" : "finished", {
      rows: summary.counts.items,
      judged: summary.counts.judged,
      ...(summary.benchmarks.rewardBench2 ? { rewardBench2: summary.benchmarks.rewardBench2.score } : {}),
      ...(summary.benchmarks.rmBench ? { rmBench: summary.benchmarks.rmBench.average } : {}),
    });
    ledgerRun = undefined;
    return { runDir, summary: record, interrupted: outcome.interrupted };
  } catch (err) {
    if (ledgerRun !== undefined) recordFailure(store, ledgerRun);
    throw asStorageError(err, { store: storePath });
  } finally {
    stop.dispose();
    await engine?.dispose();
    store?.close();
    lock?.release();
  }
}

export function printListwiseResult(
  result: ListwiseEvalResult,
  { json = false }: { json?: boolean } = {},
): void {
  const s = result.summary;
  if (json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const p of s.provenance) {
    lines.push(
      `judge     ${p.modelName} ${p.protocol} ${p.templateId} (${p.templateHash}), k=${p.k}, seed=${p.seed}, T=${p.sampling.temperature} top-p=${p.sampling.topP}`,
    );
  }
  lines.push(`rows      ${s.counts.items} (judged ${s.counts.judged}, missing ${s.counts.missing})`);
  if (s.parse.samples > 0) lines.push(`parsing   ${s.parse.unparsed}/${s.parse.samples} samples unparseable`);
  if (s.engineErrors > 0) lines.push(`errors    ${s.engineErrors} rows hit engine errors`);
  lines.push(...formatBenchmarks(s.benchmarks));
  process.stdout.write(
    `${lines.join("\n")}\n\nresults: ${result.runDir}/summary.json, ${result.runDir}/item-judgments.jsonl\n`,
  );
  if (result.interrupted) process.stdout.write("interrupted: rerun the same command to resume\n");
}
