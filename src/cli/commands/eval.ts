/**
 * `genrm eval`: judge a preference dataset and measure agreement with the human labels.
 *
 * Artifacts in the run directory: config.json (the resolved configuration and its hash),
 * judgments.jsonl (one Judgment per pair, appended as they finish: the resume point) and
 * summary.json (every metric, with provenance), written by `evaluateInDir`. Samples go to the
 * SQLite store as they arrive, so a killed run loses nothing it generated and an identical rerun is
 * served from the store; the store's run ledger records the run, its config and its outcome.
 *
 * `--head <head.ckpt>` judges with a BT or PairRM head from `genrm train` on genrm's own decoder
 * (`openHeadJudge`): no engine and no sample store (nothing is sampled); `--model` / `--lora`
 * override the model files the head records.
 */
import path from "node:path";
import { loadPairs } from "../../data/index.js";
import type { PreferencePair } from "../../data/types.js";
import type { Engine } from "../../engine/types.js";
import { ConfigError } from "../../errors.js";
import { formatEvalTable, scorePair, type summarizeEval } from "../../eval/index.js";
import { defaultHeadJudgeOptions, type HeadJudge, openHeadJudge } from "../../heads/index.js";
import { createLengthJudge, createLlmJudge, createRandomJudge, loadTemplate } from "../../judge/index.js";
import { defaultJudgeOptions } from "../../judge/resolveJudgeConfig.js";
import type { Judge, JudgeInfo, OrderMode } from "../../judge/types.js";
import { createProgressReporter } from "../../progress/index.js";
import { type EvaluateInDirResult, evaluateInDir } from "../../run/evaluateInDir.js";
import { writeJsonLinesFile } from "../../run/jsonFile.js";
import type { RunDirLock } from "../../run/runDirLock.js";
import { asStorageError } from "../../run/storageErrors.js";
import { SampleStore } from "../../store/index.js";
import { genrmVersion } from "../../version.js";
import { gracefulStop } from "../gracefulStop.js";
import {
  type JudgeFlags,
  judgeOptionsFromFlags,
  judgeSettings,
  openJudgeEngine,
  type ResolvedJudgeOptions,
} from "../judgeFlags.js";
import { givenOnly } from "../parseArgs.js";
import { defaultStorePath } from "../paths.js";
import { openEvalRun, recordFailure } from "../runLedger.js";

export interface EvalCommandOptions extends JudgeFlags {
  data: string;
  format?: string;
  map?: string;
  skipInvalid?: boolean;
  limit?: number;
  baseline?: "length" | "random";
  /** Judge multi-response rows whole (commands/evalListwise.ts). */
  listwise?: "rating" | "ranking";
  /** A BT / PairRM head checkpoint (`<run>/head.ckpt`) to judge with. */
  head?: string;
  concurrency?: number;
  out?: string;
  store?: string;
  fresh?: boolean;
  dumpPrompts?: string;
  bootstrap?: number;
  json?: boolean;
  progress?: "bar" | "plain" | "silent";
}

export interface EvalCommandResult {
  runDir: string;
  summary: ReturnType<typeof summarizeEval>;
  interrupted: boolean;
}

