/**
 * The reward server over real HTTP on loopback, backed by the embedded engine running a tiny
 * random-weight GGUF. The model's verdicts are noise, so tests assert the contract (shapes,
 * consistency between fields, status codes, what refusals look like), never judgment quality.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLlamaCppEngine } from "../../src/engine/llamacpp/index.js";
import type { LlamaCppEngine } from "../../src/engine/llamacpp/types.js";
import { type RunningServer, type StartServerOptions, startServer } from "../../src/serve/index.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let engine: LlamaCppEngine;
let server: RunningServer;
const extra: RunningServer[] = [];

const direct = { judge: { protocol: "direct" as const } };

async function startExtra(options: StartServerOptions): Promise<RunningServer> {
  const s = await startServer(engine, { port: 0, ...options });
  extra.push(s);
  return s;
}

/** A response body, read field by field in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire; each test asserts the fields it reads.
type Body = any;

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Body;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

const prompt = "Name a primary colour.";
const judgeBody = { prompt, response_a: "Red.", response_b: "Purple is a primary colour." };

beforeAll(async () => {
  const model = await tinyModelOnce({ seed: 11 });
  engine = await openLlamaCppEngine({
    modelPath: model.path,
    threads: 1,
    parallelSequences: 4,
    contextSize: 1024,
  });
  server = await startServer(engine, { port: 0, ...direct });
});

afterAll(async () => {
  await Promise.all([server?.close(), ...extra.map((s) => s.close())]);
  await engine?.dispose();
});

describe("routes", () => {
  it("GET /health names the model and judge", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      status: "ok",
      model: { id: engine.info.modelId, kind: "llamacpp" },
      judge: { protocol: "direct" },
      in_flight: 0,
    });
  });

  it("POST /v1/judge returns verdict, P(A) over both orders, usage and provenance", async () => {
    const { status, json } = await post(server.url, "/v1/judge", judgeBody);
    expect(status).toBe(200);
    expect(["A", "B", "tie"]).toContain(json.verdict);
    expect(json.orders).toEqual(["AB", "BA"]);
    expect(json.probabilities).toHaveLength(2);
    const mean = (json.probabilities[0].p_a + json.probabilities[1].p_a) / 2;
    expect(json.p_a).toBeCloseTo(mean, 12);
    expect(json.verdict).toBe(json.p_a > 0.5 ? "A" : json.p_a < 0.5 ? "B" : "tie");
    expect(json.usage.prompt_tokens).toBeGreaterThan(0);
    expect(json.provenance).toMatchObject({
      model_id: engine.info.modelId,
      protocol: "direct",
      order_mode: "both",
    });
  });

  it("POST /v1/judge with a CoT judge returns the rationales it sampled", async () => {
    const cot = await startExtra({
      judge: { protocol: "cot", sampling: { temperature: 1, topP: 1, maxTokens: 6 } },
    });
    const { status, json } = await post(cot.url, "/v1/judge", {
      ...judgeBody,
      prompt: [
        { role: "system", content: "Be brief." },
        { role: "user", content: prompt },
      ],
    });
    expect(status).toBe(200);
    expect(json.rationales).toHaveLength(2);
    expect(json.rationales.map((r: Body) => r.order).sort()).toEqual(["AB", "BA"]);
    expect(json.usage.completion_tokens).toBeGreaterThan(0);
    expect(json.usage.samples).toBe(2);
  });

  it("POST /v1/rank: knockout plays N − 1 games; copeland N(N−1)/2; rewards per candidate", async () => {
    const candidates = ["Red.", "Blue.", "Yellow, blue and red.", "Green."];
    const ko = await post(server.url, "/v1/rank", { prompt, candidates });
    expect(ko.status).toBe(200);
    expect(ko.json.scheme).toBe("knockout");
    expect([...ko.json.ranking].sort()).toEqual([0, 1, 2, 3]);
    expect(ko.json.ranking[0]).toBe(ko.json.selected);
    expect(ko.json.usage.comparisons).toBe(3);
    expect(ko.json.rewards.reduce((s: number, r: number) => s + r, 0)).toBe(3);

    const rr = await post(server.url, "/v1/rank", {
      prompt,
      candidates,
      scheme: "copeland",
      normalize: "grpo",
    });
    expect(rr.status).toBe(200);
    expect(rr.json.usage.comparisons).toBe(6);
    expect(rr.json.comparisons).toHaveLength(6);
    const mean = rr.json.rewards.reduce((s: number, r: number) => s + r, 0) / 4;
    expect(mean).toBeCloseTo(0, 9);
  });

  it("POST /v1/rank respects a comparison budget and serves the scalar and reference schemes", async () => {
    const candidates = ["a1", "bb2", "ccc3", "dddd4", "eeeee5"];
    const budgeted = await post(server.url, "/v1/rank", {
      prompt,
      candidates,
      scheme: "bradley-terry",
      budget: { max_comparisons: 4 },
    });
    expect(budgeted.status).toBe(200);
    expect(budgeted.json.usage.comparisons).toBe(4);
    expect(budgeted.json.budget).toEqual({
      max_comparisons: 4,
      max_tokens: null,
      exhausted: true,
      unplayed: 6,
    });

    const scalar = await post(server.url, "/v1/rank", { prompt, candidates, scheme: "scalar" });
    expect(scalar.json).toMatchObject({ selected: 4, ranking: [4, 3, 2, 1, 0], rewards: [2, 3, 4, 5, 6] });
    expect(scalar.json.usage.comparisons).toBe(0);

    const ref = await post(server.url, "/v1/rank", {
      prompt,
      candidates: candidates.slice(0, 2),
      scheme: "reference",
      reference: "Red.",
    });
    expect(ref.status).toBe(200);
    expect(ref.json.comparisons.every((c: Body) => c.b === -1)).toBe(true);
    for (const [i, c] of ref.json.comparisons.entries()) {
      const p = Math.min(0.999, Math.max(0.001, c.p_a));
      expect(ref.json.rewards[c.a]).toBeCloseTo(Math.log(p / (1 - p)), 9);
      expect(i).toBeLessThan(2);
    }
  });

  it("POST /get_reward with labels: reward = logit(score) against the reference", async () => {
    const prompts = ["<|im_start|>user\nName a primary colour.<|im_end|>\n<|im_start|>assistant\n"];
    const query = [`${prompts[0]}Red.<|im_end|>`];
    const { status, json } = await post(server.url, "/get_reward", { query, prompts, labels: ["Blue."] });
    expect(status).toBe(200);
    expect(json.rewards).toHaveLength(1);
    const p = Math.min(0.999, Math.max(0.001, json.scores[0]));
    expect(json.rewards[0]).toBeCloseTo(Math.log(p / (1 - p)), 9);
    expect(json.extra_logs).toEqual({
      genrm_comparisons: [1],
      genrm_failed: [0],
      genrm_no_baseline: [0],
      genrm_group_size: [1],
      genrm_partial_group: [0],
    });
  });

  it("POST /get_reward without labels: rollouts of one prompt are rewarded against each other", async () => {
    const head = (q: string) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`;
    const query = [
      `${head("Name a primary colour.")}Red.<|im_end|>`,
      `${head("Name a primary colour.")}Blue.<|im_end|>`,
      `${head("Name a planet.")}Mars.<|im_end|>`,
      `${head("Name a primary colour.")}Green, I think.<|im_end|>`,
    ];
    const { status, json } = await post(server.url, "/get_reward", { query });
    expect(status).toBe(200);
    expect(json.extra_logs.genrm_comparisons).toEqual([2, 2, 0, 2]);
    expect(json.extra_logs.genrm_no_baseline).toEqual([0, 0, 1, 0]);
    expect(json.rewards[2]).toBe(0);
    expect(json.scores[2]).toBe(0.5);
    // Win rates of a round robin over three rollouts average ½.
    expect((json.scores[0] + json.scores[1] + json.scores[3]) / 3).toBeCloseTo(0.5, 9);
  });

  it("GET /metrics exports requests, latencies, judgments, tokens and queue depth", async () => {
    await post(server.url, "/v1/judge", judgeBody);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/genrm_http_requests_total\{route="\/v1\/judge",status="200"\} \d+/);
    expect(text).toMatch(/genrm_http_request_duration_seconds_bucket\{route="\/v1\/judge",le="\+Inf"\} \d+/);
    expect(text).toMatch(/genrm_judgments_total\{verdict="[A-Za-z]+"\} \d+/);
    expect(text).toMatch(/genrm_tokens_total\{kind="prompt"\} [1-9]\d*/);
    expect(text).toMatch(/^genrm_queue_depth 0$/m);
    expect(text).toMatch(/^genrm_requests_in_flight 0$/m);
  });
});

