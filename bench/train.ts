/**
 * `npm run bench:train`: training throughput of genrm's trainer next to PyTorch on CPU, and the
 * peak memory of a LoRA step on a Qwen2.5-0.5B-shaped model.
 *
 * Throughput: a full training step (forward, backward, global-norm clip, AdamW) of a Llama-style
 * decoder with full fine-tuning, cross-entropy on every next token of a random (batch, seq) batch,
 * through `train()` itself. The PyTorch peer (`bench/peers/train_torch.py`) builds the same model
 * and step. Each side reports its median step after one warm-up step; runs alternate so both see
 * similar machine load. GFLOP/s uses 6·N per token for the N matrix parameters (output projection
 * included) plus 12·L·T·C per token for attention (nanoGPT's `estimate_mfu`, after PaLM App. B).
 *
 * Memory: a child process loads a random Qwen2.5-0.5B-shaped GGUF (F16 storage; 24 layers, C 896,
 * 14/2 heads, FFN 4864, vocab 151936), attaches LoRA r=8 and takes two SFT steps on one
 * 1024-token sequence (loss on every position), then reports its peak RSS: with no flag (genrm
 * decides from its memory estimate), keeping every layer's activations (`--no-recompute`), and with
 * activation recomputation (`--recompute`).
 *
 * Packing (`--only packing`): tokens/s of STaR training steps on the mini world's base model
 * (assets/world/base.gguf) and the rows of a STaR run on it, padded (each micro-batch right-padded
 * to its longest row) against packed (its rows end to end in one sequence, block-diagonal mask),
 * in the same process, runs alternating, the same steps on the same rows. The trainer settings are
 * the demo's STaR ones (full fine-tuning, batch 8). Tokens are real tokens (padding excluded), so
 * the ratio is the speed-up on the same work. Rows: `--sft-rows` / `--dpo-rows` (JSONL training
 * rows, e.g. a STaR iteration's sft.jsonl and dpo.jsonl), by default those of the demo run in
 * ../wb/demo-s0 when present.
 *
 * PyTorch: Debian's `apt-get install -y python3-torch libopenblas0-pthread` (not a test dependency).
 *
 *   npm run bench:train -- [--steps 5] [--threads 2] [--only small,medium,rss,packing] [--no-torch] [--recompute] [--gemm]
 *                          [--sft-rows file] [--dpo-rows file] [--rounds 2]
 *
 * `--recompute` also uses activation recomputation in the throughput runs. `--only` defaults to
 * small,medium,rss.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "../src/model/loadModel.js";
import { createTinyModel, type TinyModelOptions } from "../src/model/tiny/index.js";
import { createRng, loadNativeBackend } from "../src/tensor/index.js";
import { resolveTrainConfig } from "../src/train/config.js";
import { encodeExamples, loadTrainRows, openTrainTokenizer } from "../src/train/data/index.js";
import type { TrainDataset } from "../src/train/data/types.js";
import { epochOrder, train } from "../src/train/loop.js";

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const flag = (name: string) => argv.includes(`--${name}`);

interface Shape {
  name: string;
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  seq: number;
  batch: number;
}

const shapes: Shape[] = [
  { name: "small", vocab: 320, hidden: 256, layers: 4, heads: 4, kvHeads: 4, ffn: 768, seq: 256, batch: 8 },
  {
    name: "medium",
    vocab: 4096,
    hidden: 512,
    layers: 8,
    heads: 8,
    kvHeads: 4,
    ffn: 1536,
    seq: 256,
    batch: 4,
  },
];

const QWEN_05B = {
  arch: "qwen2",
  hidden: 896,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  ffn: 4864,
  vocabSize: 151936,
  tensorType: "f16",
  tiedEmbeddings: true,
} as const satisfies TinyModelOptions;

/** Sequences whose every next token is a training target, as in the PyTorch peer. */
function randomDataset(n: number, seq: number, vocab: number, seed: number): TrainDataset {
  const rng = createRng(seed);
  const examples = Array.from({ length: n }, (_, i) => ({
    kind: "sequence" as const,
    seq: { tokens: Int32Array.from({ length: seq }, () => rng.int(vocab)), completionStart: 1 },
    ref: { file: "random", line: i + 1 },
  }));
  const report = {
    rows: n,
    examples: n,
    truncated: 0,
    droppedTooLong: 0,
    droppedTies: 0,
    maxTokens: seq,
    totalTokens: n * seq,
  };
  return { method: "sft", examples, report };
}

function flopsPerToken(s: Shape): number {
  const D = s.hidden / s.heads;
  const perLayer = s.hidden * D * (2 * s.heads + 2 * s.kvHeads) + 3 * s.hidden * s.ffn;
  const matrixParams = s.layers * perLayer + s.vocab * s.hidden;
  return 6 * matrixParams + 12 * s.layers * s.seq * s.hidden;
}

