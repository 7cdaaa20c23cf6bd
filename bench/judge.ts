/**
 * `npm run bench:judge`: generated tokens/s of CoT judging with k votes per pair through the
 * embedded engine, next to what node-llama-cpp does on its own with the same prompts.
 *
 * Model: a random-weight GGUF of SmolLM-135M's shape (d 576, 30 layers, 9/3 heads, FFN 1536, vocab
 * 49152, F16), written once into a cache directory. Its text is noise, so verdicts do not parse;
 * samples run to the token cap, which keeps the work per sample fixed and comparable.
 *
 * Rows (all on the same warm machine, same threads, same prompts, same token cap):
 * - genrm: `judgePair` (k samples per pair, one display order) with the engine's defaults: prompt
 *   evaluated once per pair and copied to the other sequences, k samples decoded in lockstep.
 * - node-llama-cpp, k sequences: one context with k sequences, each `evaluate(prompt)` with its own
 *   seed, all at once: what a user of node-llama-cpp would write. "decode only" counts the tokens after
 *   every sequence has its first token over the time after that moment: the decode speed of k
 *   parallel sequences, the limit for us.
 * - one at a time: one sequence, each sample evaluates the whole prompt and decodes alone (no
 *   batching, no prefix reuse), on the first pair only to keep the run short.
 *
 *   npm run bench:judge -- [--pairs 4] [--k 8] [--max-tokens 64] [--threads N] [--model path.gguf]
 *                          [--data llmbar.json] [--out bench-judge.json]
 */
import { existsSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { loadPairs } from "../src/data/index.js";
import type { PreferencePair } from "../src/data/types.js";
import { openLlamaCppEngine } from "../src/engine/llamacpp/index.js";
import type { LlamaCppEngine } from "../src/engine/llamacpp/types.js";
import type { SamplingConfig } from "../src/engine/types.js";
import { judgePair } from "../src/judge/index.js";
import { defaultTemplates } from "../src/judge/templates/builtinTemplates.js";
import { renderJudgePrompt } from "../src/judge/templates/renderJudgePrompt.js";
import { createTinyModel, SMOLLM_135M_SHAPE } from "../src/model/index.js";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const pairCount = Number(opt("pairs", "4"));
const k = Number(opt("k", "8"));
const maxTokens = Number(opt("max-tokens", "64"));
const threads = Number(opt("threads", String(availableParallelism())));
const dataPath = opt("data", "/work/shared/data/llmbar/Dataset/LLMBar/Natural/dataset.json");
const outFile = argv.includes("--out") ? opt("out", "") : undefined;
const sampling: SamplingConfig = { temperature: 1, topP: 0.95, maxTokens };
const contextSize = 2048;

const cacheDir = process.env.GENRM_CACHE_DIR ?? join(homedir(), ".cache", "genrm", "bench");
await mkdir(cacheDir, { recursive: true });
const modelPath = argv.includes("--model") ? opt("model", "") : join(cacheDir, "smollm-135m-shape-f16.gguf");
if (!existsSync(modelPath)) {
  console.error(`writing ${modelPath} (random weights, SmolLM-135M shape) ...`);
  await createTinyModel({ ...SMOLLM_135M_SHAPE, path: modelPath, seed: 1 });
}

const { pairs: allPairs } = await loadPairs(dataPath, { limit: pairCount });
const pairs = allPairs.slice(0, pairCount);
const template = defaultTemplates.cot;

interface Row {
  name: string;
  samples: number;
  generatedTokens: number;
  wallS: number;
  tokensPerS: number;
  decodeTokensPerS?: number;
}
const rows: Row[] = [];
const report = (row: Row) => {
  rows.push(row);
  const decode = row.decodeTokensPerS ? `, decode only ${row.decodeTokensPerS.toFixed(1)} tok/s` : "";
  console.log(
    `${row.name.padEnd(34)} ${String(row.samples).padStart(4)} samples ${String(row.generatedTokens).padStart(6)} tokens ` +
      `${row.wallS.toFixed(1).padStart(6)} s  ${row.tokensPerS.toFixed(1).padStart(6)} tok/s${decode}`,
  );
};

console.log(
  `bench:judge  model ${modelPath}\n  ${pairs.length} pairs x k=${k}, max ${maxTokens} tokens, threads ${threads}, ` +
    `temperature ${sampling.temperature}, top-p ${sampling.topP}`,
);

// --- genrm -------------------------------------------------------------------------------------
const engine: LlamaCppEngine = await openLlamaCppEngine({
  modelPath,
  threads,
  parallelSequences: k,
  contextSize,
});
const prompts: Token[][] = [];
for (const pair of pairs) {
  prompts.push((await engine.formatPrompt(renderJudgePrompt(template, pair, "AB"))) as Token[]);
}
console.log(`  prompt tokens per pair: ${prompts.map((p) => p.length).join(", ")}`);
// Warm-up: first decode of a fresh context allocates its buffers.
await engine.generate({
  messages: [{ role: "user", content: "hi" }],
  seeds: [0, 1],
  sampling: { ...sampling, maxTokens: 4 },
});
{
  const before = engine.stats();
  const t0 = performance.now();
  let generated = 0;
  let samples = 0;
  for (const pair of pairs as PreferencePair[]) {
    const judgment = await judgePair(engine, pair, {
      k,
      orderMode: "fixed",
      fixedOrder: "AB",
      sampling,
      seed: 1,
    });
    generated += judgment.usage.completionTokens;
    samples += judgment.usage.samples;
  }
  const wallS = (performance.now() - t0) / 1000;
  report({
    name: "genrm judgePair (engine)",
    samples,
    generatedTokens: generated,
    wallS,
    tokensPerS: generated / wallS,
  });
  const s = engine.stats();
  console.log(
    `  prompt tokens: asked ${s.promptTokens - before.promptTokens}, evaluated ${s.promptTokensEvaluated - before.promptTokensEvaluated}, ` +
      `copied ${s.promptTokensCopied - before.promptTokensCopied}, reused in place ${s.promptTokensReusedInPlace - before.promptTokensReusedInPlace}`,
  );
}
await engine.dispose();

// --- node-llama-cpp directly -------------------------------------------------------------------
const llama = await getLlama({ gpu: false, maxThreads: threads, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });

async function decodeDirect(
  m: LlamaModel,
  sequences: number,
  work: { prompt: Token[]; seeds: number[] }[],
): Promise<Row> {
  const context = await m.createContext({ sequences, contextSize, threads });
  const seqs = Array.from({ length: sequences }, () => context.getSequence());
  let generated = 0;
  let samples = 0;
  let decodeTokens = 0;
  let decodeMs = 0;
  const t0 = performance.now();
  for (const { prompt, seeds } of work) {
    for (let i = 0; i < seeds.length; i += sequences) {
      const batch = seeds.slice(i, i + sequences);
      let firstTokens = 0;
      let decodeStart = 0;
      const counts = await Promise.all(
        batch.map(async (seed, j) => {
          const seq = seqs[j]!;
          // Every sample evaluates its whole prompt: node-llama-cpp shares nothing between sequences.
          await seq.clearHistory();
          let n = 0;
          for await (const _ of seq.evaluate(prompt, {
            temperature: sampling.temperature,
            topP: sampling.topP,
            topK: null as unknown as number,
            minP: 0,
            seed,
          })) {
            n++;
            if (n === 1 && ++firstTokens === batch.length) decodeStart = performance.now();
            if (n >= maxTokens) break;
          }
          return n;
        }),
      );
      decodeMs += performance.now() - decodeStart;
      decodeTokens += counts.reduce((a, b) => a + b, 0) - batch.length;
      generated += counts.reduce((a, b) => a + b, 0);
      samples += batch.length;
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  await context.dispose();
  return {
    name: "",
    samples,
    generatedTokens: generated,
    wallS,
    tokensPerS: generated / wallS,
    decodeTokensPerS: decodeTokens / (decodeMs / 1000),
  };
}

const seedsFor = (p: number) => Array.from({ length: k }, (_, i) => 1000 * p + i);
// Warm-up, as for the engine.
await decodeDirect(model, 2, [{ prompt: model.tokenize("hi"), seeds: [0, 1] }]);
const direct = await decodeDirect(
  model,
  k,
  prompts.map((prompt, p) => ({ prompt, seeds: seedsFor(p) })),
);
report({ ...direct, name: `node-llama-cpp, ${k} sequences` });
const single = await decodeDirect(model, 1, [{ prompt: prompts[0]!, seeds: seedsFor(0) }]);
report({ ...single, name: "one sample at a time (1 pair)" });
await model.dispose();
await llama.dispose();

const genrm = rows[0]!;
const limit = direct.decodeTokensPerS!;
console.log(
  `\n  genrm / node-llama-cpp decode-only limit: ${(genrm.tokensPerS / limit).toFixed(2)}` +
    `   genrm / node-llama-cpp end to end: ${(genrm.tokensPerS / direct.tokensPerS).toFixed(2)}` +
    `   genrm / one at a time: ${(genrm.tokensPerS / single.tokensPerS).toFixed(2)}x`,
);
if (outFile) {
  writeFileSync(
    outFile,
    `${JSON.stringify({ modelPath, pairs: pairs.length, k, maxTokens, threads, sampling, prompts: prompts.map((p) => p.length), rows }, null, 2)}\n`,
  );
}
