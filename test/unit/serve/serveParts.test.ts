import { describe, expect, it } from "vitest";
import { JudgeScheduler } from "../../../src/serve/JudgeScheduler.js";
import { Metrics } from "../../../src/serve/Metrics.js";
import { isLoopback } from "../../../src/serve/main.js";
import { fieldPath } from "../../../src/serve/readJsonBody.js";
import { resolveServeConfig } from "../../../src/serve/resolveServeConfig.js";
import { splitQuery, trimEndTokens, unwrapTemplate } from "../../../src/serve/splitQuery.js";
import type { PairId } from "../../../src/types.js";
import { oracleJudge } from "../rank/fakeJudges.js";

describe("splitQuery (OpenRLHF query = prompt + response)", () => {
  it("cuts the prompt prefix and trailing end tokens, and unwraps ChatML", () => {
    const prompt =
      "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\n";
    expect(splitQuery(`${prompt}Hello there!<|im_end|>\n`, prompt)).toEqual({
      prompt: [
        { role: "system", content: "Be kind." },
        { role: "user", content: "Hi?" },
      ],
      response: "Hello there!",
    });
  });

  it("without a prompt, splits at the first assistant header (ChatML and Llama 3)", () => {
    const llama3 =
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhy?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nBecause.<|eot_id|>";
    expect(splitQuery(llama3)).toEqual({ prompt: [{ role: "user", content: "Why?" }], response: "Because." });
    // Turns after the first assistant header are the policy's own text: part of the response.
    const chatml =
      "<|im_start|>user\nA?<|im_end|>\n<|im_start|>assistant\nB<|im_end|>\n<|im_start|>user\nC?<|im_end|>\n<|im_start|>assistant\nD.<|im_end|>";
    expect(splitQuery(chatml)).toEqual({
      prompt: [{ role: "user", content: "A?" }],
      response: "B<|im_end|>\n<|im_start|>user\nC?<|im_end|>\n<|im_start|>assistant\nD.",
    });
  });

  it("with a prompt, never looks for headers in the response; whitespace differences are tolerated", () => {
    const prompt = "<|im_start|>user\nA?<|im_end|>\n<|im_start|>assistant\n";
    const rollout = "B<|im_end|>\n<|im_start|>assistant\nD.";
    expect(splitQuery(`${prompt}${rollout}<|im_end|>`, prompt)).toEqual({
      prompt: [{ role: "user", content: "A?" }],
      response: rollout,
    });
    expect(splitQuery(`<|im_start|>user\n A? <|im_end|>\n<|im_start|>assistant\n${rollout}`, prompt)).toEqual(
      {
        prompt: [{ role: "user", content: "A?" }],
        response: rollout,
      },
    );
    expect(splitQuery(`${prompt}${rollout}`, "<|im_start|>user\nE?<|im_end|>\n")).toEqual({
      failure: "prompt_mismatch",
    });
  });

  it("treats an untemplated prompt as one user message, and gives up without any cue", () => {
    expect(splitQuery("Q: 2+2? A: 4</s>", "Q: 2+2? A:")).toEqual({
      prompt: [{ role: "user", content: "Q: 2+2? A:" }],
      response: " 4",
    });
    expect(splitQuery("just text")).toEqual({ failure: "no_assistant_header" });
    expect(unwrapTemplate("plain")).toEqual([{ role: "user", content: "plain" }]);
  });

  it("cuts trailing end tokens in linear time, also after long whitespace runs", () => {
    expect(trimEndTokens("Hi <|im_end|>\n</s> \n")).toBe("Hi");
    expect(trimEndTokens("<|im_end|>")).toBe("");
    // An anchored (…|\s)+$ pattern takes seconds here: the text is the policy's, so it must not.
    const text = `<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\na${" ".repeat(50_000)}b`;
    const startedAt = performance.now();
    const split = splitQuery(text);
    expect(performance.now() - startedAt).toBeLessThan(100);
    expect("response" in split && split.response.length).toBe(50_002);
  });
});

