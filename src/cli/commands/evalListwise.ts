/**
 * `genrm eval --listwise rating|ranking`: the multi-response rows of a data set (RewardBench 2,
 * RM-Bench) judged whole by a rating or 4-way ranking judge instead of in pairs, scored as the
 * benchmark scores them. Writes config.json, item-judgments.jsonl and summary.json in the run
 * directory (`evaluateItemsInDir`); a rerun skips rows already judged there.
 */
import path from "node:path";
import { itemsFromPairs } from "../../data/adapters/expandItem.js";
import { loadPairs } from "../../data/index.js";
import type { Engine } from "../../engine/types.js";
import { ConfigError } from "../../errors.js";
import { formatBenchmarks } from "../../eval/formatEvalTable.js";
import { createListwiseJudge, type ListwiseProtocol } from "../../judge/createListwiseJudge.js";
import { evaluateItemsInDir, type ListwiseSummary } from "../../run/evaluateItemsInDir.js";
import { configHash, prepareRunDir, slug } from "../../run/runDir.js";
import { lockRunDir, type RunDirLock } from "../../run/runDirLock.js";
import { genrmVersion } from "../../version.js";
import { openJudgeEngine, samplingFromFlags } from "../judgeFlags.js";
import type { EvalCommandOptions } from "./eval.js";

export interface ListwiseEvalResult {
  runDir: string;
  summary: ListwiseSummary;
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

  const k = options.k ?? 1;
  const seed = options.seed ?? 0;
  const sampling = samplingFromFlags(options);
  let engine: Engine | undefined;
  let lock: RunDirLock | undefined;
  try {
    engine = await openJudgeEngine(options);
    const judge = createListwiseJudge(engine, protocol, { k, seed, sampling });
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
    };
    const runDir =
      options.out ??
      path.join(
        "runs",
        `eval-${slug(path.basename(options.data).replace(/\.[^.]+$/, ""))}-${slug(judge.info.name)}-${configHash(runConfig).slice(0, 8)}`,
      );
    lock = lockRunDir(runDir, "eval");
    prepareRunDir(runDir, "eval", runConfig, genrmVersion(), { fresh: Boolean(options.fresh) });
    const { summary } = await evaluateItemsInDir(judge, items, runDir, {
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      fresh: Boolean(options.fresh),
    });
    return { runDir, summary };
  } finally {
    await engine?.dispose();
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
}
