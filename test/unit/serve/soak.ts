/**
 * A bounded soak of the reward server in its own process: `requests` requests from `clients`
 * concurrent clients, a seeded mix of what trainers send (OpenRLHF single rollouts in groups with
 * their empty-list requests to other URLs, verl per-sample calls, TRL groups, /v1/judge) and what
 * goes wrong (malformed JSON, schema violations, bodies over --max-body, rollouts over the size
 * bound, clients that give up mid-request), then SIGTERM while a last burst is in flight.
 *
 * It checks: every valid request answered once with a well-formed 200, every invalid one refused
 * with its planned status, no other outcome (an "unplanned" error), no request or group left open
 * once the load stops, memory flat after warm-up, and a clean exit 0 after the drain. Memory is
 * judged by the live heap after a full collection (the length-engine server collects on SIGUSR2);
 * resident memory is reported too, but it also holds what the allocator keeps after a free. The suite runs a short form (soak.test.ts); `npm run soak:serve` the full one:
 *
 *   npm run soak:serve -- [--requests 5000] [--clients 64] [--model judge.gguf]
 *
 * With --model the server is the real `genrm serve` on that GGUF (direct protocol) instead of the
 * length engine.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface SoakOptions {
  requests: number;
  clients: number;
  seed?: number;
  groupSize?: number;
  groupTimeoutMs?: number;
  /** A GGUF: soak `genrm serve` on it instead of the length engine. */
  model?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

type Kind =
  | "openrlhf"
  | "empty"
  | "verl"
  | "trl"
  | "judge"
  | "too_long"
  | "aborted"
  | "malformed"
  | "invalid"
  | "oversized_body";

export interface SoakReport {
  requests: number;
  clients: number;
  seconds: number;
  sent: Partial<Record<Kind, number>>;
  /** Status (or "aborted" / "network") counts per kind. */
  outcomes: Partial<Record<Kind, Record<string, number>>>;
  valid: number;
  validAnswered: number;
  unplanned: string[];
  afterLoad: { inFlight: number; groupsOpen: number; membersWaiting: number };
  rssMiB: { afterWarmup: number; end: number; max: number; growth: number; samples: number };
  /** Live heap after a full collection, once warm and once the load has stopped (length engine only). */
  heapMiB: { afterWarmup: number; end: number; growth: number } | null;
  shutdown: { exitCode: number | null; answered: number; refused: number; ms: number };
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const maxBodyBytes = 64 * 1024;
/** Context tokens of the length engine; a real model gets room for the judge's prompts. */
const contextSize = 256;
const modelContextSize = 1024;

/** A seeded generator (mulberry32), so a failing soak can be rerun as it was. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Planned {
  kind: Kind;
  path: string;
  body: string;
  /** Statuses that are a correct answer. */
  expect: number[];
  /** Checks a 200's body; returns a problem or null. */
  check?: (json: Record<string, unknown>) => string | null;
  abortAfterMs?: number;
}

