import { describe, expect, it } from "vitest";
import {
  EndpointPool,
  matchCandidateLogprobs,
  normaliseBaseUrl,
  parseRetryAfter,
  planSeedRequests,
  resolveOpenAIEngineConfig,
} from "../../../src/engine/openai/index.js";
import { ConfigError } from "../../../src/errors.js";

describe("planSeedRequests", () => {
  it("sends one request per seed when samplesPerRequest is 1", () => {
    expect(planSeedRequests([4, 5, 6], 1, "offset")).toEqual([
      { start: 0, count: 1, seed: 4 },
      { start: 1, count: 1, seed: 5 },
      { start: 2, count: 1, seed: 6 },
    ]);
  });

  it("groups only runs of consecutive seeds under offset seeding", () => {
    expect(planSeedRequests([10, 11, 12, 13, 14, 40, 41, 7], 4, "offset")).toEqual([
      { start: 0, count: 4, seed: 10 },
      { start: 4, count: 1, seed: 14 },
      { start: 5, count: 2, seed: 40 },
      { start: 7, count: 1, seed: 7 },
    ]);
  });

  it("groups any seeds under unknown seeding", () => {
    expect(planSeedRequests([9, 3, 100], 2, "unknown")).toEqual([
      { start: 0, count: 2, seed: 9 },
      { start: 2, count: 1, seed: 100 },
    ]);
  });
});

describe("matchCandidateLogprobs", () => {
  const top = [
    { token: "A", logprob: Math.log(0.5) },
    { token: "A", logprob: Math.log(0.1) },
    { token: " B", logprob: Math.log(0.2) },
    { token: "Ye", logprob: Math.log(0.05) },
    { token: "Y", logprob: Math.log(0.01) },
  ];

  it("adds up exact matches, takes the longest prefix, and reports missing candidates", () => {
    const { logprobs, missing } = matchCandidateLogprobs(top, ["A", "B", "Yes"]);
    expect(logprobs.A).toBeCloseTo(Math.log(0.6), 12);
    // " B" is a different continuation from "B".
    expect(logprobs.B).toBe(Number.NEGATIVE_INFINITY);
    expect(logprobs.Yes).toBeCloseTo(Math.log(0.05), 12);
    expect(missing).toEqual(["B"]);
  });
});

describe("EndpointPool", () => {
  it("rotates, skips a failing endpoint during its cool-down and restores it after a success", () => {
    let now = 1000;
    const pool = new EndpointPool(["u0", "u1", "u2"], {
      baseDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 1,
      now: () => now,
    });
    expect([pool.pick(), pool.pick(), pool.pick(), pool.pick()].map((p) => p.endpoint.baseUrl)).toEqual([
      "u0",
      "u1",
      "u2",
      "u0",
    ]);
    const u1 = pool.endpoints[1];
    expect(pool.reportFailure(u1)).toBe(100);
    expect(pool.reportFailure(u1)).toBe(200);
    expect([pool.pick(), pool.pick(), pool.pick()].map((p) => p.endpoint.baseUrl)).toEqual([
      "u2",
      "u0",
      "u2",
    ]);
    now += 250;
    expect(pool.pick().endpoint.baseUrl).toBe("u0");
    expect(pool.pick().endpoint.baseUrl).toBe("u1");
    pool.reportSuccess(u1);
    expect(u1.failures).toBe(0);
  });

  it("waits for the endpoint free soonest when all are cooling down, capping Retry-After", () => {
    const now = 0;
    const pool = new EndpointPool(["a", "b"], {
      baseDelayMs: 100,
      maxDelayMs: 5000,
      random: () => 0,
      now: () => now,
    });
    expect(pool.reportFailure(pool.endpoints[0], 60_000)).toBe(5000);
    // Equal jitter with random 0 gives half the exponential delay.
    expect(pool.reportFailure(pool.endpoints[1])).toBe(50);
    expect(pool.pick()).toMatchObject({ endpoint: { baseUrl: "b" }, waitMs: 50 });
  });
});

describe("parseRetryAfter", () => {
  it("reads delta seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 7_000)).toBe(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe("resolveOpenAIEngineConfig", () => {
  it("normalises base URLs the way the OpenAI SDKs expect them", () => {
    expect(normaliseBaseUrl("http://LOCALHOST:8000")).toEqual({ url: "http://localhost:8000/v1" });
    expect(normaliseBaseUrl("http://h:1/v1/")).toEqual({ url: "http://h:1/v1" });
    expect(normaliseBaseUrl("https://api.example.com/openai/v1")).toEqual({
      url: "https://api.example.com/openai/v1",
    });
  });

  it("takes the key from GENRM_API_KEY, then OPENAI_API_KEY, ignoring empty values", () => {
    const base = { baseUrls: "http://h:1" };
    expect(resolveOpenAIEngineConfig(base, { GENRM_API_KEY: "g", OPENAI_API_KEY: "o" }).apiKey).toBe("g");
    expect(resolveOpenAIEngineConfig(base, { GENRM_API_KEY: "", OPENAI_API_KEY: "o" }).apiKey).toBe("o");
    expect(resolveOpenAIEngineConfig({ ...base, apiKey: "x" }, { OPENAI_API_KEY: "o" }).apiKey).toBe("x");
    expect(resolveOpenAIEngineConfig(base, {}).apiKey).toBeUndefined();
  });

  it("reports every problem at once, with its path", () => {
    let error: unknown;
    try {
      resolveOpenAIEngineConfig({
        baseUrls: ["http://ok:1", "ftp://bad", "not a url", "http://ok:1/"],
        extraBody: { seed: 3, top_k: 20 },
        headers: { Authorization: "Bearer x" },
        retryBaseDelayMs: 10,
        retryMaxDelayMs: 5,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toEqual([
      expect.stringMatching(/^baseUrls\.1: unsupported protocol "ftp:"/),
      expect.stringMatching(/^baseUrls\.2: not a URL/),
      "baseUrls.3: duplicate of http://ok:1/v1",
      expect.stringMatching(/^extraBody\.seed: set by the engine itself/),
      "headers.Authorization: use apiKey instead",
      expect.stringMatching(/^retryMaxDelayMs: 5 is below retryBaseDelayMs 10/),
    ]);
  });

  it("rejects wrongly typed options with their paths", () => {
    expect(() =>
      resolveOpenAIEngineConfig({ baseUrls: [], concurrency: 0, prefill: "yes" as never } as never),
    ).toThrow(/baseUrls: at least one base URL is needed[\s\S]*concurrency:[\s\S]*prefill:/);
  });
});
