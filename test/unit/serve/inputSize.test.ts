/**
 * The size bound over real HTTP: text that cannot fit the judge's context is refused by its length
 * (413 naming the field, or a flagged /get_reward sample) and never reaches the engine.
 */
import { afterAll, describe, expect, it } from "vitest";
import { maxCharsPerToken } from "../../../src/engine/types.js";
import { type RunningServer, type StartServerOptions, startServer } from "../../../src/serve/index.js";
import { resolveServeConfig } from "../../../src/serve/resolveServeConfig.js";
import { type LengthEngine, lengthEngine } from "./lengthEngine.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire; each test asserts the fields it reads.
type Body = any;

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(engine: LengthEngine, options: StartServerOptions = {}) {
  const s = await startServer(engine, { port: 0, judge: { protocol: "direct" }, ...options });
  servers.push(s);
  return s;
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: Body }> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe("the size bound", () => {
  it("defaults to 16 characters per context token of the engine, and none without a context size", async () => {
    const bounded = await serve(lengthEngine({ contextSize: 100 }));
    expect(bounded.serveApp.config.maxInputChars).toBe(100 * maxCharsPerToken);
    const unbounded = await serve(lengthEngine());
    expect(unbounded.serveApp.config.maxInputChars).toBeUndefined();
    expect(() => resolveServeConfig({ maxInputChars: 0 })).toThrow(/maxInputChars/);
  });

  it("/v1/judge and /v1/rank: 413 naming the largest field, and the engine never sees it", async () => {
    const engine = lengthEngine({ contextSize: 100 });
    const s = await serve(engine);
    const long = "word ".repeat(400);
    const judge = await post(s.url, "/v1/judge", { prompt: "Q?", response_a: "A.", response_b: long });
    expect(judge.status).toBe(413);
    expect(judge.json.error).toMatchObject({ code: "payload_too_large", field: "response_b" });
    expect(judge.json.error.message).toMatch(/1600/);
    const rank = await post(s.url, "/v1/rank", { prompt: "Q?", candidates: ["A.", "B.", long] });
    expect(rank.status).toBe(413);
    expect(rank.json.error).toMatchObject({ code: "payload_too_large", field: "candidates[2]" });
    expect(engine.seen).toHaveLength(0);
    expect(
      (await post(s.url, "/v1/judge", { prompt: "Q?", response_a: "A.", response_b: "Bb." })).status,
    ).toBe(200);
  });

  it("/get_reward: the long rollout is flagged too_long, its siblings play each other", async () => {
    const engine = lengthEngine();
    const s = await serve(engine, { maxInputChars: 500 });
    const head = "<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n";
    const { status, json } = await post(s.url, "/get_reward", {
      query: [`${head}${"x".repeat(600)}`, `${head}A.`, `${head}Bb.`],
    });
    expect(status).toBe(200);
    expect(json.extra_logs.genrm_failed).toEqual([1, 0, 0]);
    expect(json.extra_logs.genrm_comparisons).toEqual([0, 1, 1]);
    expect(json.genrm_errors[0]).toMatchObject({ code: "too_long" });
    expect(engine.seen.every((m) => !m.at(-1)!.content.includes("xxxx"))).toBe(true);
  });
});
