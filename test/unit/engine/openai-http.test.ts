/**
 * Retry, failover, timeout, abort and error paths of the OpenAI engine against a scripted local
 * HTTP server (a real socket; the script decides each answer). Generation itself is tested against
 * llama-server in test/model/openai-engine.test.ts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { openOpenAIEngine } from "../../../src/engine/openai/index.js";
import type { GenerateRequest } from "../../../src/engine/types.js";
import { AbortedError, DisposedError, EngineError } from "../../../src/errors.js";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

type Handler = (req: Seen, res: http.ServerResponse, n: number) => void;

const servers: http.Server[] = [];

async function scriptedServer(handler: Handler): Promise<{ url: string; seen: Seen[]; server: http.Server }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const s: Seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined,
      };
      seen.push(s);
      handler(s, res, seen.length);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, seen, server };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function completion(text: string) {
  return {
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 7, completion_tokens: 3 },
  };
}

const request: GenerateRequest = {
  messages: [{ role: "user", content: "hi" }],
  seeds: [1],
  sampling: { temperature: 0.7, topP: 0.9, maxTokens: 8 },
};

const fast = { model: "m", retryBaseDelayMs: 20, retryMaxDelayMs: 2000 };

describe("OpenAI engine over a scripted HTTP server", () => {
  it("retries 503 with back-off and sends the request the server expects", async () => {
    const { url, seen } = await scriptedServer((_req, res, n) => {
      if (n <= 2) json(res, 503, { error: { message: "loading model" } });
      else json(res, 200, completion("ok"));
    });
    const engine = await openOpenAIEngine({
      ...fast,
      baseUrls: [url],
      apiKey: "sk-secret",
      extraBody: { top_k: 5 },
    });
    const result = await engine.generate({ ...request, stop: ["\n"] });
    expect(result.samples).toEqual([{ text: "ok", completionTokens: 3, stopReason: "stop", seed: 1 }]);
    expect(result.promptTokens).toBe(7);
    expect(seen).toHaveLength(3);
    expect(seen[2].url).toBe("/v1/chat/completions");
    expect(seen[2].headers.authorization).toBe("Bearer sk-secret");
    expect(seen[2].body).toEqual({
      top_k: 5,
      min_p: 0,
      model: "m",
      messages: request.messages,
      max_tokens: 8,
      temperature: 0.7,
      top_p: 0.9,
      seed: 1,
      stop: ["\n"],
    });
    await engine.dispose();
  });

  it("samples with temperature and top-p only: neutral top_k / min_p unless switched off, recorded in info", async () => {
    const { url, seen } = await scriptedServer((_req, res) => json(res, 200, completion("ok")));
    const engine = await openOpenAIEngine({ ...fast, baseUrls: url, modelId: "weights@sha256:abc" });
    await engine.generate(request);
    expect(seen[0]!.body).toMatchObject({ top_k: -1, min_p: 0, temperature: 0.7, top_p: 0.9 });
    expect(engine.info.requestFields).toEqual({ top_k: -1, min_p: 0 });
    expect(engine.info.modelId).toBe("weights@sha256:abc");
    await engine.dispose();
    const strict = await openOpenAIEngine({ ...fast, baseUrls: url, neutralSamplers: false });
    await strict.generate(request);
    expect(seen[1]!.body).not.toHaveProperty("top_k");
    expect(seen[1]!.body).not.toHaveProperty("min_p");
    expect(strict.info.requestFields).toEqual({});
    expect(strict.info.modelId).toBe(`openai:m@${url}`);
    await strict.dispose();
  });

  it("honours Retry-After on 429", async () => {
    const { url } = await scriptedServer((_req, res, n) => {
      if (n === 1) json(res, 429, { error: { message: "slow down" } }, { "retry-after": "1" });
      else json(res, 200, completion("late"));
    });
    const engine = await openOpenAIEngine({ ...fast, baseUrls: url });
    const t0 = Date.now();
    await expect(engine.generate(request)).resolves.toMatchObject({ samples: [{ text: "late" }] });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    await engine.dispose();
  });

  it("fails at once on 400 with endpoint, status, attempt and the server's message, never the key", async () => {
    const { url, seen } = await scriptedServer((_req, res) =>
      json(res, 400, { error: { code: 400, message: "n_cmpl must be <= 2", type: "invalid_request_error" } }),
    );
    const engine = await openOpenAIEngine({ ...fast, baseUrls: url, apiKey: "sk-secret" });
    const error = await engine.generate(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ endpoint: url, status: 400, attempt: 1, retryable: false });
    expect((error as Error).message).toContain("n_cmpl must be <= 2");
    expect((error as Error).message).toContain(`POST ${url}/chat/completions`);
    expect(JSON.stringify(error)).not.toContain("sk-secret");
    expect((error as Error).message).not.toContain("sk-secret");
    expect(inspect(engine, { depth: 8, showHidden: true })).not.toContain("sk-secret");
    expect(seen).toHaveLength(1);
    await engine.dispose();
  });

  it("gives up after the configured retries with the last failure", async () => {
    const { url, seen } = await scriptedServer((_req, res) => {
      res.writeHead(502);
      res.end("<html>bad gateway</html>");
    });
    const engine = await openOpenAIEngine({ ...fast, baseUrls: url, retries: 2 });
    const error = await engine.generate(request).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, attempt: 3, retryable: true });
    expect((error as Error).message).toMatch(
      /giving up after 3 attempts; last: .*HTTP 502: <html>bad gateway/,
    );
    expect(seen).toHaveLength(3);
    await engine.dispose();
  });

  it("times out a request that never answers, then retries it", async () => {
    const { url, seen } = await scriptedServer((_req, res, n) => {
      if (n === 2) json(res, 200, completion("second"));
      // First request: never answered.
    });
    const engine = await openOpenAIEngine({ ...fast, baseUrls: url, timeoutMs: 300 });
    await expect(engine.generate(request)).resolves.toMatchObject({ samples: [{ text: "second" }] });
    expect(seen).toHaveLength(2);
    await engine.dispose();

    const stuck = await scriptedServer(() => {});
    const engine2 = await openOpenAIEngine({ ...fast, baseUrls: stuck.url, timeoutMs: 200, retries: 1 });
    await expect(engine2.generate(request)).rejects.toThrow(
      /attempt 2 of 2\) failed: no complete response within 200 ms/,
    );
    await engine2.dispose();
  });

  it("fails over from a refused endpoint to a live one", async () => {
    const dead = await scriptedServer(() => {});
    const deadUrl = dead.url;
    dead.server.close();
    await new Promise((r) => setTimeout(r, 50));
    const live = await scriptedServer((_req, res) => json(res, 200, completion("live")));
    // A long cool-down: after its first refusal the dead endpoint is skipped for the rest of the test.
    const engine = await openOpenAIEngine({
      ...fast,
      retryBaseDelayMs: 10_000,
      retryMaxDelayMs: 10_000,
      baseUrls: [deadUrl, live.url],
      retries: 1,
    });
    for (let i = 0; i < 3; i++) {
      await expect(engine.generate(request)).resolves.toMatchObject({ samples: [{ text: "live" }] });
    }
    expect(engine.endpoints[0].failures).toBe(1);
    expect(live.seen).toHaveLength(3);
    await engine.dispose();
  });

  it("aborts in flight and in the queue, and rejects use after dispose", async () => {
    const { url, seen } = await scriptedServer(() => {});
    const engine = await openOpenAIEngine({ ...fast, baseUrls: url, concurrency: 1 });
    const controller = new AbortController();
    const inFlight = engine.generate({ ...request, signal: controller.signal });
    const queued = engine.generate({ ...request, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(1);
    const t0 = Date.now();
    controller.abort(new Error("user stop"));
    await expect(inFlight).rejects.toBeInstanceOf(AbortedError);
    await expect(queued).rejects.toThrow(/aborted: user stop/);
    expect(Date.now() - t0).toBeLessThan(500);

    const pending = engine.generate(request);
    await new Promise((r) => setTimeout(r, 50));
    await engine.dispose();
    await engine.dispose();
    await expect(pending).rejects.toBeInstanceOf(DisposedError);
    await expect(engine.generate(request)).rejects.toBeInstanceOf(DisposedError);
    await expect(
      engine.tokenProbabilities({ messages: request.messages, candidates: ["A"] }),
    ).rejects.toBeInstanceOf(DisposedError);
  });

  it("asks /models for the model name and needs a choice when several are served", async () => {
    const one = await scriptedServer((_req, res) =>
      json(res, 200, { object: "list", data: [{ id: "judge-7b" }] }),
    );
    const engine = await openOpenAIEngine({ baseUrls: `${one.url.replace(/\/v1$/, "")}/` });
    expect(engine.info).toMatchObject({
      kind: "openai",
      modelName: "judge-7b",
      modelId: `openai:judge-7b@${one.url}`,
    });
    expect(one.seen[0]).toMatchObject({ method: "GET", url: "/v1/models" });
    await engine.dispose();

    const two = await scriptedServer((_req, res) => json(res, 200, { data: [{ id: "a" }, { id: "b" }] }));
    await expect(openOpenAIEngine({ baseUrls: two.url })).rejects.toThrow(
      /lists 2 models \(a, b\); pick one with model/,
    );
  });
});
