/**
 * `genrm world pretrain`: the mini world's base model from the seed (corpus, tokenizer, random
 * init, full pretraining with genrm's trainer, F16 GGUF), with a JSON sidecar `<out>.json` that
 * records everything needed to rebuild it (seed, corpus, model and training configs, template
 * hashes), its sha256, the training time and, with `--measure`, its measured judge properties.
 * `genrm world measure`: those judge properties for any mini-world model.
 *
 * SIGINT / SIGTERM stop after the current step with a checkpoint in `<out>.run`; `--resume`
 * continues from it.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ConfigError } from "../../errors.js";
import { templateHash } from "../../judge/templates/templateHash.js";
import { worldTemplates } from "../../judge/templates/worldTemplates.js";
import { writeJsonFile } from "../../run/jsonFile.js";
import { genrmVersion } from "../../version.js";
import { generateWorld } from "../../world/generateWorld.js";
import {
  measureWorldModel,
  type PretrainWorldOptions,
  type PretrainWorldResult,
  pretrainWorldModel,
  type WorldModelMeasurement,
} from "../../world/pretrain/index.js";
import { worldSplitNames } from "../../world/resolveWorldConfig.js";
import type { StepFormat, WorldSplitName } from "../../world/types.js";
import { writeWorldSplits } from "../../world/writeWorldSplits.js";
import { gracefulStop } from "../gracefulStop.js";
import { givenOnly } from "../parseArgs.js";

/**
 * The full recipe (the committed base model) and a much weaker one that fits tests. The corpus
 * leans on drill rows: they are short, every token carries loss, and their steps sit right after
 * the question, so they teach the addition facts and copying the terms per token far better than
 * judge transcripts, whose ~70-token prompts carry no loss (a first recipe with the default mix,
 * width 192 and 786k tokens wrote the transcript format but neither copied the terms nor added).
 */
const drillHeavyMix = { drill: 0.4, answer: 0.02, cot: 0.45, direct: 0.03, rationalizer: 0.1 };
/**
 * The full recipe adds lookup drills (the last step, the quotes and the conclusion right after the
 * answers): without them the 4-layer model quoted the answers about as well as a coin and its
 * verdict did not follow its work (docs/mini-world.md, "Making the verdict follow the work").
 */
const lookupMix = { drill: 0.3, answer: 0.02, cot: 0.4, direct: 0.03, rationalizer: 0.1, lookup: 0.15 };
export const worldPretrainPresets = {
  full: {
    rows: 24000,
    epochs: 3,
    model: { hidden: 128, layers: 4, heads: 4, kvHeads: 2, ffn: 384 },
    lr: 3e-3,
    mix: lookupMix,
    stepFormat: "compact",
  },
  quick: {
    rows: 1200,
    epochs: 1,
    model: { hidden: 96, layers: 3, heads: 4, kvHeads: 2, ffn: 288 },
    lr: 3e-3,
    mix: drillHeavyMix,
    stepFormat: "compact",
  },
} as const;

export interface WorldPretrainCommandOptions {
  out: string;
  seed?: number;
  rows?: number;
  epochs?: number;
  lr?: number;
  stepFormat?: StepFormat;
  batchSize?: number;
  hidden?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  quick?: boolean;
  resume?: boolean;
  runDir?: string;
  measure?: boolean;
  pairs?: number;
  k?: number;
  json?: boolean;
  progress?: "bar" | "plain" | "silent";
}

export interface WorldBaseSidecar {
  format: "genrm-world-base@1";
  genrm: string;
  file: string;
  bytes: number;
  sha256: string;
  preset: "full" | "quick";
  recipe: PretrainWorldResult["recipe"];
  templates: Record<string, string>;
  training: {
    steps: number;
    examples: number;
    corpusTokens: number;
    trainTokens: number;
    trainSeconds: number;
    tokensPerSecond: number;
    firstLoss: number | null;
    lastLoss: number | null;
    resumedFrom: number;
  };
  measured: WorldModelMeasurement | null;
}

export async function runWorldPretrain(
  options: WorldPretrainCommandOptions,
): Promise<WorldBaseSidecar | null> {
  const preset = options.quick ? "quick" : "full";
  const p = worldPretrainPresets[preset];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stop = gracefulStop("stopping after this step and saving a checkpoint");
  const pretrainOptions: PretrainWorldOptions = {
    seed: options.seed ?? 0,
    out: options.out,
    corpus: { size: options.rows ?? p.rows, mix: p.mix, stepFormat: options.stepFormat ?? p.stepFormat },
    model: {
      ...p.model,
      ...(options.hidden !== undefined ? { hidden: options.hidden, ffn: 3 * options.hidden } : {}),
      ...(options.layers !== undefined ? { layers: options.layers } : {}),
      ...(options.heads !== undefined ? { heads: options.heads } : {}),
      ...(options.kvHeads !== undefined ? { kvHeads: options.kvHeads } : {}),
    },
    train: {
      epochs: options.epochs ?? p.epochs,
      lr: options.lr ?? p.lr,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    },
    resume: Boolean(options.resume),
    ...(options.runDir !== undefined ? { runDir: options.runDir } : {}),
    signal: stop.signal,
    progress: options.progress ?? (process.stderr.isTTY ? "bar" : "plain"),
    onPhase: (phase, detail) => log(`${phase}: ${detail}`),
  };
  let result: PretrainWorldResult;
  try {
    result = await pretrainWorldModel(pretrainOptions);
  } finally {
    stop.dispose();
  }
  if (result.stopReason !== "completed") {
    log(`stopped at step ${result.steps}/${result.totalSteps}; continue with --resume`);
    process.exitCode = 130;
    return null;
  }
  const measured = options.measure
    ? await measureWorldModel({
        modelPath: options.out,
        ...givenOnly({ pairs: options.pairs, k: options.k }),
        onProgress: ({ split, protocol, done, total }) => {
          if (done === total) log(`measured ${split} ${protocol}: ${total} pairs`);
        },
      })
    : null;
  const sidecar = await writeSidecar(options.out, preset, result, measured);
  if (options.json) process.stdout.write(`${JSON.stringify(sidecar, null, 2)}\n`);
  else printSidecar(sidecar);
  return sidecar;
}