export async function runEvalCommand(options: EvalCommandOptions): Promise<EvalCommandResult> {
  const { data } = options;

  const loaded = await loadPairs(data, {
    ...(options.format ? { format: options.format } : {}),
    ...(options.map ? { map: options.map } : {}),
    ...(options.skipInvalid ? { skipInvalid: true } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const pairs: PreferencePair[] = loaded.pairs;
  if (loaded.skipped.count > 0) {
    process.stderr.write(
      `skipped ${loaded.skipped.count} invalid records: ${Object.entries(loaded.skipped.byReason)
        .map(([r, n]) => `${r} ${n}`)
        .join(", ")}\n`,
    );
  }

  checkHeadFlags(options);
  if (options.dumpPrompts !== undefined && (options.baseline !== undefined || options.head !== undefined)) {
    throw new ConfigError([
      "dumpPrompts: --baseline and --head judges send no prompt to a model; --dump-prompts is for LLM judges",
    ]);
  }
  const modelFree = options.baseline !== undefined || options.head !== undefined;
  const storePath = options.store ?? defaultStorePath();
  let store: SampleStore | undefined;
  let engine: Engine | undefined;
  let headJudge: HeadJudge | undefined;
  let lock: RunDirLock | undefined;
  /** The ledger row of this run while it is open (its end not yet recorded). */
  let ledgerRun: string | undefined;
  const stop = gracefulStop("finishing in-flight writes; rerun the same command to resume");
  try {
    store = modelFree ? undefined : SampleStore.open(storePath);
    let judge: Judge;
    let settings: EvalJudgeSettings;
    if (options.baseline !== undefined) {
      const seed = options.seed ?? defaultJudgeOptions.seed;
      judge = options.baseline === "length" ? createLengthJudge() : createRandomJudge({ seed });
      settings = { kind: "baseline", seed };
    } else if (options.head !== undefined) {
      headJudge = await openHeadJudge({
        headFile: options.head,
        ...(options.model !== undefined ? { modelPath: options.model } : {}),
        ...(options.lora !== undefined ? { adapterPath: options.lora[0]! } : {}),
        ...(options.template !== undefined ? { template: await loadTemplate(options.template) } : {}),
        ...givenOnly({ orderMode: options.order, seed: options.seed }),
        signal: stop.signal,
      });
      judge = headJudge;
      settings = {
        kind: "head",
        files: headJudge.files,
        order: headJudge.kind === "score" ? null : (options.order ?? defaultHeadJudgeOptions.orderMode),
        seed: options.seed ?? defaultHeadJudgeOptions.seed,
      };
    } else {
      const judgeOptions = await judgeOptionsFromFlags(options);
      engine = await openJudgeEngine(options);
      if (options.dumpPrompts !== undefined)
        await dumpPrompts(options.dumpPrompts, engine, pairs, judgeOptions);
      judge = createLlmJudge(engine, {
        ...judgeOptions,
        ...(store ? { cache: store.sampleCache(), probabilityCache: store.probabilityCache() } : {}),
      });
      settings = { kind: "llm", options: judgeOptions };
    }

    const runConfig = {
      ...evalRunConfig(
        {
          path: path.resolve(data),
          format: loaded.format,
          pairs: pairs.length,
          limit: options.limit ?? null,
        },
        judge.info,
        settings,
      ),
      // What an HTTP engine adds to every sampled request changes the samples, so it is part of the run.
      ...(engine?.info.requestFields ? { engineRequest: engine.info.requestFields } : {}),
    };
    const opened = openEvalRun({
      out: options.out,
      data: data,
      judgeName: judge.info.name,
      runConfig,
      store,
      fresh: Boolean(options.fresh),
    });
    lock = opened.lock;
    const { runDir, runId } = opened;
    ledgerRun = runId;
    const progress = createProgressReporter(`eval ${judge.info.name}`, {
      unit: "pairs",
      ...(options.progress ? { mode: options.progress } : {}),
    });
    let correct = 0;
    let scored = 0;
    const byId = new Map(pairs.map((p) => [p.id, p]));
    let evaluated: EvaluateInDirResult;
    try {
      evaluated = await evaluateInDir(judge, pairs, runDir, {
        ...givenOnly({ concurrency: options.concurrency }),
        signal: stop.signal,
        fresh: Boolean(options.fresh),
        onStop: "summarize",
        onProgress: ({ done, total, judgment }) => {
          const label = byId.get(judgment.pairId)?.label;
          const score = label === undefined ? null : scorePair(judgment.verdict, label);
          if (score !== null) {
            scored++;
            correct += score;
          }
          progress.update({ done, total, metrics: { acc: scored ? (correct / scored).toFixed(3) : "-" } });
        },
        summary: { bootstrap: { ...givenOnly({ resamples: options.bootstrap }), seed: runConfig.seed } },
        extra: (outcome) => ({
          run: {
            dir: runDir,
            configHash: opened.configHash,
            genrmVersion: genrmVersion(),
            judged: outcome.judged,
            resumed: outcome.resumed,
            interrupted: outcome.interrupted,
            wallMs: outcome.wallMs,
            skippedRecords: loaded.skipped.count,
          },
        }),
      });
    } finally {
      progress.stop();
    }
    const { summary, record, outcome } = evaluated;
    store?.recordRunEnd(runId, outcome.interrupted ? "interrupted" : "finished", {
      pairs: summary.counts.pairs,
      judgments: summary.counts.judgments,
      accuracy: summary.accuracy.accuracy,
    });
    ledgerRun = undefined;
    return { runDir, summary: record as typeof summary, interrupted: outcome.interrupted };
  } catch (err) {
    if (ledgerRun !== undefined) recordFailure(store, ledgerRun);
    throw asStorageError(err, { store: storePath });
  } finally {
    stop.dispose();
    await engine?.dispose();
    await headJudge?.dispose();
    store?.close();
    lock?.release();
  }
}

/** How the judge of an eval run was set up: what its config records beyond the judge's info. */
export type EvalJudgeSettings =
  | { kind: "llm"; options: ResolvedJudgeOptions }
  | { kind: "baseline"; seed: number }
  | { kind: "head"; files: HeadJudge["files"]; order: OrderMode | null; seed: number };

/**
 * What an eval run's config hash covers: the data, the judge, and every setting the judge
 * resolved, so a default spelled out on the command line hashes as its absence does. A model-free
 * judge records null for the settings it does not use.
 */
export function evalRunConfig(
  data: { path: string; format: string; pairs: number; limit: number | null },
  judge: JudgeInfo,
  settings: EvalJudgeSettings,
) {
  const unused = {
    protocol: null,
    k: null,
    adaptive: null,
    sampling: null,
    tiePolicy: null,
    errorPolicy: null,
  };
  switch (settings.kind) {
    case "llm": {
      const { orderMode, ...s } = judgeSettings(settings.options);
      return { data, judge, ...s, order: orderMode };
    }
    case "baseline":
      return { data, judge, ...unused, order: null, seed: settings.seed };
    case "head":
      return { data, judge, head: settings.files, ...unused, order: settings.order, seed: settings.seed };
  }
}

/**
 * `--dump-prompts FILE`: every prompt the judge will send, one JSON line per pair and order (the
 * messages, the forced prefix, the hash stored with each sample, and with the embedded engine the
 * exact text and token ids the model reads).
 */
async function dumpPrompts(
  file: string,
  engine: Engine,
  pairs: readonly PreferencePair[],
  o: ResolvedJudgeOptions,
): Promise<void> {
  const { judgePrompts } = await import("../../judge/judgePrompts.js");
  const rows = [];
  for (const pair of pairs) {
    rows.push(
      ...(await judgePrompts(engine, pair, {
        template: o.template,
        orderMode: o.orderMode,
        seed: o.seed,
        fixedOrder: o.fixedOrder,
      })),
    );
  }
  writeJsonLinesFile(file, rows);
  process.stderr.write(`wrote ${rows.length} prompts to ${file}\n`);
}

/** Flags that mean nothing for a head judge are errors, not silently ignored. */
function checkHeadFlags(options: EvalCommandOptions): void {
  if (options.head === undefined) return;
  const issues: string[] = [];
  if (options.baseline !== undefined) issues.push("head: --head and --baseline exclude each other");
  if (options.baseUrl !== undefined)
    issues.push("head: --head runs the head on genrm's own decoder; --base-url does not apply");
  if (options.lora !== undefined && options.lora.length > 1)
    issues.push(`lora: --head takes one adapter, got ${options.lora.length}`);
  if (options.k !== undefined && options.k !== 1)
    issues.push("k: a head is deterministic; -k does not apply");
  if (options.adaptive !== undefined)
    issues.push("adaptive: a head draws no samples; --adaptive does not apply");
  if (issues.length > 0) throw new ConfigError(issues);
}

export function printEvalResult(result: EvalCommandResult, { json = false }: { json?: boolean } = {}): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatEvalTable(result.summary)}\n`);
  process.stdout.write(`\nresults: ${result.runDir}/summary.json, ${result.runDir}/judgments.jsonl\n`);
  if (result.interrupted) process.stdout.write("interrupted: rerun the same command to resume\n");
}