const chatml = (q: string) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`;
const answer = (random: () => number) => `${"word ".repeat(1 + Math.floor(random() * 30))}done.`;
const rewardsOf = (n: number) => (json: Record<string, unknown>) =>
  Array.isArray(json.rewards) && json.rewards.length === n && json.rewards.every(Number.isFinite)
    ? null
    : `expected ${n} finite rewards, got ${JSON.stringify(json).slice(0, 200)}`;

/** The request schedule: group members come one after another, so clients send them together. */
function plan(requests: number, groupSize: number, context: number, random: () => number): Planned[] {
  const out: Planned[] = [];
  let n = 0;
  while (out.length < requests) {
    const r = random();
    const id = n++;
    if (r < 0.45) {
      // An OpenRLHF group: one rollout per request, each with its empty requests to 1–3 other URLs.
      const prompt = chatml(`Question ${id}: name a primary colour.`);
      for (let k = 0; k < groupSize; k++) {
        const body = JSON.stringify({
          query: [`${prompt}${answer(random)}<|im_end|>`],
          prompts: [prompt],
          labels: [""],
        });
        if (random() < 0.05) {
          out.push({
            kind: "aborted",
            path: "/get_reward",
            body,
            expect: [200],
            abortAfterMs: Math.floor(random() * 30),
          });
        } else out.push({ kind: "openrlhf", path: "/get_reward", body, expect: [200], check: rewardsOf(1) });
        const empties = Math.floor(random() * 3);
        for (let e = 0; e < empties; e++) {
          out.push({
            kind: "empty",
            path: "/get_reward",
            body: JSON.stringify({ query: [], prompts: [], labels: [] }),
            expect: [200],
            check: rewardsOf(0),
          });
        }
      }
    } else if (r < 0.6) {
      for (let k = 0; k < groupSize; k++) {
        out.push({
          kind: "verl",
          path: "/v1/reward",
          body: JSON.stringify({
            prompt: `Question ${id}: what is 2 + 2?`,
            response: answer(random),
            label: "4",
            group_id: id,
          }),
          expect: [200],
          check: (json) => (Number.isFinite(json.reward) ? null : `no reward: ${JSON.stringify(json)}`),
        });
      }
    } else if (r < 0.68) {
      out.push({
        kind: "trl",
        path: "/v1/reward",
        body: JSON.stringify({
          prompt: [{ role: "user", content: `Question ${id}: name a planet.` }],
          responses: Array.from({ length: groupSize }, () => answer(random)),
        }),
        expect: [200],
        check: rewardsOf(groupSize),
      });
    } else if (r < 0.76) {
      out.push({
        kind: "judge",
        path: "/v1/judge",
        body: JSON.stringify({ prompt: `Q${id}?`, response_a: answer(random), response_b: answer(random) }),
        expect: [200],
        check: (json) => (typeof json.p_a === "number" ? null : `no p_a: ${JSON.stringify(json)}`),
      });
    } else if (r < 0.8) {
      const prompt = chatml(`Question ${id}: write at length.`);
      out.push({
        kind: "too_long",
        path: "/get_reward",
        // 20 characters per context token: past the 16 of the size bound.
        body: JSON.stringify({ query: [`${prompt}${"long ".repeat(context * 4)}`], prompts: [prompt] }),
        expect: [200],
        check: (json) =>
          (json.genrm_errors as { code: string }[] | undefined)?.[0]?.code === "too_long"
            ? null
            : `not flagged too_long: ${JSON.stringify(json).slice(0, 200)}`,
      });
    } else if (r < 0.87) {
      out.push({ kind: "malformed", path: "/get_reward", body: '{"query": ["unterminated', expect: [400] });
    } else if (r < 0.94) {
      out.push({
        kind: "invalid",
        path: random() < 0.5 ? "/get_reward" : "/v1/reward",
        body: JSON.stringify({ query: "not a list", prompt: 3 }),
        expect: [400],
      });
    } else {
      out.push({
        kind: "oversized_body",
        path: "/v1/judge",
        body: JSON.stringify({ prompt: "Q?", response_a: "x".repeat(maxBodyBytes), response_b: "y" }),
        expect: [413],
      });
    }
  }
  return out.slice(0, requests);
}

async function send(url: string, p: Planned): Promise<{ outcome: string; problem: string | null }> {
  const controller = new AbortController();
  const timer =
    p.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), p.abortAfterMs);
  try {
    const res = await fetch(`${url}${p.path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: p.body,
      signal: controller.signal,
    });
    const text = await res.text();
    if (!p.expect.includes(res.status)) {
      return { outcome: String(res.status), problem: `${p.kind}: HTTP ${res.status} ${text.slice(0, 200)}` };
    }
    if (res.status === 200 && p.check) {
      return { outcome: "200", problem: p.check(JSON.parse(text)) };
    }
    return { outcome: String(res.status), problem: null };
  } catch (error) {
    if (p.kind === "aborted" && controller.signal.aborted) return { outcome: "aborted", problem: null };
    return { outcome: "network", problem: `${p.kind}: ${error instanceof Error ? error.message : error}` };
  } finally {
    clearTimeout(timer);
  }
}