describe("bad requests are 400s naming the field; nothing crashes", () => {
  const cases: [string, string, unknown, string | undefined, string][] = [
    ["/v1/judge", "malformed JSON", "{not json", undefined, "invalid_json"],
    ["/v1/judge", "missing response", { prompt, response_a: "x" }, "response_b", "invalid_request"],
    [
      "/v1/judge",
      "prompt ending with assistant",
      { ...judgeBody, prompt: [{ role: "assistant", content: "hi" }] },
      "prompt",
      "invalid_request",
    ],
    ["/v1/rank", "empty candidate", { prompt, candidates: ["a", ""] }, "candidates[1]", "invalid_request"],
    ["/v1/rank", "unknown scheme", { prompt, candidates: ["a"], scheme: "elo" }, "scheme", "invalid_request"],
    [
      "/v1/rank",
      "negative budget",
      { prompt, candidates: ["a", "b"], budget: { max_comparisons: -1 } },
      "budget.max_comparisons",
      "invalid_request",
    ],
    [
      "/v1/rank",
      "reference scheme without reference",
      { prompt, candidates: ["a", "b"], scheme: "reference" },
      "reference",
      "invalid_request",
    ],
    ["/get_reward", "query not a list", { query: "x" }, "query", "invalid_request"],
    [
      "/get_reward",
      "prompts of the wrong length",
      { query: ["a", "b"], prompts: ["a"] },
      "prompts",
      "invalid_request",
    ],
    ["/get_reward", "unsplittable query", { query: ["no template here"] }, "query[0]", "invalid_request"],
    ["/get_reward", "JSON that is not an object", "[1, 2]", undefined, "invalid_request"],
  ];
  for (const [path, name, body, field, code] of cases) {
    it(`${path}: ${name}`, async () => {
      const { status, json } = await post(server.url, path, body);
      expect(status).toBe(400);
      expect(json.error.code).toBe(code);
      if (field) expect(json.error.field).toBe(field);
      expect(typeof json.error.message).toBe("string");
    });
  }

  it("unknown routes are JSON 404s", async () => {
    const res = await fetch(`${server.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as Body).error.code).toBe("not_found");
  });

  it("the server still answers after all of the above", async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe("auth, limits, backpressure, deadlines", () => {
  it("a token guards every route but /health", async () => {
    const s = await startExtra({ ...direct, token: "s3cret-token" });
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const none = await post(s.url, "/v1/judge", judgeBody);
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe("unauthorized");
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await post(s.url, "/v1/judge", judgeBody, { authorization: "Bearer wrong-token" });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    const right = await post(s.url, "/v1/judge", judgeBody, { authorization: "Bearer s3cret-token" });
    expect(right.status).toBe(200);
  });

  it("refuses to listen beyond loopback without a token", async () => {
    await expect(startServer(engine, { host: "0.0.0.0", port: 0 })).rejects.toThrow(/token/);
  });

  it("oversize bodies are 413, with or without Content-Length", async () => {
    const s = await startExtra({ ...direct, maxBodyBytes: 1024 });
    const big = { ...judgeBody, response_a: "x".repeat(4096) };
    const sized = await post(s.url, "/v1/judge", big);
    expect(sized.status).toBe(413);
    expect(sized.json.error.code).toBe("payload_too_large");
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const chunked = await fetch(`${s.url}/v1/judge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.slice(i, i + 512));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await post(s.url, "/v1/judge", judgeBody)).status).toBe(200);
  });

  it("a full queue answers 429 with Retry-After; everything admitted succeeds", async () => {
    const s = await startExtra({ ...direct, concurrency: 1, maxQueue: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, () => post(s.url, "/v1/judge", judgeBody)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((x) => x === 200 || x === 429)).toBe(true);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.json.error.code).toBe("queue_full");
    const metrics = s.serveApp.metrics;
    expect(metrics.value("genrm_http_requests_total", { route: "/v1/judge", status: "429" })).toBe(
      statuses.filter((x) => x === 429).length,
    );
  });

  it("a request past its deadline is 504, its queued work is dropped, and the server carries on", async () => {
    const s = await startExtra({ ...direct, concurrency: 1, timeoutMs: 60 });
    // 66 games one at a time: far past 60 ms even when every judgment hits the prefix cache.
    const candidates = Array.from({ length: 12 }, (_, i) => `candidate number ${i}`);
    const slow = await post(s.url, "/v1/rank", { prompt, candidates, scheme: "copeland" });
    expect(slow.status).toBe(504);
    expect(slow.json.error.code).toBe("timeout");
    // The games that were still waiting never reach the engine.
    await new Promise((r) => setTimeout(r, 300));
    expect(s.serveApp.scheduler.queued).toBe(0);
    expect(s.serveApp.scheduler.running).toBe(0);
    expect(
      s.serveApp.metrics.value("genrm_judgments_total", { verdict: "A" }) +
        s.serveApp.metrics.value("genrm_judgments_total", { verdict: "B" }) +
        s.serveApp.metrics.value("genrm_judgments_total", { verdict: "tie" }),
    ).toBeLessThan(66);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });
});

describe("graceful shutdown", () => {
  it("finishes every admitted request, refuses new ones, then closes", async () => {
    const s = await startServer(engine, { port: 0, ...direct, concurrency: 2 });
    const inFlight = Array.from({ length: 6 }, (_, i) =>
      post(s.url, "/v1/judge", { ...judgeBody, response_a: `Red, number ${i}.` }),
    );
    while (s.serveApp.admission.inFlight < 6) await new Promise((r) => setTimeout(r, 5));
    const closed = s.close();
    // Still listening while it drains: late clients get an answer they can act on.
    const late = await fetch(`${s.url}/v1/judge`, { method: "POST", body: JSON.stringify(judgeBody) });
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).not.toBeNull();
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as Body).status).toBe("draining");
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await closed;
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
    // The engine is the caller's and still works.
    expect((await post(server.url, "/v1/judge", judgeBody)).status).toBe(200);
  });
});