async function ours(s: Shape, steps: number, dir: string, recompute: boolean) {
  const gguf = join(dir, `${s.name}.gguf`);
  if (!existsSync(gguf)) {
    await createTinyModel({
      path: gguf,
      hidden: s.hidden,
      layers: s.layers,
      heads: s.heads,
      kvHeads: s.kvHeads,
      ffn: s.ffn,
      vocabSize: s.vocab,
      tiedEmbeddings: false,
    });
  }
  const model = await loadModel(gguf);
  const config = resolveTrainConfig({
    method: "sft",
    lora: false,
    lr: 1e-4,
    batchSize: s.batch,
    maxSteps: steps + 1,
    warmupRatio: 0,
    recompute,
  });
  const result = await train(model, randomDataset(s.batch * (steps + 1), s.seq, s.vocab, 1), config);
  const ms = result.history.slice(1).map((e) => (s.batch * s.seq * 1000) / e.tokens_per_second!);
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  return { tokensPerS: (s.batch * s.seq * 1000) / median, stepMs: ms.map((x) => Math.round(x)) };
}

function torch(s: Shape, steps: number, threads: number) {
  const r = spawnSync(
    "python3",
    [
      join(here, "peers/train_torch.py"),
      ...[
        "--vocab",
        s.vocab,
        "--hidden",
        s.hidden,
        "--layers",
        s.layers,
        "--heads",
        s.heads,
        "--kv-heads",
        s.kvHeads,
      ],
      ...["--ffn", s.ffn, "--seq", s.seq, "--batch", s.batch, "--steps", steps, "--threads", threads].map(
        String,
      ),
    ].map(String),
    { encoding: "utf8", env: { ...process.env, PATH: `/usr/bin:${process.env.PATH}` } },
  );
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || "failed").trim().split("\n").at(-1)! };
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
    tokens_per_s: number;
    step_ms: number[];
    torch: string;
  };
  return { tokensPerS: out.tokens_per_s, stepMs: out.step_ms.map(Math.round), version: out.torch };
}

async function rssChild(gguf: string, mode: string): Promise<void> {
  const model = await loadModel(gguf, { trainable: false });
  const config = resolveTrainConfig({
    method: "sft",
    lr: 1e-4,
    batchSize: 1,
    maxSteps: 2,
    warmupRatio: 0,
    // "default": what genrm train does with no flag (recomputation decided by the memory estimate).
    ...(mode === "default" ? {} : { recompute: mode === "recompute" }),
  });
  const t0 = performance.now();
  const result = await train(model, randomDataset(2, 1024, QWEN_05B.vocabSize, 2), config);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, seconds, tokensPerS: result.history.at(-1)!.tokens_per_second, recompute: result.memory.recompute, estimateGiB: result.memory.estimateGiB })}\n`,
  );
}

const worldBase = join(here, "../assets/world/base.gguf");
const demoStar = join(here, "../../wb/demo-s0");

/** The demo's STaR trainer settings (src/demo presets): full fine-tuning, batch 8. */
const starTrain = { lora: false, batchSize: 8, lr: 3e-4, warmupRatio: 0, beta: 0.5 } as const;

/** Padded (B·T summed over micro-batches) and real tokens of the first `steps` steps. */
function paddingOf(dataset: TrainDataset, steps: number, batchSize: number, seed: number) {
  const n = dataset.examples.length;
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const order = epochOrder(n, seed);
  let padded = 0;
  let real = 0;
  for (let s = 0; s < steps; s++) {
    const offset = (s % stepsPerEpoch) * batchSize;
    const ids = order(Math.floor(s / stepsPerEpoch)).subarray(offset, Math.min(n, offset + batchSize));
    const lengths = [...ids].flatMap((i) => {
      const ex = dataset.examples[i]!;
      return ex.kind === "preference"
        ? [ex.chosen.tokens.length, ex.rejected.tokens.length]
        : [ex.seq.tokens.length];
    });
    padded += lengths.length * Math.max(...lengths);
    real += lengths.reduce((a, b) => a + b, 0);
  }
  return { padded, real };
}

/** Real tokens per second over steps 2..n of one run (step 1 warms up). */
async function packingRun(dataset: TrainDataset, steps: number, packing: boolean) {
  const model = await loadModel(worldBase);
  const config = resolveTrainConfig({ method: dataset.method, maxSteps: steps + 1, packing, ...starTrain });
  const result = await train(model, dataset, config);
  let tokens = 0;
  let seconds = 0;
  for (const e of result.history.slice(1)) {
    const stepTokens = e.num_tokens! - (result.history[e.step - 2]?.num_tokens ?? 0);
    tokens += stepTokens;
    seconds += stepTokens / e.tokens_per_second!;
  }
  return { tokensPerS: tokens / seconds, loss: result.history.at(-1)!.loss! };
}

async function packingBench(steps: number, rounds: number) {
  const sources = [
    { method: "sft" as const, file: opt("sft-rows", join(demoStar, "star-sft/star/iter-1/sft.jsonl")) },
    { method: "dpo" as const, file: opt("dpo-rows", join(demoStar, "star-dpo/star/iter-1/dpo.jsonl")) },
  ];
  console.log(
    `\npacked vs padded micro-batches: mini-world base model, STaR rows, full fine-tuning, batch ${starTrain.batchSize}, ${steps} steps after one warm-up, ${rounds} alternating rounds`,
  );
  console.log("rows | examples | padding share | padded tok/s | packed tok/s | ratio");
  const tokenizer = await openTrainTokenizer(worldBase);
  try {
    for (const { method, file } of sources) {
      if (!existsSync(file)) {
        console.log(
          `${method}: skipped, no rows at ${file} (pass --${method}-rows, e.g. a STaR iteration's ${method}.jsonl)`,
        );
        continue;
      }
      const dataset = encodeExamples(await loadTrainRows(file), method, tokenizer);
      const pad = paddingOf(dataset, steps + 1, starTrain.batchSize, 0);
      const padded: number[] = [];
      const packed: number[] = [];
      for (let r = 0; r < rounds; r++) {
        padded.push((await packingRun(dataset, steps, false)).tokensPerS);
        packed.push((await packingRun(dataset, steps, true)).tokensPerS);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const a = median(padded);
      const b = median(packed);
      console.log(
        `${method} ${file} | ${dataset.examples.length} | ${(1 - pad.real / pad.padded).toFixed(3)} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)}x`,
      );
      console.log(
        `     padded ${padded.map((x) => x.toFixed(0)).join(", ")}; packed ${packed.map((x) => x.toFixed(0)).join(", ")}`,
      );
    }
  } finally {
    await tokenizer.dispose();
  }
}