function startServer(options: SoakOptions, groupSize: number, groupTimeoutMs: number) {
  const serveOptions = {
    judge: { protocol: "direct" },
    groupSize,
    groupTimeoutMs,
    maxBodyBytes,
    drainTimeoutMs: 10_000,
  };
  const args = options.model
    ? [
        "--import",
        "tsx",
        join(repoRoot, "src/cli/bin.ts"),
        "serve",
        ...["--model", options.model, "--protocol", "direct", "--port", "0"],
        ...["--context-size", String(modelContextSize), "--threads", "1"],
        ...["--group-size", String(groupSize), "--group-timeout", String(groupTimeoutMs)],
        ...["--max-body", String(maxBodyBytes), "--drain-timeout", "10"],
      ]
    : [
        "--expose-gc",
        "--import",
        "tsx",
        join(repoRoot, "test/unit/serve/soakServer.ts"),
        JSON.stringify(serveOptions),
        "1",
        String(contextSize),
      ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /(?:listening|genrm serve:) (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`soak server exited ${code}:\n${out}`)));
  });
  /** Live heap after a full collection (length-engine server only); null for `genrm serve`. */
  const heapAfterGc = async (): Promise<number | null> => {
    if (options.model) return null;
    const seen = out.length;
    child.kill("SIGUSR2");
    for (let i = 0; i < 200; i++) {
      const m = /heap (\d+)\n/.exec(out.slice(seen));
      if (m) return Number(m[1]);
      await new Promise((r) => setTimeout(r, 10));
    }
    return null;
  };
  return { child, url, output: () => out, heapAfterGc };
}