export async function writeSidecar(
  out: string,
  preset: "full" | "quick",
  result: PretrainWorldResult,
  measured: WorldModelMeasurement | null,
): Promise<WorldBaseSidecar> {
  const bytes = await readFile(out);
  const sidecar: WorldBaseSidecar = {
    format: "genrm-world-base@1",
    genrm: genrmVersion(),
    file: out.split("/").at(-1) ?? out,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    preset,
    recipe: result.recipe,
    templates: Object.fromEntries(Object.values(worldTemplates).map((t) => [t.id, templateHash(t)])),
    training: {
      steps: result.steps,
      examples: result.examples,
      corpusTokens: result.corpusTokens,
      trainTokens: result.trainTokens,
      trainSeconds: result.trainSeconds,
      tokensPerSecond: result.trainSeconds > 0 ? result.trainTokens / result.trainSeconds : 0,
      firstLoss: result.firstLoss,
      lastLoss: result.lastLoss,
      resumedFrom: result.resumedFrom,
    },
    measured,
  };
  writeJsonFile(`${out}.json`, sidecar);
  return sidecar;
}

function printSidecar(s: WorldBaseSidecar): void {
  const t = s.training;
  const lines = [
    `wrote ${s.file} (${(s.bytes / 1e6).toFixed(2)} MB, sha256 ${s.sha256.slice(0, 16)}…) and ${s.file}.json`,
    `trained ${t.steps} steps on ${t.examples} sequences: ${t.trainTokens} tokens in ${t.trainSeconds.toFixed(0)} s (${t.tokensPerSecond.toFixed(0)} tok/s), loss ${t.firstLoss?.toFixed(3)} -> ${t.lastLoss?.toFixed(3)}`,
  ];
  if (s.measured !== null) lines.push(...formatMeasurement(s.measured));
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function formatMeasurement(m: WorldModelMeasurement): string[] {
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? "   -" : x.toFixed(3));
  const lines = [
    `split        direct  cot maj@1  maj@${m.k}  parse  steps  chain  sound  follows  length-judge`,
  ];
  for (const s of m.splits) {
    lines.push(
      `${s.split.padEnd(12)} ${pct(s.direct)}  ${pct(s.cot?.maj1)}      ${pct(s.cot?.majK)}  ${pct(s.cot?.parseRate)}  ${pct(s.cot?.stepAccuracy)}  ${pct(s.cot?.arithmeticCorrect)}  ${pct(s.cot?.sound)}  ${pct(s.cot?.conclusionFollowsWork)}    ${pct(s.lengthJudge)}`,
    );
  }
  lines.push(
    "chain: whole chain right; follows: verdict names the answer the worked result matches, when it matches exactly one",
  );
  lines.push(`(${m.splits[0]?.pairs ?? 0} pairs per split, ${m.seconds.toFixed(0)} s)`);
  return lines;
}

export interface WorldMeasureCommandOptions {
  model: string;
  pairs?: number;
  k?: number;
  seed?: number;
  worldSeed?: number;
  splits?: string[];
  json?: boolean;
}

export async function runWorldMeasure(options: WorldMeasureCommandOptions): Promise<WorldModelMeasurement> {
  const m = await measureWorldModel({
    modelPath: options.model,
    ...givenOnly({
      pairs: options.pairs,
      k: options.k,
      seed: options.seed,
      worldSeed: options.worldSeed,
      splits: options.splits as WorldSplitName[] | undefined,
    }),
  });
  if (options.json) process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
  else process.stdout.write(`${formatMeasurement(m).join("\n")}\n`);
  return m;
}

export interface WorldGenerateCommandOptions {
  out: string;
  seed?: number;
  splits?: string[];
  size?: string[];
  json?: boolean;
}

/** `genrm world generate`: the mini world's splits as JSONL, for any command or tool to judge. */
export async function runWorldGenerate(options: WorldGenerateCommandOptions): Promise<void> {
  const splits = (options.splits ?? worldSplitNames) as string[];
  const unknown = splits.filter((s) => !(worldSplitNames as readonly string[]).includes(s));
  const issues = unknown.map(
    (s) => `--splits: unknown split "${s}" (expected ${worldSplitNames.join(", ")})`,
  );
  const sizes: Partial<Record<WorldSplitName, number>> = {};
  for (const spec of options.size ?? []) {
    const [name, n] = spec.split("=");
    const count = Number(n);
    if (
      !name ||
      !(worldSplitNames as readonly string[]).includes(name) ||
      !Number.isInteger(count) ||
      count < 0
    ) {
      issues.push(`--size: expected <split>=<pairs> with a known split and a whole number, got "${spec}"`);
    } else sizes[name as WorldSplitName] = count;
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const world = generateWorld({ seed: options.seed ?? 0, sizes });
  const written = await writeWorldSplits(world, options.out, splits as WorldSplitName[]);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(written, null, 2)}\n`);
    return;
  }
  for (const [split, file] of Object.entries(written.files)) {
    process.stdout.write(
      `${split.padEnd(11)} ${String(world.splits[split as WorldSplitName].length).padStart(5)} pairs  ${file}\n`,
    );
  }
  process.stdout.write(
    `world.json  config, template hashes and split statistics  ${options.out}/world.json\n`,
  );
}
