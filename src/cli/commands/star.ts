/**
 * `genrm star`: STaR-SFT, STaR-DPO or STaR-Rationalizer iterations on a preference dataset from a
 * base GGUF (src/star/runStar.ts; layout and manifest in docs/star.md).
 *
 * The command's options are saved in `<out>/command.json`; `genrm star --resume --out DIR` reads
 * them back, and rerunning the same command line does the same. SIGINT / SIGTERM stop after the
 * current training step (with a checkpoint) or sample batch; exit code 130.
 */

import path from "node:path";
import { loadPairs } from "../../data/index.js";
import { ConfigError } from "../../errors.js";
import { loadTemplate } from "../../judge/templates/loadTemplate.js";
import type { OrderMode } from "../../judge/types.js";
import { createProgressReporter } from "../../progress/index.js";
import { writeJsonFile } from "../../run/jsonFile.js";
import { readSavedOptions, resumeOptions, savedOptions } from "../../run/runDir.js";
import { lockRunDir } from "../../run/runDirLock.js";
import { asStorageError } from "../../run/storageErrors.js";
import { runStar, type StarEvalSet, type StarMethod, type StarResult } from "../../star/index.js";
import { defaultStarOptions } from "../../star/starDefaults.js";
import { gracefulStop } from "../gracefulStop.js";
import {
  type EmbeddedEngineFlags,
  embeddedEngineFromFlags,
  type SamplingFlags,
  samplingFromFlags,
} from "../judgeFlags.js";
import { givenOnly } from "../parseArgs.js";
import { type StarScaleFlags, starScaleFromFlags } from "../starScaleFlags.js";
import { type TrainerFlags, trainerFlagIssues, trainOptionsFromFlags } from "../trainerFlags.js";

export interface StarCommandOptions extends TrainerFlags, EmbeddedEngineFlags, SamplingFlags, StarScaleFlags {
  method?: StarMethod;
  model?: string;
  data?: string;
  out: string;
  format?: string;
  map?: string;
  limit?: number;
  skipInvalid?: boolean;
  evalData?: string[];
  iterations?: number;
  k?: number;
  orders?: "random" | "both";
  seed?: number;
  template?: string;
  rationalizerTemplate?: string;
  maxPerPair?: number;
  dedupe?: boolean;
  pairsPerPrompt?: "one" | "max";
  reference?: "sampler" | "base";
  rejectUnparseable?: boolean;
  rationalize?: "all" | "failed";
  keepInconsistent?: boolean;
  restartFromBase?: boolean;
  evalK?: number;
  evalOrder?: OrderMode;
  concurrency?: number;
  store?: string;
  resume?: boolean;
  progress?: "bar" | "plain" | "silent";
  json?: boolean;
}

const notSaved = new Set(["resume", "progress", "json"]);

export async function runStarCommand(given: StarCommandOptions): Promise<StarResult> {
  const runDir = path.resolve(given.out);
  const lock = lockRunDir(runDir, "star");
  try {
    return await starInRunDir(given, runDir);
  } catch (err) {
    throw asStorageError(err, {
      dir: runDir,
      rerun: `genrm star --resume --out ${given.out}`,
      ...(given.store !== undefined ? { store: given.store } : {}),
    });
  } finally {
    lock.release();
  }
}

