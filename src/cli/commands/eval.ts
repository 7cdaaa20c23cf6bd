/**
 * `genrm eval`: judge a preference dataset and measure agreement with the human labels.
 *
 * Artifacts in the run directory: config.json (the resolved configuration and its hash),
 * judgments.jsonl (one Judgment per pair, appended as they finish: the resume point) and
 * summary.json (every metric, with provenance). Samples go to the SQLite store as they arrive, so a
 * killed run loses nothing it generated and an identical rerun is served from the store.
 *
 * `--head <head.ckpt>` judges with a BT or PairRM head from `genrm train` on genrm's own decoder
 * (`openHeadJudge`): no engine and no sample store (nothing is sampled); `--model` / `--lora`
 * override the model files the head records.
 */
import fs from "node:fs";
import path from "node:path";
import { loadPairs } from "../../data/index.js";
import type { PreferencePair } from "../../data/types.js";
import type { Engine } from "../../engine/types.js";
import { ConfigError } from "../../errors.js";
import { formatEvalTable, scorePair, summarizeEval } from "../../eval/index.js";
import { type HeadJudge, openHeadJudge } from "../../heads/index.js";
import { createLengthJudge, createLlmJudge, createRandomJudge, loadTemplate } from "../../judge/index.js";
import type { Judge } from "../../judge/types.js";
import { createProgressReporter } from "../../progress/index.js";
import { JudgmentLog } from "../../run/JudgmentLog.js";
import { writeJsonFile } from "../../run/jsonFile.js";
import { configHash, prepareRunDir } from "../../run/runDir.js";
import { lockRunDir, type RunDirLock } from "../../run/runDirLock.js";
import { runJudging } from "../../run/runJudging.js";
import { asStorageError } from "../../run/storageErrors.js";
import { SampleStore } from "../../store/index.js";
import { genrmVersion } from "../../version.js";
import { type JudgeFlags, judgeOptionsFromFlags, openJudgeEngine } from "../judgeFlags.js";
import { defaultStorePath } from "../paths.js";

export interface EvalCommandOptions extends JudgeFlags {
  data: string;
  format?: string;
  map?: string;
  skipInvalid?: boolean;
  limit?: number;
  baseline?: "length" | "random";
  /** A BT / PairRM head checkpoint (`<run>/head.ckpt`) to judge with. */
  head?: string;
  concurrency?: number;
  out?: string;
  store?: string;
  fresh?: boolean;
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
  const {
    data,
    seed = 0,
    k = 1,
    protocol = "cot",
    order = "both",
    concurrency = 4,
    bootstrap = 1000,
  } = options;

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
  const modelFree = options.baseline !== undefined || options.head !== undefined;
  const storePath = options.store ?? defaultStorePath();
  let store: SampleStore | undefined;
  let engine: Engine | undefined;
  let headJudge: HeadJudge | undefined;
  let lock: RunDirLock | undefined;
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write("\ninterrupted: finishing in-flight writes; rerun the same command to resume\n");
    controller.abort(new Error("SIGINT"));
  };
  process.once("SIGINT", onSigint);
  try {
    store = modelFree ? undefined : SampleStore.open(storePath);
    let judge: Judge;
    if (options.baseline === "length") judge = createLengthJudge();
    else if (options.baseline === "random") judge = createRandomJudge({ seed });
    else if (options.head !== undefined) {
      headJudge = await openHeadJudge({
        headFile: options.head,
        ...(options.model !== undefined ? { modelPath: options.model } : {}),
        ...(options.lora !== undefined ? { adapterPath: options.lora[0]! } : {}),
        ...(options.template !== undefined ? { template: await loadTemplate(options.template) } : {}),
        orderMode: order,
        seed,
        signal: controller.signal,
      });
      judge = headJudge;
    } else {
      engine = await openJudgeEngine(options);
      judge = createLlmJudge(engine, {
        ...(await judgeOptionsFromFlags(options)),
        ...(store ? { cache: store.sampleCache(), probabilityCache: store.probabilityCache() } : {}),
      });
    }

    const runConfig = {
      data: {
        path: path.resolve(data),
        format: loaded.format,
        pairs: pairs.length,
        limit: options.limit ?? null,
      },
      judge: judge.info,
      ...(headJudge ? { head: headJudge.files } : {}),
      protocol: modelFree ? null : protocol,
      k: modelFree ? null : k,
      order: options.baseline || headJudge?.kind === "score" ? null : order,
      adaptive: options.adaptive ?? null,
      seed,
      sampling: modelFree
        ? null
        : {
            temperature: options.temperature ?? 1.0,
            topP: options.topP ?? 0.95,
            maxTokens: options.maxTokens ?? 1024,
          },
      tiePolicy: options.tiePolicy ?? null,
      errorPolicy: options.errorPolicy ?? null,
    };
    const runDir =
      options.out ??
      path.join(
        "runs",
        `eval-${slug(path.basename(data).replace(/\.[^.]+$/, ""))}-${slug(judge.info.name)}-${configHash(runConfig).slice(0, 8)}`,
      );
    // Before anything is written there: a second process on this directory stops here.
    lock = lockRunDir(runDir, "eval");
    const dirConfig = options.fresh
      ? prepareRunDirFresh(runDir, runConfig)
      : prepareRunDir(runDir, "eval", runConfig, genrmVersion());
    const log = JudgmentLog.open(path.join(runDir, "judgments.jsonl"), { resume: !options.fresh });
    const progress = createProgressReporter(`eval ${judge.info.name}`, {
      unit: "pairs",
      ...(options.progress ? { mode: options.progress } : {}),
    });
    let correct = 0;
    let scored = 0;
    const byId = new Map(pairs.map((p) => [p.id, p]));
    let result: Awaited<ReturnType<typeof runJudging>>;
    try {
      result = await runJudging(judge, pairs, log, {
        concurrency,
        signal: controller.signal,
        onProgress: ({ done, total, judgment }) => {
          const label = byId.get(judgment.pairId)?.label;
          const score = label === undefined ? null : scorePair(judgment.verdict, label);
          if (score !== null) {
            scored++;
            correct += score;
          }
          progress.update({ done, total, metrics: { acc: scored ? (correct / scored).toFixed(3) : "-" } });
        },
      });
    } finally {
      progress.stop();
      log.close();
    }

    const summary = summarizeEval(result.judgments, pairs, { bootstrap: { resamples: bootstrap, seed } });
    const record = {
      ...summary,
      run: {
        dir: runDir,
        configHash: dirConfig.configHash,
        genrmVersion: genrmVersion(),
        judged: result.judged,
        resumed: result.resumed,
        interrupted: result.interrupted,
        wallMs: result.wallMs,
        skippedRecords: loaded.skipped.count,
      },
    };
    writeJsonFile(path.join(runDir, "summary.json"), record);
    return { runDir, summary: record as typeof summary, interrupted: result.interrupted };
  } catch (err) {
    throw asStorageError(err, { store: storePath });
  } finally {
    process.off("SIGINT", onSigint);
    await engine?.dispose();
    await headJudge?.dispose();
    store?.close();
    lock?.release();
  }
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

function prepareRunDirFresh(dir: string, config: unknown) {
  fs.rmSync(path.join(dir, "config.json"), { force: true });
  return prepareRunDir(dir, "eval", config, genrmVersion());
}

function slug(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "x"
  );
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
