/**
 * The OpenAI-compatible engine over real HTTP against llama.cpp's llama-server serving a tiny
 * random-weight GGUF. Needs the server binary from `scripts/build-llama-server.sh` (CI runs it
 * first); without it every test here fails with that instruction.
 */
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openOpenAIEngine } from "../../src/engine/openai/index.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { AbortedError, EngineError } from "../../src/errors.js";
import type { ChatMessage } from "../../src/types.js";
import { type LlamaServerHandle, startLlamaServer } from "../helpers/llamaServer.js";
import { createTinyModel } from "../helpers/tinyModel.js";

const vocabSize = 512;
/**
 * Random weights emit random byte tokens, i.e. invalid UTF-8, which llama-server's chat output
 * parser rejects with HTTP 500. A GBNF grammar (llama-server's own request field, passed through
 * extraBody) keeps sampled text to printable ASCII; reported logprobs are taken before the grammar.
 */
const ascii = { grammar: "root ::= [ -~]*" };
const parallel = 4;
const messages: ChatMessage[] = [
  { role: "system", content: "You are a fair judge." },
  { role: "user", content: "Which answer is better, A or B? Reply [[A]] or [[B]]." },
];
const sampling = { temperature: 1, topP: 1, maxTokens: 12 };
const gen = (seeds: number[], extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages,
  seeds,
  sampling,
  ...extra,
});

let modelDir: string;
let modelPath: string;
let server: LlamaServerHandle;
const extraServers: LlamaServerHandle[] = [];
const proxies: http.Server[] = [];

beforeAll(async () => {
  modelDir = await mkdtemp(join(tmpdir(), "genrm-openai-test-"));
  modelPath = (await createTinyModel({ vocabSize, seed: 3, path: join(modelDir, "tiny.gguf") })).path;
  // 8192 tokens over 4 slots: 2048 per slot, room for the long generation the abort test cancels.
  server = await startLlamaServer({
    model: modelPath,
    parallel,
    contextSize: 8192,
    extraArgs: ["--metrics"],
  });
});

