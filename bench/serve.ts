/**
 * `npm run bench:serve`: throughput and latency of `genrm serve` under 1, 16 and 64 concurrent
 * clients (autocannon on loopback, POST /v1/judge), next to the same judgments made in-process with
 * no HTTP at the same concurrency (the limit). The server is the real `genrm serve` command in its
 * own process, so its peak RSS is its own; the two runs never overlap, so they see the same
 * machine. Each level sends a fixed number of requests and waits for all of them, so requests in
 * flight at the end are neither lost nor counted twice.
 *
 * The two sides alternate level by level (in-process 1, server 1, in-process 16, ...) so that
 * drifting machine load hits both alike. In-process judgments go through the same JudgeScheduler
 * (at most `--parallel` in flight) as the server's: an engine handed 64 concurrent callers directly
 * is slower than one fed 8 at a time, and that difference is scheduling, not HTTP.
 *
 * The judge uses the direct protocol (verdict-token probability in both orders): two prompt
 * evaluations per judgment and no sampling, so a run takes a few minutes on 2 CPU cores.
 *
 *   npm run bench:serve -- [--model judge.gguf] [--clients 1,16,64] [--rounds 2]
 *                          [--requests-per-client 4] [--min-requests 64] [--threads N]
 *                          [--parallel 8] [--out bench-serve.json]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { openLlamaCppEngine } from "../src/engine/llamacpp/index.js";
import type { Engine } from "../src/engine/types.js";
import { createLlmJudge, type Judge } from "../src/judge/index.js";
import { createTinyModel } from "../src/model/index.js";
import { JudgeScheduler, startServer } from "../src/serve/index.js";
import type { ModelId, PairId } from "../src/types.js";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const clientLevels = opt("clients", "1,16,64").split(",").map(Number);
const perClient = Number(opt("requests-per-client", "4"));
const minRequests = Number(opt("min-requests", "64"));
const rounds = Number(opt("rounds", "2"));
// One core is left to the load generator and the server's own JavaScript: on this 2-core machine
// two llama.cpp threads competing with them (and with other work) spin-wait on each other, and
// throughput fell from ~40 to ~3 judgments/s.
const threads = Number(opt("threads", String(Math.max(1, availableParallelism() - 1))));
const parallel = Number(opt("parallel", "8"));
const contextSize = 1024;
const outFile = argv.includes("--out") ? opt("out", "") : undefined;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

const modelPath = argv.includes("--model") ? opt("model", "") : (await createTinyModel({ seed: 1 })).path;

/** Distinct pairs so no two requests share a whole prompt; clients cycle through them. */
const pairs = Array.from({ length: 64 }, (_, i) => ({
  prompt: `Question ${i}: name a primary colour and say why it is primary.`,
  response_a: `Red is a primary colour (${i}).`,
  response_b: `Green, because it is between blue and yellow (${i}).`,
}));

const requestsFor = (clients: number) => Math.max(minRequests, clients * perClient);

/** One timed run of one side at one level. */
interface Run {
  done: number;
  seconds: number;
  p50: number;
  p99: number;
}

interface Row {
  clients: number;
  requests: number;
  inProcess: { perSecond: number; p50: number; p99: number };
  server: {
    perSecond: number;
    p50: number;
    p99: number;
    errors: number;
    status429: number;
    otherNon2xx: number;
  };
  ratio: number;
  /** Server / in-process throughput of each paired round. */
  roundRatios: number[];
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The limit: the same judgments at the same concurrency through the same scheduler, no HTTP. */
async function inProcessRun(judge: Judge, clients: number): Promise<Run & { latencies: number[] }> {
  const total = requestsFor(clients);
  let sent = 0;
  const latencies: number[] = [];
  const started = performance.now();
  // Each client walks the pair list from the start, as each autocannon connection walks its
  // `requests` array: both sides send the same mix of prompts at the same moments.
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let j = 0; sent < total; j++) {
        sent++;
        const t = performance.now();
        await judge.judge(toPair(j));
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  process.stderr.write(`in-process ${clients} clients: ${(total / seconds).toFixed(2)} judgments/s\n`);
  return {
    done: total,
    seconds,
    latencies,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

function toPair(i: number) {
  const p = pairs[i % pairs.length];
  return {
    id: `bench:${i % pairs.length}` as PairId,
    prompt: [{ role: "user" as const, content: p.prompt }],
    responseA: p.response_a,
    responseB: p.response_b,
    label: "tie" as const,
  };
}

async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "src/cli/bin.ts"),
      "serve",
      "--model",
      modelPath,
      "--protocol",
      "direct",
      "--port",
      "0",
      "--threads",
      String(threads),
      "--parallel",
      String(parallel),
      "--context-size",
      String(contextSize),
      "--concurrency",
      String(parallel),
      "--timeout",
      "600",
    ],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (d) => {
      stderr += d;
      const m = /genrm serve: (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`genrm serve exited ${code}:\n${stderr}`)));
  });
  return { child, url };
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