describe("Metrics", () => {
  it("renders counters, gauges and histograms in Prometheus text format", () => {
    const m = new Metrics();
    const count = m.counter("t_total", "Things.");
    const observe = m.histogram("t_seconds", "Latency.", [0.1, 1]);
    m.gauge("t_depth", "Depth.", () => 3);
    count({ route: "/x", status: "200" });
    count({ route: "/x", status: "200" }, 2);
    observe({ route: "/x" }, 0.5);
    const text = m.render();
    expect(text).toContain('# TYPE t_total counter\nt_total{route="/x",status="200"} 3');
    expect(text).toContain('t_seconds_bucket{route="/x",le="0.1"} 0');
    expect(text).toContain('t_seconds_bucket{route="/x",le="1"} 1');
    expect(text).toContain('t_seconds_bucket{route="/x",le="+Inf"} 1');
    expect(text).toContain('t_seconds_sum{route="/x"} 0.5');
    expect(text).toContain("# TYPE t_depth gauge\nt_depth 3");
    expect(m.value("t_total", { status: "200", route: "/x" })).toBe(3);
  });
});

describe("JudgeScheduler", () => {
  const pair = (i: number) => ({
    id: `p${i}` as PairId,
    prompt: [{ role: "user" as const, content: "q" }],
    responseA: `a q=${i}`,
    responseB: "b q=0",
    label: "tie" as const,
  });

  it("runs at most `concurrency` judgments, first come first served", async () => {
    const { judge, stats } = oracleJudge({ delayMs: 5 });
    const scheduler = new JudgeScheduler(judge, { concurrency: 2 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => scheduler.judge.judge(pair(i))));
    expect(stats.maxInFlight).toBe(2);
    expect(stats.pairs.map((p) => p.id)).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    expect(scheduler.running).toBe(0);
  });

  it("drops a waiting judgment when its request aborts, before it reaches the judge", async () => {
    const { judge, stats } = oracleJudge({ delayMs: 20 });
    const scheduler = new JudgeScheduler(judge, { concurrency: 1 });
    const controller = new AbortController();
    const first = scheduler.judge.judge(pair(1));
    const waiting = scheduler.judge.judge(pair(2), { signal: controller.signal });
    expect(scheduler.queued).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toThrow(/aborted/);
    expect(scheduler.queued).toBe(0);
    await first;
    expect(stats.calls).toBe(1);
  });
});

describe("small pieces", () => {
  it("fieldPath writes zod paths the way a client reads them", () => {
    expect(fieldPath(["candidates", 2])).toBe("candidates[2]");
    expect(fieldPath(["budget", "max_tokens"])).toBe("budget.max_tokens");
    expect(fieldPath([0, "role"])).toBe("[0].role");
  });

  it("isLoopback", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "10.0.0.1", "::"].some(isLoopback)).toBe(false);
  });

  it("resolveServeConfig reports every bad option at once", () => {
    expect(() => resolveServeConfig({ concurrency: 0, maxQueue: 1.5, token: "short" })).toThrow(
      /concurrency[\s\S]*maxQueue[\s\S]*token/,
    );
  });

  it("resolveServeConfig: a group of one, or a group timeout past the request deadline", () => {
    expect(() => resolveServeConfig({ groupSize: 1 })).toThrow(/groupSize: must be from 2/);
    expect(() => resolveServeConfig({ groupSize: 4, groupTimeoutMs: 5_000, timeoutMs: 5_000 })).toThrow(
      /groupTimeoutMs: must be below timeoutMs/,
    );
    expect(resolveServeConfig({ groupSize: 4, maxQueue: 32 })).toMatchObject({
      groupSize: 4,
      groupTimeoutMs: 60_000,
      maxOpenGroups: 32,
      groupScheme: "round-robin",
      groupNormalize: "none",
    });
  });
});
