/**
 * `npm run bench:judge`: generated tokens/s of CoT judging with k votes per pair through the
 * embedded engine, next to what node-llama-cpp does on its own with the same prompts.
 *
 * Model: a random-weight GGUF of SmolLM-135M's shape (d 576, 30 layers, 9/3 heads, FFN 1536, vocab
 * 49152, F16), written once into a cache directory. Its text is noise, so verdicts do not parse;
 * samples run to the token cap, which keeps the work per sample fixed and comparable.
 *
 * Rows (same threads, prompts, token cap and seeds scheme; run pair by pair in alternating order so
 * that load from other processes hits both alike):
 * - genrm: `judgePair` (k samples per pair, one display order) with the engine's defaults: prompt
 *   evaluated once per pair and copied to the other sequences, k samples decoded in lockstep.
 * - node-llama-cpp, k sequences: one context with k sequences, each `evaluate(prompt)` with its own
 *   seed, all at once: what a user of node-llama-cpp would write. "decode only" counts the tokens
 *   after every sequence has its first one, over the time after that moment: the decode speed of k
 *   parallel sequences, the limit for us. genrm's "decode only" is its lockstep steps' time.
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
import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
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

// The rows alternate pair by pair (genrm first on even pairs, node-llama-cpp first on odd ones) so
// that drifting load from other processes hits both alike.
const engine: LlamaCppEngine = await openLlamaCppEngine({
  modelPath,
  threads,
  parallelSequences: k,
  contextSize,
});
const prompts: Token[][] = [];
for (const pair of pairs)
  prompts.push((await engine.formatPrompt(renderJudgePrompt(template, pair, "AB"))) as Token[]);
console.log(`  prompt tokens per pair: ${prompts.map((p) => p.length).join(", ")}`);

const llama = await getLlama({ gpu: false, maxThreads: threads, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const directContext = await model.createContext({ sequences: k, contextSize, threads });
const directSeqs = Array.from({ length: k }, () => directContext.getSequence());
const singleContext = await model.createContext({ sequences: 1, contextSize, threads });
const singleSeq = singleContext.getSequence();

interface Totals {
  samples: number;
  tokens: number;
  ms: number;
  decodeTokens: number;
  decodeMs: number;
}
const zero = (): Totals => ({ samples: 0, tokens: 0, ms: 0, decodeTokens: 0, decodeMs: 0 });
const ours = zero();
const direct = zero();
const single = zero();

async function runGenrm(pair: PreferencePair): Promise<void> {
  const before = engine.stats();
  const t0 = performance.now();
  const judgment = await judgePair(engine, pair, {
    k,
    orderMode: "fixed",
    fixedOrder: "AB",
    sampling,
    seed: 1,
  });
  ours.ms += performance.now() - t0;
  ours.tokens += judgment.usage.completionTokens;
  ours.samples += judgment.usage.samples;
  const after = engine.stats();
  ours.decodeTokens += after.generatedTokens - before.generatedTokens;
  ours.decodeMs += after.decodeMs - before.decodeMs;
}

/** node-llama-cpp on its own: each sequence evaluates the whole prompt, then decodes; all at once. */
async function runDirect(
  seqs: typeof directSeqs,
  prompt: Token[],
  seeds: number[],
  into: Totals,
): Promise<void> {
  for (let i = 0; i < seeds.length; i += seqs.length) {
    const batch = seeds.slice(i, i + seqs.length);
    let firstTokens = 0;
    let decodeStart = 0;
    const t0 = performance.now();
    const counts = await Promise.all(
      batch.map(async (seed, j) => {
        const seq = seqs[j]!;
        await seq.clearHistory();
        let n = 0;
        const options = {
          temperature: sampling.temperature,
          topP: sampling.topP,
          topK: null as unknown as number,
          minP: 0,
          seed,
        };
        for await (const _ of seq.evaluate(prompt, options)) {
          n++;
          if (n === 1 && ++firstTokens === batch.length) decodeStart = performance.now();
          if (n >= maxTokens) break;
        }
        return n;
      }),
    );
    const t1 = performance.now();
    const total = counts.reduce((a, b) => a + b, 0);
    into.ms += t1 - t0;
    into.tokens += total;
    into.samples += batch.length;
    into.decodeTokens += total - batch.length;
    into.decodeMs += t1 - decodeStart;
  }
}

const seedsFor = (p: number) => Array.from({ length: k }, (_, i) => 1000 * p + i);
// Warm-up: the first decode of a fresh context allocates its buffers.
await engine.generate({
  messages: [{ role: "user", content: "hi" }],
  seeds: [0, 1],
  sampling: { ...sampling, maxTokens: 4 },
});
await runDirect(directSeqs.slice(0, 2), model.tokenize("hi"), [0, 1], zero());
const before = engine.stats();
for (let p = 0; p < pairs.length; p++) {
  const steps = [() => runGenrm(pairs[p]!), () => runDirect(directSeqs, prompts[p]!, seedsFor(p), direct)];
  if (p % 2 === 1) steps.reverse();
  for (const step of steps) await step();
  if (p === 0) await runDirect([singleSeq], prompts[0]!, seedsFor(0), single);
  console.error(`  pair ${p + 1}/${pairs.length} done`);
}
const s = engine.stats();
await engine.dispose();
await directContext.dispose();
await singleContext.dispose();
await model.dispose();
await llama.dispose();

const row = (name: string, t: Totals): Row => ({
  name,
  samples: t.samples,
  generatedTokens: t.tokens,
  wallS: t.ms / 1000,
  tokensPerS: t.tokens / (t.ms / 1000),
  decodeTokensPerS: t.decodeTokens / (t.decodeMs / 1000),
});
report(row("genrm judgePair (engine)", ours));
report(row(`node-llama-cpp, ${k} sequences`, direct));
report(row("one sample at a time (pair 1 only)", single));
console.log(
  `  genrm prompt tokens: asked ${s.promptTokens - before.promptTokens}, evaluated ${s.promptTokensEvaluated - before.promptTokensEvaluated}, ` +
    `copied ${s.promptTokensCopied - before.promptTokensCopied}, reused in place ${s.promptTokensReusedInPlace - before.promptTokensReusedInPlace}; ` +
    `${s.decodeSteps - before.decodeSteps} decode steps, ${((s.decodeRows - before.decodeRows) / (s.decodeSteps - before.decodeSteps)).toFixed(1)} rows per step`,
);
const [g, d, one] = rows as [Row, Row, Row];
console.log(
  `\n  genrm end to end / node-llama-cpp decode-only limit: ${(g.tokensPerS / d.decodeTokensPerS!).toFixed(2)}\n` +
    `  genrm decode only / node-llama-cpp decode only:      ${(g.decodeTokensPerS! / d.decodeTokensPerS!).toFixed(2)}\n` +
    `  genrm end to end / node-llama-cpp end to end:        ${(g.tokensPerS / d.tokensPerS).toFixed(2)}\n` +
    `  genrm end to end / one sample at a time:             ${(g.tokensPerS / one.tokensPerS).toFixed(2)}x`,
);
if (outFile) {
  writeFileSync(
    outFile,
    `${JSON.stringify({ modelPath, pairs: pairs.length, k, maxTokens, threads, sampling, prompts: prompts.map((p) => p.length), rows }, null, 2)}\n`,
  );
}
