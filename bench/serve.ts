/**
 * `npm run bench:serve`: throughput and latency of `genrm serve` under 1, 16 and 64 concurrent
 * clients (autocannon on loopback, POST /v1/judge), next to the same judgments made in-process with
 * no HTTP at the same concurrency (the limit). The server is the real `genrm serve` command in its
 * own process, so its peak RSS is its own; the two runs never overlap, so they see the same
 * machine. Each level sends a fixed number of requests and waits for all of them, so requests in
 * flight at the end are neither lost nor counted twice.
 *
 * The judge uses the direct protocol (verdict-token probability in both orders): two prompt
 * evaluations per judgment and no sampling, so a run takes a few minutes on 2 CPU cores.
 *
 *   npm run bench:serve -- [--model judge.gguf] [--clients 1,16,64] [--requests-per-client 4]
 *                          [--threads 2] [--parallel 8] [--out bench-serve.json]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { openLlamaCppEngine } from "../src/engine/llamacpp/index.js";
import { createLlmJudge } from "../src/judge/index.js";
import { createTinyModel } from "../src/model/index.js";
import type { PairId } from "../src/types.js";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const clientLevels = opt("clients", "1,16,64").split(",").map(Number);
const perClient = Number(opt("requests-per-client", "4"));
const minRequests = Number(opt("min-requests", "24"));
const threads = Number(opt("threads", String(availableParallelism())));
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
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The limit: the same judgments, same concurrency, same engine settings, no HTTP. */
async function inProcess(): Promise<Map<number, Row["inProcess"]>> {
  const engine = await openLlamaCppEngine({ modelPath, threads, parallelSequences: parallel, contextSize });
  const judge = createLlmJudge(engine, { protocol: "direct" });
  const out = new Map<number, Row["inProcess"]>();
  try {
    // Warm-up: first calls pay for context and sampler setup.
    await judge.judge(toPair(0));
    for (const clients of clientLevels) {
      const total = requestsFor(clients);
      let next = 0;
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < total) {
            const i = next++;
            const t = performance.now();
            await judge.judge(toPair(i));
            latencies.push(performance.now() - t);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      out.set(clients, {
        perSecond: total / seconds,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
      });
      process.stderr.write(`in-process ${clients} clients: ${(total / seconds).toFixed(2)} judgments/s\n`);
    }
  } finally {
    await engine.dispose();
  }
  return out;
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

async function overHttp(url: string): Promise<Map<number, Row["server"]>> {
  const out = new Map<number, Row["server"]>();
  const requests = pairs.map((p) => ({
    method: "POST" as const,
    path: "/v1/judge",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(p),
  }));
  await autocannon({ url, connections: 1, amount: 2, requests, timeout: 600 });
  for (const clients of clientLevels) {
    const total = requestsFor(clients);
    const r = await autocannon({ url, connections: clients, amount: total, requests, timeout: 600 });
    const status429 = Number(r.statusCodeStats?.["429"]?.count ?? 0);
    out.set(clients, {
      perSecond: r["2xx"] / r.duration,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors,
      status429,
      otherNon2xx: r.non2xx - status429,
    });
    process.stderr.write(`server ${clients} clients: ${(r["2xx"] / r.duration).toFixed(2)} req/s\n`);
  }
  return out;
}

const limit = await inProcess();
const { child, url } = await startServe();
let server: Map<number, Row["server"]>;
let rss: number | null;
try {
  server = await overHttp(url);
  rss = peakRssMiB(child.pid!);
} finally {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

const rows: Row[] = clientLevels.map((clients) => {
  const l = limit.get(clients)!;
  const s = server.get(clients)!;
  return {
    clients,
    requests: requestsFor(clients),
    inProcess: l,
    server: s,
    ratio: s.perSecond / l.perSecond,
  };
});

const f = (x: number, d = 2) => x.toFixed(d);
const lines = [
  `genrm serve, POST /v1/judge (direct protocol, both orders), threads ${threads}, parallel ${parallel}, model ${modelPath}`,
  "",
  "| clients | requests | server req/s | p50 ms | p99 ms | errors | 429s | in-process /s | p50 ms | p99 ms | ratio |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.clients} | ${r.requests} | ${f(r.server.perSecond)} | ${f(r.server.p50, 0)} | ${f(r.server.p99, 0)} | ${r.server.errors + r.server.otherNon2xx} | ${r.server.status429} | ${f(r.inProcess.perSecond)} | ${f(r.inProcess.p50, 0)} | ${f(r.inProcess.p99, 0)} | ${f(r.ratio)} |`,
  ),
  "",
  `server peak RSS: ${rss === null ? "unknown" : `${f(rss, 0)} MiB`}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
if (outFile) {
  writeFileSync(
    outFile,
    `${JSON.stringify({ threads, parallel, modelPath, rows, peakRssMiB: rss }, null, 2)}\n`,
  );
}
const worst = rows.find((r) => r.clients === 64);
if (worst && worst.ratio < 0.8)
  process.stderr.write(`ratio at 64 clients ${f(worst.ratio)} is below the 0.8 target\n`);