async function main() {
  if (argv[0] === "--rss-child") return rssChild(argv[1]!, argv[2]!);
  const steps = Number(opt("steps", "5"));
  const threads = Number(opt("threads", "2"));
  const only = opt("only", "small,medium,rss").split(",");
  const recompute = flag("recompute");
  const { backend, error } = loadNativeBackend();
  if (backend === null) {
    console.error(`native addon unavailable: ${error}\nbuild it with \`npm run build:native\``);
    process.exit(1);
  }
  backend.setThreads(threads);
  const dir = await mkdtemp(join(tmpdir(), "genrm-bench-train-"));
  try {
    const shown = shapes.filter((x) => only.includes(x.name));
    if (shown.length > 0) {
      console.log(`training step throughput, ${threads} threads, median of ${steps} steps after one warm-up`);
      console.log("config   | genrm tok/s (GFLOP/s) | torch tok/s (GFLOP/s) | ratio");
    }
    for (const s of shown) {
      const a = await ours(s, steps, dir, recompute);
      const b = flag("no-torch") ? { error: "skipped" } : torch(s, steps, threads);
      const gf = (tps: number) => ((tps * flopsPerToken(s)) / 1e9).toFixed(1);
      const torchCol = "error" in b ? `(${b.error})` : `${b.tokensPerS.toFixed(0)} (${gf(b.tokensPerS)})`;
      const ratio = "error" in b ? "-" : `${(a.tokensPerS / b.tokensPerS).toFixed(2)}x`;
      console.log(
        `${s.name.padEnd(8)} | ${a.tokensPerS.toFixed(0)} (${gf(a.tokensPerS)}) | ${torchCol} | ${ratio}`,
      );
      console.log(
        `         genrm step ms ${a.stepMs.join(", ")}${"error" in b ? "" : `; torch ${b.stepMs.join(", ")}`}`,
      );
    }
    if (only.includes("rss")) {
      const gguf = join(dir, "qwen05b.gguf");
      const t0 = performance.now();
      await createTinyModel({ path: gguf, ...QWEN_05B });
      console.log(
        `\nQwen2.5-0.5B-shaped random GGUF (F16) written in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
      for (const mode of ["default", "kept", "recompute"]) {
        const r = spawnSync(
          process.execPath,
          ["--import", "tsx", fileURLToPath(import.meta.url), "--rss-child", gguf, mode],
          { encoding: "utf8", env: { ...process.env, GENRM_THREADS: String(threads) } },
        );
        if (r.status !== 0) {
          console.log(`LoRA step (${mode}): failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
          continue;
        }
        const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
          maxRssBytes: number;
          seconds: number;
          tokensPerS: number;
          recompute: boolean;
          estimateGiB: { kept: number; recomputed: number };
        };
        const estimate = out.recompute ? out.estimateGiB.recomputed : out.estimateGiB.kept;
        console.log(
          `LoRA r=8 step, seq 1024, batch 1 (${mode}: activations ${out.recompute ? "recomputed" : "kept"}): ` +
            `peak RSS ${(out.maxRssBytes / 2 ** 30).toFixed(2)} GiB (estimated ${estimate.toFixed(2)}; target < 6), ` +
            `${out.tokensPerS.toFixed(0)} tok/s, 2 steps in ${out.seconds.toFixed(0)} s`,
        );
      }
    }
    if (only.includes("packing")) await packingBench(Number(opt("steps", "10")), Number(opt("rounds", "2")));
    if (flag("gemm")) {
      spawnSync(process.execPath, ["--import", "tsx", join(here, "train-gemm.ts")], { stdio: "inherit" });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
