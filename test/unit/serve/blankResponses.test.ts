/**
 * Empty and whitespace-only answers over real HTTP: never judged, never rewarded, refused the same
 * way on every route (400 naming the field on /v1/judge and /v1/rank; a flagged sample with its
 * reason on /get_reward, whose batch goes on).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../../src/serve/index.js";
import { type LengthEngine, lengthEngine } from "./lengthEngine.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire; each test asserts the fields it reads.
type Body = any;

let engine: LengthEngine;
let server: RunningServer;

beforeAll(async () => {
  engine = lengthEngine();
  server = await startServer(engine, { port: 0, judge: { protocol: "direct" } });
});

afterAll(async () => {
  await server?.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Body }> {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const head = (q: string) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`;

describe("blank answers are refused, never judged", () => {
  const refusals: [string, string, unknown, string][] = [
    ["/v1/judge", "empty response_a", { prompt: "Q?", response_a: "", response_b: "B." }, "response_a"],
    [
      "/v1/judge",
      "spaces in response_a",
      { prompt: "Q?", response_a: "   ", response_b: "B." },
      "response_a",
    ],
    [
      "/v1/judge",
      "newlines and tabs in response_b",
      { prompt: "Q?", response_a: "A.", response_b: "\n\t \n" },
      "response_b",
    ],
    ["/v1/rank", "a blank candidate", { prompt: "Q?", candidates: ["A.", " \n"] }, "candidates[1]"],
    [
      "/v1/rank",
      "a blank reference",
      { prompt: "Q?", candidates: ["A."], scheme: "reference", reference: "  " },
      "reference",
    ],
  ];
  for (const [path, name, body, field] of refusals) {
    it(`${path}: ${name} is a 400 naming ${field}`, async () => {
      const before = engine.seen.length;
      const { status, json } = await post(path, body);
      expect(status).toBe(400);
      expect(json.error).toMatchObject({ code: "invalid_request", field });
      expect(json.error.message).toMatch(/empty or whitespace/);
      expect(engine.seen.length).toBe(before);
    });
  }

  it("/get_reward: an empty or blank response is flagged with its reason; its siblings are rewarded", async () => {
    const q = head("Name a primary colour.");
    const before = engine.seen.length;
    const { status, json } = await post("/get_reward", {
      query: [`${q}<|im_end|>`, `${q}Red.<|im_end|>`, `${q}   \n<|im_end|>\n`, `${q}Blue is one.<|im_end|>`],
    });
    expect(status).toBe(200);
    expect(json.extra_logs.genrm_failed).toEqual([1, 0, 1, 0]);
    expect(json.rewards[0]).toBe(0);
    expect(json.rewards[2]).toBe(0);
    expect(json.scores[0]).toBe(0.5);
    expect(json.genrm_errors[0]).toMatchObject({ code: "empty_response" });
    expect(json.genrm_errors[2]).toMatchObject({ code: "empty_response" });
    expect(json.genrm_errors[1]).toBeNull();
    // The two real rollouts played each other only; the longer won.
    expect(json.extra_logs.genrm_comparisons).toEqual([0, 1, 0, 1]);
    expect(json.rewards[3]).toBeGreaterThan(0);
    expect(json.rewards[1]).toBeLessThan(0);
    for (const messages of engine.seen.slice(before)) {
      const shown = engine.shown(messages)!;
      expect(shown.a.trim()).not.toBe("");
      expect(shown.b.trim()).not.toBe("");
    }
  });

  it("/get_reward: an empty response against a reference gets no reward either", async () => {
    const q = head("Name a primary colour.");
    const { status, json } = await post("/get_reward", { query: [`${q}<|im_end|>`], labels: ["Red."] });
    expect(status).toBe(200);
    expect(json.rewards).toEqual([0]);
    expect(json.extra_logs.genrm_failed).toEqual([1]);
    expect(json.genrm_errors[0].code).toBe("empty_response");
  });

  it("/get_reward: a blank label is no reference", async () => {
    const q = head("Name a primary colour.");
    const { status, json } = await post("/get_reward", { query: [`${q}Red.`], labels: ["  "] });
    expect(status).toBe(200);
    expect(json.extra_logs).toMatchObject({ genrm_failed: [0], genrm_no_baseline: [1] });
  });
});
