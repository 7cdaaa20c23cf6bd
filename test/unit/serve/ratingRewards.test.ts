/**
 * The reward server with a rating judge (`genrm serve --listwise rating`), over real HTTP with
 * request bodies built as OpenRLHF, verl, slime and TRL build them: each rollout rated 1–10 on its
 * own by a model-free engine that rates by length (k = 2 samples, their mean), reward = the rating,
 * score = (rating − 1) / 9; no reference or sibling needed; a rollout whose rating does not parse is
 * flagged, not rewarded; /v1/rank scheme scalar selects by the same ratings. The default server
 * (no `rating`) still compares.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../../src/serve/index.js";
import {
  type LengthRatingEngine,
  lengthRatingEngine,
  lengthReply,
} from "../../helpers/lengthRatingEngine.js";
import {
  openRlhfRewardBatch,
  postJson,
  slimeRemoteRm,
  trlGenrmReward,
  verlComputeScore,
} from "./frameworkClients.js";

const head = (q: string) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`;
/** Answers starting "??" get no rating from the engine. */
const reply = (user: string) => (user.includes("[Response]\n??") ? "No rating here." : lengthReply(user));

let engine: LengthRatingEngine;
let server: RunningServer;

beforeAll(async () => {
  engine = lengthRatingEngine({ reply });
  server = await startServer(engine, { port: 0, rating: { k: 2 }, concurrency: 2 });
});

afterAll(async () => {
  await server?.close();
});