afterAll(async () => {
  for (const proxy of proxies) {
    proxy.closeAllConnections();
    proxy.close();
  }
  await Promise.all([server?.stop(), ...extraServers.map((s) => s.stop())]);
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

describe("OpenAI engine against llama-server", () => {
  it("finds the served model and names it by model and first base URL", async () => {
    await using engine = await openOpenAIEngine({ baseUrls: [server.baseUrl], extraBody: ascii });
    expect(engine.info).toEqual({
      kind: "openai",
      modelId: `openai:tiny@${server.baseUrl}`,
      modelName: "tiny",
      supportsTokenProbabilities: true,
      deterministicSeeds: true,
      // Sampled requests carry neutral top-k / min-p (llama-server's own defaults are 40 / 0.05).
      requestFields: { top_k: -1, min_p: 0, ...ascii },
    });
  });

  it("samples by seed: a seed gives the same text again, and n-requests give what single requests give", async () => {
    await using single = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
    });
    await using batched = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
      samplesPerRequest: 3,
    });
    const seeds = [101, 102, 103];
    const first = await single.generate(gen(seeds));
    const again = await single.generate(gen([103, 101]));
    const viaN = await batched.generate(gen(seeds));

    const texts = first.samples.map((s) => s.text);
    expect(new Set(texts).size).toBeGreaterThan(1);
    expect(again.samples.map((s) => s.text)).toEqual([texts[2], texts[0]]);
    expect(viaN.samples.map((s) => s.text)).toEqual(texts);
    expect(viaN.samples.map((s) => s.seed)).toEqual(seeds);

    // The prompt is evaluated once per HTTP request: three requests vs one.
    expect(first.promptTokens).toBeGreaterThan(10);
    expect(first.promptTokens % 3).toBe(0);
    expect(viaN.promptTokens).toBe(first.promptTokens / 3);
    // Per-sample token counts agree between the usage path (n = 1) and the logprobs path (n = 3).
    expect(viaN.samples.map((s) => s.completionTokens)).toEqual(first.samples.map((s) => s.completionTokens));
  });

  it("stops at maxTokens with the token count, and at stop strings without them", async () => {
    await using engine = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
      samplesPerRequest: 2,
    });
    const capped = await engine.generate(gen([1, 2], { sampling: { ...sampling, maxTokens: 5 } }));
    for (const sample of capped.samples) {
      expect(sample).toMatchObject({ stopReason: "maxTokens", completionTokens: 5 });
    }

    const stop = ["e", "a", "o", "t", " "];
    const stopped = await engine.generate(
      gen([7, 8, 9, 10], { stop, sampling: { ...sampling, maxTokens: 64 } }),
    );
    for (const sample of stopped.samples) {
      for (const s of stop) expect(sample.text).not.toContain(s);
      expect(["stop", "maxTokens", "eos"]).toContain(sample.stopReason);
    }
    expect(stopped.samples.some((s) => s.stopReason === "stop")).toBe(true);
  });

  it("reads verdict-token logprobs after a forced prefix, consistently and reproducibly", async () => {
    await using full = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
      topLogprobs: vocabSize,
    });
    const request = { messages, assistantPrefix: "[[", candidates: ["A", "B"] };
    const a = await full.tokenProbabilities(request);
    const b = await full.tokenProbabilities(request);
    // Equal up to float noise: the second call reuses the server's KV cache for the prompt.
    expect(b.logprobs.A).toBeCloseTo(a.logprobs.A, 5);
    expect(b.logprobs.B).toBeCloseTo(a.logprobs.B, 5);
    expect(a.missingCandidates).toBeUndefined();
    const pA = Math.exp(a.logprobs.A);
    const pB = Math.exp(a.logprobs.B);
    expect(pA).toBeGreaterThan(0);
    expect(pB).toBeGreaterThan(0);
    expect(pA + pB).toBeLessThan(1);
    expect(pA / (pA + pB) + pB / (pA + pB)).toBeCloseTo(1, 12);
    expect(a.promptTokens).toBeGreaterThan(10);

    // The prefix is really continued: without it the next-token distribution differs.
    const noPrefix = await full.tokenProbabilities({ ...request, assistantPrefix: undefined });
    expect(noPrefix.logprobs.A).not.toBeCloseTo(a.logprobs.A, 6);
    // llama-server prefills either way: the bare final assistant message gives the same numbers.
    await using bare = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
      topLogprobs: vocabSize,
      prefill: "assistant_message",
    });
    const viaBare = await bare.tokenProbabilities(request);
    expect(viaBare.logprobs.A).toBeCloseTo(a.logprobs.A, 5);

    // With the default top 20 a candidate is either listed with the same value or reported missing.
    await using top20 = await openOpenAIEngine({ baseUrls: server.baseUrl, model: "tiny", extraBody: ascii });
    const short = await top20.tokenProbabilities({ ...request, candidates: ["A", "B", "€€€"] });
    expect(short.missingCandidates).toContain("€€€");
    for (const c of ["A", "B"]) {
      if (short.missingCandidates?.includes(c)) expect(short.logprobs[c]).toBe(Number.NEGATIVE_INFINITY);
      else expect(short.logprobs[c]).toBeCloseTo(a.logprobs[c], 5);
    }
  });

  it("returns only the continuation after a forced prefix", async () => {
    await using engine = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
    });
    const greedy = await engine.generate(
      gen([0], { assistantPrefix: "[[", sampling: { temperature: 0, topP: 1, maxTokens: 1 } }),
    );
    const text = greedy.samples[0].text;
    expect(text.length).toBeGreaterThan(0);
    // The greedy token is the most likely next token after "[[": the top-1 logprob entry.
    await using top1 = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
      topLogprobs: 1,
    });
    const probe = await top1.tokenProbabilities({ messages, assistantPrefix: "[[", candidates: [text] });
    expect(probe.missingCandidates).toBeUndefined();
  });

  it("fails at once with the server's message on a 4xx", async () => {
    await using engine = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: ascii,
      samplesPerRequest: parallel + 4,
    });
    const error = await engine.generate(gen([1, 2, 3, 4, 5, 6, 7, 8])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ status: 400, attempt: 1, endpoint: server.baseUrl, retryable: false });
    expect((error as Error).message).toMatch(
      /HTTP 400: Field 'n': Value must be between 1 <= value <= 4, but got 8/,
    );
  });

  it("rejects a running generation at once on abort; the server frees the slot and stays usable", async () => {
    // ignore_eos (a llama-server field) makes the generation run to maxTokens: long enough to catch.
    await using engine = await openOpenAIEngine({
      baseUrls: server.baseUrl,
      model: "tiny",
      extraBody: { ...ascii, ignore_eos: true },
    });
    const controller = new AbortController();
    // The server's log says when the task runs and when it is cancelled. (Polling its /slots
    // endpoint instead would delay llama-server's check for closed connections.)
    const started = server.nextLog(/launch_slot_.*processing task/);
    const long = engine.generate(
      gen([5], { signal: controller.signal, sampling: { temperature: 1, topP: 1, maxTokens: 1900 } }),
    );
    long.catch(() => {});
    await started;
    // On an idle machine the tiny model can finish all 1900 tokens before llama-server notices the
    // closed connection, so a "cancel task" line is not guaranteed; the slot's release is.
    const released = server.nextLog(/release: .*stop processing/);
    const t0 = Date.now();
    controller.abort();
    await expect(long).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - t0).toBeLessThan(200);
    await released;
    await expect(engine.generate(gen([5], { sampling })).then((r) => r.samples[0].seed)).resolves.toBe(5);
  });

  it("retries through a proxy that answers 503 twice and then times out once", async () => {
    let calls = 0;
    const proxy = await startProxy(
      server.port,
      (n) => (n <= 2 ? "503" : n === 3 ? "hang" : "forward"),
      () => {
        calls += 1;
      },
    );
    await using engine = await openOpenAIEngine({
      baseUrls: proxy,
      model: "tiny",
      extraBody: ascii,
      retries: 3,
      retryBaseDelayMs: 50,
      // Long enough that the forwarded request never times out on a loaded machine; the "hang"
      // answer still has to time out once for the test to pass.
      timeoutMs: 5000,
    });
    const result = await engine.generate(gen([42], { sampling: { ...sampling, maxTokens: 8 } }));
    expect(calls).toBe(4);
    expect(result.samples[0].text.length).toBeGreaterThan(0);
  });

  it("shares requests round-robin over two servers and survives one being killed", async () => {
    const second = await startLlamaServer({
      model: modelPath,
      parallel: 2,
      contextSize: 1024,
      extraArgs: ["--metrics"],
    });
    extraServers.push(second);
    await using engine = await openOpenAIEngine({
      baseUrls: [server.baseUrl, second.baseUrl],
      model: "tiny",
      extraBody: ascii,
      concurrency: 4,
      retries: 3,
      retryBaseDelayMs: 100,
    });
    expect(engine.info.modelId).toBe(`openai:tiny@${server.baseUrl}`);
    const before = await promptTokensServed(second.port);
    const warm = await engine.generate(gen([1, 2, 3, 4]));
    expect(warm.samples).toHaveLength(4);
    expect(await promptTokensServed(second.port)).toBeGreaterThan(before);

    const calls = Array.from({ length: 12 }, (_, i) =>
      engine.generate(gen([200 + i], { sampling: { ...sampling, maxTokens: 24 } })),
    );
    await new Promise((r) => setTimeout(r, 30));
    await second.kill();
    const results = await Promise.all(calls);
    expect(results.every((r) => r.samples.length === 1 && r.samples[0].text.length > 0)).toBe(true);
    expect(engine.endpoints[1].failures).toBeGreaterThanOrEqual(1);
    expect(engine.endpoints[0].failures).toBe(0);
  });
});

/** `llamacpp:prompt_tokens_total` from llama-server's Prometheus metrics (needs --metrics). */
async function promptTokensServed(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^llamacpp:prompt_tokens_total\s+([\d.e+]+)/m.exec(text);
  if (!match) throw new Error(`no prompt_tokens_total in metrics:\n${text.slice(0, 500)}`);
  return Number(match[1]);
}

/**
 * A local HTTP proxy in front of llama-server whose script picks, per request, to answer 503, to
 * never answer, or to forward. Returns its OpenAI base URL.
 */
async function startProxy(
  targetPort: number,
  script: (n: number) => "503" | "hang" | "forward",
  onRequest: () => void,
): Promise<string> {
  let n = 0;
  const proxy = http.createServer((req, res) => {
    n += 1;
    onRequest();
    const action = script(n);
    if (action === "503") {
      req.resume();
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Loading model", code: 503 } }));
      return;
    }
    if (action === "hang") {
      req.resume();
      return;
    }
    const upstream = http.request(
      { host: "127.0.0.1", port: targetPort, path: req.url, method: req.method, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
}
