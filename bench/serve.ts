/**
 * `npm run bench:serve`: throughput and latency of `genrm serve` under 1, 16 and 64 concurrent
 * clients (POST /v1/judge over keep-alive HTTP on loopback), next to the same judgments made
 * in-process with no HTTP at the same concurrency (the limit). The server is the real `genrm serve`
 * command in its own process, so its peak RSS is its own; the two sides never run at once, so they
 * see the same machine. Each level sends a fixed number of requests and waits for all of them, so
 * requests in flight at the end are neither lost nor counted twice.
 *
 * Both sides run the same client loop: client c walks the 64 pairs starting at its own offset, so
 * concurrent requests carry different pairs, as a trainer's do (clients that all started at pair 0
 * sent 64 copies of one prompt at once, which measured the engine's prefix cache, not its load).
 * In-process judgments go through the same JudgeScheduler (at most `--parallel` in flight) as the
 * server's: an engine handed 64 concurrent callers directly is slower than one fed 8 at a time,
 * and that difference is scheduling, not HTTP.
 *
 * Rounds alternate the sides (ABBA) so that drifting machine load hits both alike, and every figure
 * is a median over rounds: the throughput of each side, and the server / in-process ratio of each
 * round. Scaling is each side's median at N clients over its median at 1 client.
 *
 * The judge uses the direct protocol (verdict-token probability in both orders): two prompt
 * evaluations per judgment and no sampling.
 *
 *   npm run bench:serve -- [--model judge.gguf | --model smollm-135m-shape] [--clients 1,16,64]
 *                          [--rounds 3] [--requests-per-client 4] [--min-requests 64] [--threads N]
 *                          [--parallel 8] [--no-batch-invariant] [--out bench-serve.json]
 *
 * `--model smollm-135m-shape` is bench:judge's random-weight GGUF of SmolLM-135M's shape (written
 * once into the cache directory); without --model, a tiny random-weight model (hidden 64, 2 layers).
 * `--no-batch-invariant` turns the in-process engine's batch invariance off (the server keeps it):
 * a profile switch that shows what running prefills in batches of their own is worth.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { Agent, request } from "node:http";
import { availableParallelism, homedir, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { openLlamaCppEngine } from "../src/engine/llamacpp/index.js";
import type { LlamaCppEngineStats } from "../src/engine/llamacpp/types.js";
import type { Engine } from "../src/engine/types.js";
import { createLlmJudge, type Judge } from "../src/judge/index.js";
import { createTinyModel, SMOLLM_135M_SHAPE } from "../src/model/index.js";
import { JudgeScheduler, startServer } from "../src/serve/index.js";
import type { ModelId, PairId } from "../src/types.js";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const clientLevels = opt("clients", "1,16,64").split(",").map(Number);
const perClient = Number(opt("requests-per-client", "4"));
const minRequests = Number(opt("min-requests", "64"));
const rounds = Number(opt("rounds", "3"));
// One core is left to the load generator and the server's own JavaScript: on this 2-core machine
// two llama.cpp threads competing with them (and with other work) spin-wait on each other, and
// throughput fell from ~40 to ~3 judgments/s.
const threads = Number(opt("threads", String(Math.max(1, availableParallelism() - 1))));
const parallel = Number(opt("parallel", "8"));
const contextSize = 1024;
const batchInvariant = !argv.includes("--no-batch-invariant");
const outFile = argv.includes("--out") ? opt("out", "") : undefined;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

async function resolveModel(): Promise<string> {
  const given = argv.includes("--model") ? opt("model", "") : "";
  if (given === "") return (await createTinyModel({ seed: 1 })).path;
  if (given !== "smollm-135m-shape") return given;
  // The same file as bench:judge's.
  const cacheDir = process.env.GENRM_CACHE_DIR ?? join(homedir(), ".cache", "genrm", "bench");
  await mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, "smollm-135m-shape-f16.gguf");
  if (!existsSync(path)) {
    process.stderr.write(`writing ${path} (random weights, SmolLM-135M shape) ...\n`);
    await createTinyModel({ ...SMOLLM_135M_SHAPE, path, seed: 1 });
  }
  return path;
}
const modelPath = await resolveModel();

/** Distinct pairs so no two requests share a whole prompt; clients cycle through them. */
const pairs = Array.from({ length: 64 }, (_, i) => ({
  prompt: `Question ${i}: name a primary colour and say why it is primary.`,
  response_a: `Red is a primary colour (${i}).`,
  response_b: `Green, because it is between blue and yellow (${i}).`,
}));
const bodies = pairs.map((p) => JSON.stringify(p));

const requestsFor = (clients: number) => Math.max(minRequests, clients * perClient);

/** One timed run of one side at one level. */
interface Run {
  done: number;
  seconds: number;
  latencies: number[];
  errors: number;
  status429: number;
}

interface Side {
  /** Median over rounds. */
  perSecond: number;
  rounds: number[];
  p50: number;
  p99: number;
  errors: number;
  status429: number;
}