describe("rewards from the rating judge", () => {
  it("OpenRLHF /get_reward: reward = rating, score = (rating − 1) / 9, labels and siblings unused", async () => {
    const prompt = head("Say hi.");
    const before = engine.calls.length;
    const { rewards, answers } = await openRlhfRewardBatch(
      [`${server.url}/get_reward`],
      [
        `${prompt}Hello<|im_end|>`,
        `${prompt}Hi there, friend!<|im_end|>`,
        `${prompt}??<|im_end|>`,
        `${head("Other?")}Yes.`,
      ],
      [prompt, prompt, prompt, head("Other?")],
      ["a reference answer", null, null, null],
    );
    // "Hello" → 5; the 17-character answer → 10 (capped); "??" → no rating; "Yes." → 4.
    expect(rewards).toEqual([5, 10, 0, 4]);
    const body = answers[0];
    expect(body.scores).toEqual([4 / 9, 1, 0.5, 3 / 9]);
    expect(body.extra_logs.genrm_failed).toEqual([0, 0, 1, 0]);
    expect(body.extra_logs.genrm_no_baseline).toEqual([0, 0, 0, 0]);
    expect(body.extra_logs.genrm_comparisons).toEqual([0, 0, 0, 0]);
    expect(body.genrm_errors[2]).toEqual({
      code: "judgment_failed",
      message: "no rating parsed from 2 samples",
    });
    // One rating prompt per rollout, k = 2 seeds each; the reference is never shown to the judge.
    const calls = engine.calls.slice(before);
    expect(calls).toHaveLength(4);
    expect(calls.every((c) => c.seeds.length === 2)).toBe(true);
    expect(calls.some((c) => c.prompt.includes("a reference answer"))).toBe(false);
    expect(calls.every((c) => c.prompt.includes("[Your judgement]"))).toBe(true);
  });

  it("/v1/reward one rollout (verl, slime) and a group (TRL), the same rating whatever the shape", async () => {
    const verl = await verlComputeScore(server.url, {
      data_source: "d",
      solution_str: "Fine.",
      ground_truth: "Fine, thanks.",
      extra_info: { question: "How are you?", index: 3 },
    });
    expect(verl).toMatchObject({ score: 5, p_win: 4 / 9, genrm_failed: 0 });
    const slime = await slimeRemoteRm(
      `${server.url}/v1/reward`,
      { prompt: "How are you?", response: "Fine.", label: null },
      "reward",
    );
    expect(slime.value).toBe(5);
    const trl = await trlGenrmReward(server.url, 3, {
      prompts: ["How are you?", "How are you?", "How are you?"],
      completions: ["Fine.", "Very well, thank you.", "??"],
    });
    expect(trl).toEqual([5, 10, null]);
  });

  it("grpo normalisation runs over the group's ratings", async () => {
    const { status, json } = await postJson(`${server.url}/v1/reward`, {
      prompt: "Q?",
      responses: ["abc", "abcdefg"],
    });
    expect(status).toBe(200);
    expect(json.rewards).toEqual([3, 7]);
    const grpo = await startServer(lengthRatingEngine(), {
      port: 0,
      rating: { k: 1 },
      groupNormalize: "grpo",
    });
    try {
      const g = await postJson(`${grpo.url}/v1/reward`, { prompt: "Q?", responses: ["abc", "abcdefg"] });
      // mean 5, unbiased std √8 (TRL's): (3 − 5) / (√8 + 1e-4) and (7 − 5) / (√8 + 1e-4).
      expect(g.json.rewards[0]).toBeCloseTo(-2 / (Math.sqrt(8) + 1e-4), 12);
      expect(g.json.rewards[1]).toBeCloseTo(2 / (Math.sqrt(8) + 1e-4), 12);
    } finally {
      await grpo.close();
    }
  });

  it("/v1/rank scheme scalar selects by rating and reports the tokens; /health and /metrics say so", async () => {
    const { status, json } = await postJson(`${server.url}/v1/rank`, {
      prompt: "Pick one.",
      candidates: ["abcd", "abcdefgh", "ab"],
      scheme: "scalar",
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ scheme: "scalar", selected: 1, ranking: [1, 0, 2], rewards: [4, 8, 2] });
    expect(json.usage).toMatchObject({ scorer_calls: 3, completion_tokens: 18 });
    const health = (await (await fetch(`${server.url}/health`)).json()) as { reward: unknown };
    expect(health.reward).toEqual({ judge: "rating", template_id: "rating-rb2@1", k: 2 });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/genrm_ratings_total\{outcome="rated"\} \d+/);
    expect(metrics).toMatch(/genrm_ratings_total\{outcome="unparsed"\} [1-9]/);
  });

  it("a multi-turn prompt fails its rollout as unsupported; the rest of the batch is rated", async () => {
    const { json } = await postJson(`${server.url}/v1/reward`, {
      prompt: [
        { role: "user", content: "A?" },
        { role: "assistant", content: "B." },
        { role: "user", content: "C?" },
      ],
      responses: ["Done."],
    });
    expect(json.extra_logs.genrm_failed).toEqual([1]);
    expect(json.genrm_errors[0].code).toBe("unsupported");
  });

  it("a rating judge with rewardMode reference is refused; without rating the server compares", async () => {
    await expect(
      startServer(lengthRatingEngine(), { port: 0, rating: {}, rewardMode: "reference" }),
    ).rejects.toThrow(/rating judge rates each rollout on its own/);
    const pairwiseEngine = lengthRatingEngine();
    const pairwise = await startServer(pairwiseEngine, { port: 0, judge: { protocol: "cot" } });
    try {
      const { json } = await postJson(`${pairwise.url}/v1/reward`, {
        prompt: "Q?",
        responses: ["abc", "abcdefg"],
      });
      // The engine's pairwise answer is always [[A]]: a round-robin game, no rating prompt at all.
      expect(json.extra_logs.genrm_comparisons).toEqual([1, 1]);
      expect(pairwiseEngine.calls.some((c) => c.prompt.includes("[Your judgement]"))).toBe(false);
      const health = (await (await fetch(`${pairwise.url}/health`)).json()) as { reward: unknown };
      expect(health.reward).toEqual({ judge: "pairwise" });
    } finally {
      await pairwise.close();
    }
  });
});