function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function gauges(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    inFlight: read("genrm_requests_in_flight"),
    groupsOpen: read("genrm_groups_open"),
    membersWaiting: read("genrm_group_members_waiting"),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
};

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { requests, clients, seed = 1, groupSize = 4, groupTimeoutMs = 250, log = () => {} } = options;
  const random = rng(seed);
  const schedule = plan(requests, groupSize, options.model ? modelContextSize : contextSize, random);
  const server = startServer(options, groupSize, groupTimeoutMs);
  const { child } = server;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await server.url;
  log(`soak: ${requests} requests, ${clients} clients against ${url} (pid ${child.pid})`);

  const sent: SoakReport["sent"] = {};
  const outcomes: SoakReport["outcomes"] = {};
  const unplanned: string[] = [];
  let valid = 0;
  let validAnswered = 0;
  let next = 0;
  let done = 0;
  const rss: { done: number; mib: number }[] = [];
  const sampler = setInterval(() => {
    const mib = rssMiB(child.pid!);
    if (mib !== null) rss.push({ done, mib });
  }, 100);
  const started = performance.now();
  let heapWarm: Promise<number | null> | undefined;
  try {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < schedule.length) {
          const p = schedule[next++]!;
          sent[p.kind] = (sent[p.kind] ?? 0) + 1;
          const isValid = p.expect.includes(200) && p.kind !== "aborted";
          if (isValid) valid++;
          const { outcome, problem } = await send(url, p);
          const counts = outcomes[p.kind] ?? {};
          counts[outcome] = (counts[outcome] ?? 0) + 1;
          outcomes[p.kind] = counts;
          if (problem) unplanned.push(problem);
          else if (isValid && outcome === "200") validAnswered++;
          if (++done % 1000 === 0) log(`soak: ${done} done`);
          if (done === Math.floor(requests * 0.2)) heapWarm = server.heapAfterGc();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // An aborted request's handler may still be unwinding for a moment.
    let afterLoad = await gauges(url);
    for (let i = 0; i < 50 && (afterLoad.inFlight > 0 || afterLoad.groupsOpen > 0); i++) {
      await new Promise((r) => setTimeout(r, 40));
      afterLoad = await gauges(url);
    }
    clearInterval(sampler);
    const heapStart = (await heapWarm) ?? null;
    const heapEnd = await server.heapAfterGc();
    const mib = (bytes: number) => bytes / (1 << 20);
    const heapMiB =
      heapStart === null || heapEnd === null
        ? null
        : { afterWarmup: mib(heapStart), end: mib(heapEnd), growth: mib(heapEnd - heapStart) };
    const warm = rss.filter((s) => s.done >= requests * 0.2 && s.done < requests * 0.4).map((s) => s.mib);
    const end = rss.filter((s) => s.done >= requests * 0.8).map((s) => s.mib);
    const rssMiBReport = {
      afterWarmup: median(warm),
      end: median(end),
      max: Math.max(...rss.map((s) => s.mib)),
      growth: median(end) - median(warm),
      samples: rss.length,
    };

    // Shutdown under load: two full groups and half of a third in flight, then SIGTERM. The half
    // group is judged at once by the drain; requests sent after the signal are refused.
    const prompt = (g: number) => chatml(`Last question ${g}?`);
    const last = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2].map((g, k) =>
      send(url, {
        kind: "openrlhf",
        path: "/get_reward",
        body: JSON.stringify({ query: [`${prompt(g)}answer ${k}`], prompts: [prompt(g)] }),
        expect: [200],
        check: rewardsOf(1),
      }),
    );
    await new Promise((r) => setTimeout(r, 30));
    const signalled = performance.now();
    child.kill("SIGTERM");
    // Until the server says it is draining (or has already closed).
    for (;;) {
      const status = await fetch(`${url}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // 503 while draining, or no connection once closed.
    const late = await Promise.all(
      Array.from({ length: 4 }, (_, k) =>
        send(url, {
          kind: "judge",
          path: "/v1/judge",
          body: JSON.stringify({ prompt: "Late?", response_a: `a${k}`, response_b: "b" }),
          expect: [503],
        }),
      ),
    );
    const finished = await Promise.all(last);
    const exitCode = await exited;
    const shutdown = {
      exitCode,
      answered: finished.filter((f) => f.outcome === "200").length,
      refused: late.filter((l) => l.outcome === "503" || l.outcome === "network").length,
      ms: performance.now() - signalled,
    };
    for (const f of finished) if (f.problem) unplanned.push(`at shutdown: ${f.problem}`);
    for (const l of late)
      if (l.problem && l.outcome !== "network") unplanned.push(`after SIGTERM: ${l.problem}`);
    if (exitCode !== 0) unplanned.push(`server exited ${exitCode}:\n${server.output().slice(-2000)}`);
    return {
      requests,
      clients,
      seconds,
      sent,
      outcomes,
      valid,
      validAnswered,
      unplanned,
      afterLoad,
      rssMiB: rssMiBReport,
      heapMiB,
      shutdown,
    };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const report = await runSoak({
    requests: Number(opt("requests", "5000")),
    clients: Number(opt("clients", "64")),
    seed: Number(opt("seed", "1")),
    ...(argv.includes("--model") ? { model: opt("model", "") } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const ok =
    report.unplanned.length === 0 &&
    report.validAnswered === report.valid &&
    report.afterLoad.inFlight === 0 &&
    report.afterLoad.groupsOpen === 0 &&
    (report.heapMiB === null || report.heapMiB.growth < 8) &&
    report.shutdown.exitCode === 0;
  process.stderr.write(
    `soak: ${ok ? "passed" : "FAILED"}: ${report.validAnswered}/${report.valid} valid answered, ` +
      `${report.unplanned.length} unplanned, RSS ${report.rssMiB.afterWarmup.toFixed(0)} → ${report.rssMiB.end.toFixed(0)} MiB, ` +
      `live heap ${report.heapMiB ? `${report.heapMiB.afterWarmup.toFixed(1)} → ${report.heapMiB.end.toFixed(1)} MiB` : "n/a"}, ` +
      `${(report.requests / report.seconds).toFixed(0)} req/s\n`,
  );
  process.exitCode = ok ? 0 : 1;
}