async function starInRunDir(given: StarCommandOptions, runDir: string): Promise<StarResult> {
  const commandFile = path.join(runDir, "command.json");
  let o = given;
  if (given.resume) {
    const saved = readSavedOptions<StarCommandOptions>(
      commandFile,
      "rerun the original genrm star command line (without --resume) to write it again",
    );
    if (saved === null) {
      throw new ConfigError([`out: ${runDir} holds no STaR run (no command.json)`], {
        hint: "start one with `genrm star --method star-dpo --model base.gguf --data pairs.jsonl --out DIR`",
      });
    }
    // Commander always sets the negatable flag's default (true); only --no-reject-unparseable is a choice.
    o = resumeOptions(saved, {
      ...given,
      rejectUnparseable: given.rejectUnparseable === false ? false : undefined,
      neutralSamplers: given.neutralSamplers === false ? false : undefined,
    });
  }
  const issues: string[] = [];
  if (o.method === undefined) issues.push("method: required (--method star-sft|star-dpo|star-rationalizer)");
  if (o.model === undefined) issues.push("model: required (--model base.gguf)");
  if (o.data === undefined) issues.push("data: required (--data pairs.jsonl)");
  issues.push(...trainerFlagIssues(o));
  if (issues.length > 0) throw new ConfigError(issues);
  const scale = starScaleFromFlags(o);

  const skipInvalid = o.skipInvalid ? { skipInvalid: true } : {};
  const reportSkipped = (
    file: string,
    skipped: { count: number; byReason: Record<string, number | undefined> },
  ) => {
    if (skipped.count === 0) return;
    const reasons = Object.entries(skipped.byReason).map(([r, n]) => `${r} ${n}`);
    process.stderr.write(`${file}: skipped ${skipped.count} invalid records (${reasons.join(", ")})\n`);
  };
  const loaded = await loadPairs(o.data!, {
    ...(o.format ? { format: o.format } : {}),
    ...(o.map ? { map: o.map } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...skipInvalid,
  });
  reportSkipped(o.data!, loaded.skipped);
  const evalSets: StarEvalSet[] = [];
  for (const spec of o.evalData ?? []) {
    const eq = spec.indexOf("=");
    const [name, file] =
      eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [path.basename(spec).replace(/\.[^.]+$/, ""), spec];
    const set = await loadPairs(file, skipInvalid);
    reportSkipped(file, set.skipped);
    evalSets.push({ name, pairs: set.pairs });
  }

  writeJsonFile(commandFile, { options: savedOptions(o, (k) => !notSaved.has(k)) });

  const trainOptions = trainOptionsFromFlags(o);

  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stop = gracefulStop("stopping at the next safe point; rerun with --resume to continue");
  const mode = o.progress ?? (process.stderr.isTTY ? "bar" : "plain");
  let reporter: ReturnType<typeof createProgressReporter> | null = null;
  let phase = "";
  try {
    return await runStar(
      {
        method: o.method!,
        baseModel: o.model!,
        pairs: loaded.pairs,
        evalSets,
        outDir: runDir,
        dataSource: path.resolve(o.data!),
        ...(o.store !== undefined ? { store: path.resolve(o.store) } : {}),
        ...givenOnly({
          iterations: o.iterations,
          k: o.k,
          orders: o.orders,
          seed: o.seed,
          maxPerPair: o.maxPerPair,
          dedupe: o.dedupe,
          pairsPerPrompt: o.pairsPerPrompt,
          reference: o.reference,
          rejectUnparseable: o.rejectUnparseable,
          rationalize: o.rationalize,
          keepInconsistent: o.keepInconsistent,
          restartFromBase: o.restartFromBase,
          evalK: o.evalK,
          evalOrder: o.evalOrder,
          concurrency: o.concurrency,
        }),
        ...(o.template !== undefined ? { template: await loadTemplate(o.template) } : {}),
        ...(o.rationalizerTemplate !== undefined
          ? { rationalizerTemplate: await loadTemplate(o.rationalizerTemplate) }
          : {}),
        sampling: samplingFromFlags(o, defaultStarOptions.sampling),
        train: trainOptions,
        engine: embeddedEngineFromFlags(o),
        ...scale,
        resumeCommand: `genrm star --resume --out ${given.out}`,
      },
      {
        signal: stop.signal,
        log: (line) => {
          reporter?.stop();
          reporter = null;
          log(line);
        },
        onProgress: (p) => {
          if (mode === "silent") return;
          const name = `iter ${p.iteration} ${p.phase}`;
          if (name !== phase || reporter === null) {
            reporter?.stop();
            phase = name;
            reporter = createProgressReporter(name, { unit: p.phase === "train" ? "steps" : "pairs", mode });
          }
          reporter.update({ done: p.done, total: p.total });
        },
      },
    );
  } finally {
    (reporter as ReturnType<typeof createProgressReporter> | null)?.stop();
    stop.dispose();
  }
}

export function printStarResult(r: StarResult, options: { json: boolean }): void {
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ runDir: r.runDir, stopReason: r.stopReason, finalModel: r.finalModel, manifest: r.manifest })}\n`,
    );
    return;
  }
  const m = r.manifest;
  const lines = [`${m.method} ${r.stopReason === "completed" ? "finished" : "stopped"}: ${r.runDir}`];
  const acc = (evals: { name: string; accuracy: number | null }[]) =>
    evals.map((e) => `${e.name} ${e.accuracy === null ? "-" : e.accuracy.toFixed(3)}`).join(", ");
  if (m.baseEvals.length > 0) lines.push(`  base: ${acc(m.baseEvals)}`);
  for (const it of m.iterations) {
    const c = it.counts;
    lines.push(
      `  iter ${it.iteration} [${it.status}]: ${c ? `${c.samples} samples, ${c.correct} correct, ${c.rows} rows` : "not sampled"}` +
        `${it.training?.steps != null ? `, ${it.training.steps} steps` : ""}${it.evals.length > 0 ? `; ${acc(it.evals)}` : ""}`,
    );
  }
  const final = m.finalModel;
  if (r.finalModel && final) {
    lines.push(`  model: ${final.path}${final.adapter ? ` + LoRA adapter ${final.adapter.path}` : ""}`);
  } else lines.push(`  continue with: genrm star --resume --out ${r.runDir}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