interface Row {
  clients: number;
  requestsPerRound: number;
  inProcess: Side;
  server: Side;
  /** Median of the rounds' server / in-process ratios. */
  ratio: number;
  roundRatios: number[];
  /** In-process engine work per judgment, over all rounds of this level. */
  engine: {
    promptTokensEvaluated: number;
    promptTokensReused: number;
    rowsPerStep: number;
    stepShare: number;
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * `clients` loops sharing `total` requests; client c starts at pair c * 64 / clients, so that
 * concurrent requests carry different pairs. `send` returns the HTTP status (200 in-process).
 */
async function runClients(
  clients: number,
  send: (pairIndex: number) => Promise<number>,
  label: string,
): Promise<Run> {
  const total = requestsFor(clients);
  const stride = Math.max(1, Math.floor(pairs.length / clients));
  let sent = 0;
  let errors = 0;
  let status429 = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let j = c * stride; sent < total; j++) {
        sent++;
        const t = performance.now();
        const status = await send(j % pairs.length).catch(() => 0);
        if (status === 200) latencies.push(performance.now() - t);
        else if (status === 429) status429++;
        else errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  process.stderr.write(`${label} ${clients} clients: ${(latencies.length / seconds).toFixed(2)}/s\n`);
  return { done: latencies.length, seconds, latencies, errors, status429 };
}

function toPair(i: number) {
  const p = pairs[i]!;
  return {
    id: `bench:${i}` as PairId,
    prompt: [{ role: "user" as const, content: p.prompt }],
    responseA: p.response_a,
    responseB: p.response_b,
    label: "tie" as const,
  };
}

async function startServe() {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "src/cli/bin.ts"),
      "serve",
      ...["--model", modelPath, "--protocol", "direct", "--port", "0"],
      ...["--threads", String(threads), "--parallel", String(parallel)],
      ...["--context-size", String(contextSize), "--concurrency", String(parallel), "--timeout", "600"],
    ],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (d) => {
      stderr += d;
      const m = /genrm serve: (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`genrm serve exited ${code}:\n${stderr}`)));
  });
  return { child, url: new URL(url) };
}