const httpRequests = pairs.map((p) => ({
  method: "POST" as const,
  path: "/v1/judge",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(p),
}));

async function serverRun(url: string, clients: number): Promise<Run & Omit<Row["server"], "perSecond">> {
  const total = requestsFor(clients);
  const r = await autocannon({
    url,
    connections: clients,
    amount: total,
    requests: httpRequests,
    timeout: 600,
  });
  const status429 = Number(r.statusCodeStats?.["429"]?.count ?? 0);
  process.stderr.write(`server ${clients} clients: ${(r["2xx"] / r.duration).toFixed(2)} req/s\n`);
  return {
    done: r["2xx"],
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    status429,
    otherNon2xx: r.non2xx - status429,
  };
}

const engine = await openLlamaCppEngine({ modelPath, threads, parallelSequences: parallel, contextSize });
const judge = new JudgeScheduler(createLlmJudge(engine, { protocol: "direct" }), { concurrency: parallel })
  .judge;
const { child, url } = await startServe();
const rows: Row[] = [];
let rss: number | null;
try {
  // Warm-up on both sides: first calls pay for context and sampler setup.
  await judge.judge(toPair(0));
  await autocannon({ url, connections: 1, amount: 2, requests: httpRequests, timeout: 600 });
  for (const clients of clientLevels) {
    // Paired rounds in ABBA order, so load that drifts during a level hits both sides alike.
    const local: (Run & { latencies: number[] })[] = [];
    const remote: Awaited<ReturnType<typeof serverRun>>[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        local.push(await inProcessRun(judge, clients));
        remote.push(await serverRun(url, clients));
      } else {
        remote.push(await serverRun(url, clients));
        local.push(await inProcessRun(judge, clients));
      }
    }
    const rate = (runs: Run[]) =>
      runs.reduce((s, r) => s + r.done, 0) / runs.reduce((s, r) => s + r.seconds, 0);
    const latencies = local.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const inProcess = {
      perSecond: rate(local),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
    };
    const server = {
      perSecond: rate(remote),
      // autocannon keeps no raw latencies: the mean of the rounds' medians and the worst p99.
      p50: remote.reduce((s, r) => s + r.p50, 0) / remote.length,
      p99: Math.max(...remote.map((r) => r.p99)),
      errors: remote.reduce((s, r) => s + r.errors, 0),
      status429: remote.reduce((s, r) => s + r.status429, 0),
      otherNon2xx: remote.reduce((s, r) => s + r.otherNon2xx, 0),
    };
    rows.push({
      clients,
      requests: requestsFor(clients) * rounds,
      inProcess,
      server,
      ratio: server.perSecond / inProcess.perSecond,
      roundRatios: local.map((l, k) => remote[k].done / remote[k].seconds / (l.done / l.seconds)),
    });
  }
  rss = peakRssMiB(child.pid!);
} finally {
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
const lines = [
  `genrm serve, POST /v1/judge (direct protocol, both orders), threads ${threads}, parallel ${parallel}, model ${modelPath}`,
  "",
  "| clients | requests (per side) | server req/s | p50 ms | p99 ms | errors | 429s | in-process /s | p50 ms | p99 ms | ratio | per round |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ...rows.map(
    (r) =>
      `| ${r.clients} | ${r.requests} | ${f(r.server.perSecond)} | ${f(r.server.p50, 0)} | ${f(r.server.p99, 0)} | ${r.server.errors + r.server.otherNon2xx} | ${r.server.status429} | ${f(r.inProcess.perSecond)} | ${f(r.inProcess.p50, 0)} | ${f(r.inProcess.p99, 0)} | ${f(r.ratio)} | ${r.roundRatios.map((x) => f(x)).join(", ")} |`,
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
    `${JSON.stringify({ threads, parallel, modelPath, rows, ceiling, peakRssMiB: rss, loadavg: loadavg() }, null, 2)}\n`,
  );
}
const worst = rows.find((r) => r.clients === 64);
if (worst && worst.ratio < 0.8)
  process.stderr.write(`ratio at 64 clients ${f(worst.ratio)} is below the 0.8 target\n`);