/** Peak resident set of a process (Linux VmHWM), in MiB. */
function peakRssMiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** POST /v1/judge on a keep-alive connection; resolves with the status once the body is read. */
function postJudge(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: "/v1/judge",
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const engine = await openLlamaCppEngine({
  modelPath,
  threads,
  parallelSequences: parallel,
  contextSize,
  batchInvariant,
});
const judge: Judge = new JudgeScheduler(createLlmJudge(engine, { protocol: "direct" }), {
  concurrency: parallel,
}).judge;
const { child, url } = await startServe();
const agent = new Agent({ keepAlive: true, maxSockets: Math.max(...clientLevels) });
const inProcessSend = async (i: number) => {
  await judge.judge(toPair(i));
  return 200;
};
const serverSend = (i: number) => postJudge(agent, url, bodies[i]!);
const rows: Row[] = [];
let rss: number | null;
try {
  // Warm-up on both sides: first calls pay for context and sampler setup, and every sequence gets
  // the template's prefix, which a cold sequence would evaluate in full at the first busy level.
  const warm = Array.from({ length: parallel }, (_, k) => pairs.length - 1 - k);
  await Promise.all(warm.map((i) => judge.judge(toPair(i))));
  await Promise.all(warm.map((i) => serverSend(i)));
  for (const clients of clientLevels) {
    const local: Run[] = [];
    const remote: Run[] = [];
    const before: LlamaCppEngineStats = engine.stats();
    let localMs = 0;
    for (let round = 0; round < rounds; round++) {
      const inProcess = async () => {
        const t = performance.now();
        local.push(await runClients(clients, inProcessSend, "in-process"));
        localMs += performance.now() - t;
      };
      const server = async () => {
        remote.push(await runClients(clients, serverSend, "server"));
      };
      // ABBA: in-process first on even rounds, the server first on odd ones.
      for (const step of round % 2 === 0 ? [inProcess, server] : [server, inProcess]) await step();
    }
    const after = engine.stats();
    const side = (runs: Run[]): Side => {
      const rates = runs.map((r) => r.done / r.seconds);
      const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
      return {
        perSecond: median(rates),
        rounds: rates,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        errors: runs.reduce((n, r) => n + r.errors, 0),
        status429: runs.reduce((n, r) => n + r.status429, 0),
      };
    };
    const inProcess = side(local);
    const server = side(remote);
    const roundRatios = server.rounds.map((r, k) => r / inProcess.rounds[k]!);
    const judgments = local.reduce((n, r) => n + r.done, 0);
    rows.push({
      clients,
      requestsPerRound: requestsFor(clients),
      inProcess,
      server,
      ratio: median(roundRatios),
      roundRatios,
      engine: {
        promptTokensEvaluated: (after.promptTokensEvaluated - before.promptTokensEvaluated) / judgments,
        promptTokensReused:
          (after.promptTokensReusedInPlace -
            before.promptTokensReusedInPlace +
            after.promptTokensCopied -
            before.promptTokensCopied) /
          judgments,
        rowsPerStep:
          (after.decodeRows - before.decodeRows) / Math.max(1, after.decodeSteps - before.decodeSteps),
        stepShare: (after.decodeMs - before.decodeMs) / localMs,
      },
    });
  }
  rss = peakRssMiB(child.pid!);
} finally {
  agent.destroy();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
  await engine.dispose();
}

/**
 * The server's own ceiling: the same requests against an engine that answers instantly (fixed
 * verdict-token log-probabilities), in this process. What is left is HTTP, JSON, validation,
 * scheduling and judgment assembly.
 */
async function instantEngineCeiling(): Promise<
  { clients: number; perSecond: number; p50: number; p99: number }[]
> {
  const instant: Engine = {
    info: {
      kind: "instant",
      modelId: "bench:instant" as ModelId,
      modelName: "instant",
      supportsTokenProbabilities: true,
      deterministicSeeds: true,
    },
    generate: async () => ({ samples: [], promptTokens: 0 }),
    tokenProbabilities: async () => ({ logprobs: { A: -0.4, B: -1.1 }, promptTokens: 0 }),
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  const server = await startServer(instant, { port: 0, judge: { protocol: "direct" } });
  const httpRequests = bodies.map((body) => ({
    method: "POST" as const,
    path: "/v1/judge",
    headers: { "content-type": "application/json" },
    body,
  }));
  const out = [];
  try {
    for (const clients of clientLevels) {
      const r = await autocannon({
        url: server.url,
        connections: clients,
        duration: 3,
        requests: httpRequests,
        sampleInt: 10,
      });
      out.push({ clients, perSecond: r["2xx"] / r.duration, p50: r.latency.p50, p99: r.latency.p99 });
    }
  } finally {
    await server.close();
  }
  return out;
}

const ceiling = await instantEngineCeiling();

const f = (x: number, d = 2) => x.toFixed(d);
const at = (clients: number) => rows.find((r) => r.clients === clients);
const base = at(Math.min(...clientLevels));
const lines = [
  `genrm serve, POST /v1/judge (direct protocol, both orders), threads ${threads}, parallel ${parallel}, model ${modelPath}${batchInvariant ? "" : ", in-process batch invariance OFF"}`,
  `medians over ${rounds} rounds per level, sides alternating ABBA`,
  "",
  "| clients | requests per round | server req/s | p50 ms | p99 ms | errors | 429s | in-process /s | p50 ms | p99 ms | ratio | per round |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ...rows.map(
    (r) =>
      `| ${r.clients} | ${r.requestsPerRound} | ${f(r.server.perSecond)} | ${f(r.server.p50, 0)} | ${f(r.server.p99, 0)} | ${r.server.errors} | ${r.server.status429} | ${f(r.inProcess.perSecond)} | ${f(r.inProcess.p50, 0)} | ${f(r.inProcess.p99, 0)} | ${f(r.ratio)} | ${r.roundRatios.map((x) => f(x)).join(", ")} |`,
  ),
  "",
  ...(base
    ? rows
        .filter((r) => r !== base)
        .map(
          (r) =>
            `${r.clients} clients / ${base.clients}: in-process ${f(r.inProcess.perSecond / base.inProcess.perSecond)}x, server ${f(r.server.perSecond / base.server.perSecond)}x`,
        )
    : []),
  "",
  "in-process engine work per judgment (all rounds of a level):",
  ...rows.map(
    (r) =>
      `  ${r.clients} clients: prompt tokens evaluated ${f(r.engine.promptTokensEvaluated, 0)}, reused ${f(r.engine.promptTokensReused, 0)}; ${f(r.engine.rowsPerStep, 1)} rows per read-out step; read-out steps ${f(100 * r.engine.stepShare, 0)}% of the wall time`,
  ),
  "",
  `server alone (instant engine, in this process): ${ceiling
    .map(
      (c) => `${c.clients} clients ${f(c.perSecond, 0)} req/s (p50 ${f(c.p50, 0)} ms, p99 ${f(c.p99, 0)} ms)`,
    )
    .join("; ")}`,
  "",
  `server peak RSS: ${rss === null ? "unknown" : `${f(rss, 0)} MiB`}; machine load average at the end: ${loadavg()
    .map((x) => f(x))
    .join(", ")} on ${availableParallelism()} cores`,
];
process.stdout.write(`${lines.join("\n")}\n`);
if (outFile) {
  writeFileSync(
    outFile,
    `${JSON.stringify({ threads, parallel, rounds, batchInvariant, modelPath, rows, ceiling, peakRssMiB: rss, loadavg: loadavg() }, null, 2)}\n`,
  );
}
const top = at(Math.max(...clientLevels));
if (base && top && top !== base) {
  for (const [name, scale] of [
    ["in-process", top.inProcess.perSecond / base.inProcess.perSecond],
    ["server", top.server.perSecond / base.server.perSecond],
  ] as const) {
    if (scale < 3)
      process.stderr.write(
        `${name}: ${top.clients} clients ${f(scale)}x ${base.clients} client, below the 3x target\n`,
      );
  }
}
for (const r of rows) {
  if (r.ratio < 0.8)
    process.stderr.write(`ratio at ${r.clients} clients ${f(r.ratio)} is below the 0.8 target\n`);
}
