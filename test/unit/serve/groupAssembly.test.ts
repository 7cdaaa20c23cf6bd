/**
 * Server-side group assembly over real HTTP, driven by clients that shape their requests exactly as
 * OpenRLHF (today's one rollout per request over several URLs, and the older batch), verl's async
 * compute_score, slime's remote_rm and TRL's async reward function do (frameworkClients.ts). The
 * judge is the length engine: the longer shown answer wins, so group rewards are predictable.
 */
import { afterAll, describe, expect, it } from "vitest";
import { GroupAssembler } from "../../../src/serve/GroupAssembler.js";
import { type RunningServer, type StartServerOptions, startServer } from "../../../src/serve/index.js";
import {
  openRlhfRewardBatch,
  openRlhfRewardOneRollout,
  postJson,
  slimeRemoteRm,
  trlGenrmReward,
  verlComputeScore,
} from "./frameworkClients.js";
import { type LengthEngine, lengthEngine } from "./lengthEngine.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire; each test asserts the fields it reads.
type Body = any;

const servers: RunningServer[] = [];
async function serve(options: StartServerOptions = {}, engine: LengthEngine = lengthEngine({ delayMs: 2 })) {
  const s = await startServer(engine, { port: 0, judge: { protocol: "direct" }, ...options });
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const post = postJson;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chatml = (q: string) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`;
/** Four rollouts of one prompt, all of different lengths: the length judge ranks them strictly. */
const rollouts = ["Four.", "It is four.", "2 + 2 is four.", "Two plus two makes four, of course."];

describe("per-sample requests as the frameworks send them", () => {
  it("an empty query list is 200 with empty lists (OpenRLHF's URLs after the first)", async () => {
    const s = await serve();
    const { status, json } = await post(`${s.url}/get_reward`, { query: [], prompts: [], labels: [] });
    expect(status).toBe(200);
    expect(json).toEqual({
      rewards: [],
      scores: [],
      extra_logs: {
        genrm_comparisons: [],
        genrm_failed: [],
        genrm_no_baseline: [],
        genrm_group_size: [],
        genrm_partial_group: [],
      },
      genrm_errors: [],
    });
  });

  it("OpenRLHF, one rollout with a label over 4 URLs: rewarded against its label; the other URLs get []", async () => {
    const urls = await Promise.all([serve(), serve(), serve(), serve()]).then((ss) =>
      ss.map((s) => `${s.url}/get_reward`),
    );
    const prompt = chatml("What is 2 + 2?");
    const r = await openRlhfRewardOneRollout(urls, `${prompt}2 + 2 is four.<|im_end|>`, prompt, "4");
    expect(r.all.slice(1).map((a: Body) => a.rewards)).toEqual([[], [], []]);
    expect(r.rewards).toHaveLength(1);
    expect(r.rewards[0]).toBeGreaterThan(0);
    expect(r.extra_logs.genrm_no_baseline).toEqual([0]);
    expect(r.extra_logs.genrm_comparisons).toEqual([1]);
  });
});

describe("--group-size: groups assembled on the server", () => {
  it("OpenRLHF, one rollout per request over 4 URLs: group-relative rewards equal to the batched form", async () => {
    const first = await serve({ groupSize: 4, groupTimeoutMs: 5_000 });
    const others = await Promise.all([serve(), serve(), serve()]);
    const urls = [first, ...others].map((s) => `${s.url}/get_reward`);
    const prompt = chatml("What is 2 + 2?");
    const queries = rollouts.map((r) => `${prompt}${r}<|im_end|>`);
    // Rollouts finish at different times and are sent as each one finishes, in any order.
    const order = [2, 0, 3, 1];
    const results = await Promise.all(
      order.map(async (k, t) => {
        await sleep(15 * t);
        return [k, await openRlhfRewardOneRollout(urls, queries[k]!, prompt, "")] as const;
      }),
    );
    const byRollout = new Map(results);
    const single = rollouts.map((_, k) => byRollout.get(k)!.rewards[0]!);
    for (const [, r] of results) {
      expect(r.extra_logs).toMatchObject({
        genrm_group_size: [4],
        genrm_partial_group: [0],
        genrm_no_baseline: [0],
        genrm_comparisons: [3],
      });
    }
    // Longer wins under the length judge: rewards rise with length, and sum to zero by symmetry.
    expect([...single].sort((a, b) => a - b)).toEqual(single);
    expect(single.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);

    // The older batched client (pre PR #1152) on one URL: the same rewards.
    const plain = await serve();
    const batched = await openRlhfRewardBatch(
      [`${plain.url}/get_reward`],
      queries,
      rollouts.map(() => prompt),
      rollouts.map(() => ""),
    );
    expect(batched.rewards).toEqual(single);
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toContain("genrm_groups_opened_total 1");
    expect(metrics).toContain('genrm_groups_closed_total{outcome="full"} 1');
  });

  it("the older batched OpenRLHF form over 2 URLs: each URL's slice holds whole groups", async () => {
    const [a, b] = await Promise.all([serve(), serve()]);
    const prompts = [chatml("P?"), chatml("Q?")];
    const queries = prompts.flatMap((p) => rollouts.map((r) => `${p}${r}<|im_end|>`));
    const { rewards, answers } = await openRlhfRewardBatch(
      [`${a!.url}/get_reward`, `${b!.url}/get_reward`],
      queries,
      prompts.flatMap((p) => rollouts.map(() => p)),
      queries.map(() => null),
    );
    expect(rewards).toHaveLength(8);
    expect(rewards.slice(0, 4)).toEqual(rewards.slice(4));
    for (const answer of answers) expect(answer.extra_logs.genrm_group_size).toEqual([4, 4, 4, 4]);
  });

  it("verl, async compute_score per sample: group-relative scores, grouped by extra_info.index", async () => {
    const s = await serve({ groupSize: 4, groupTimeoutMs: 5_000, rewardMode: "group" });
    // Two dataset rows with the same question: extra_info.index keeps their groups apart.
    const calls = [7, 8].flatMap((index) =>
      rollouts.map((solution_str, k) => ({
        k,
        index,
        args: {
          data_source: "openai/gsm8k",
          solution_str,
          ground_truth: "4",
          extra_info: { question: "What is 2 + 2?", index, split: "train" },
        },
      })),
    );
    const results = await Promise.all(
      calls.map(async (c, t) => {
        await sleep((t * 7) % 40);
        return { ...c, out: await verlComputeScore(s.url, c.args) };
      }),
    );
    for (const index of [7, 8]) {
      const scores = results.filter((r) => r.index === index).sort((x, y) => x.k - y.k);
      expect(scores.map((r) => r.out.genrm_partial_group)).toEqual([0, 0, 0, 0]);
      const values = scores.map((r) => r.out.score);
      expect([...values].sort((a, b) => a - b)).toEqual(values);
      expect(values[0]).toBeLessThan(0);
    }
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('genrm_groups_closed_total{outcome="full"} 2');
  });

  it("slime remote_rm: {prompt, response, label} per sample, reward read with --reward-key reward", async () => {
    const s = await serve({ groupSize: 2, groupTimeoutMs: 5_000, rewardMode: "group" });
    const prompt = chatml("Name a primary colour.");
    const [short, long] = await Promise.all([
      slimeRemoteRm(`${s.url}/v1/reward`, { prompt, response: "Red.", label: null }, "reward"),
      slimeRemoteRm(
        `${s.url}/v1/reward`,
        { prompt, response: "Red, which no mix of others makes.", label: null },
        "reward",
      ),
    ]);
    expect(long.value).toBeGreaterThan(0);
    expect(short.value).toBe(-long.value);
    expect(long.reward).toMatchObject({
      group_size: 2,
      partial_group: 0,
      failed: 0,
      no_baseline: 0,
      error: null,
    });
  });

  it("slime with a label (auto mode): the response is judged against it", async () => {
    const s = await serve();
    const r = await slimeRemoteRm(
      `${s.url}/v1/reward`,
      { prompt: "Name a primary colour.", response: "Red, the colour of blood.", label: "Blue." },
      "reward",
    );
    expect(r.value).toBeGreaterThan(0);
    expect(r.reward).toMatchObject({ comparisons: 1, no_baseline: 0, group_size: 1 });
  });

  it("TRL, async reward_funcs: a group per prompt; a group split over two processes is judged as one", async () => {
    const s = await serve({ groupSize: 4, groupTimeoutMs: 5_000 });
    const p1 = [{ role: "user", content: "What is 2 + 2?" }];
    const p2 = [{ role: "user", content: "Name a primary colour." }];
    const completion = (text: string) => [{ role: "assistant", content: text }];
    // Process 0 holds all of p1's group and half of p2's; process 1 the other half of p2's.
    const process0 = {
      prompts: [p1, p1, p1, p1, p2, p2],
      completions: [...rollouts, rollouts[0]!, rollouts[3]!].map(completion),
    };
    const process1 = { prompts: [p2, p2], completions: [rollouts[1]!, rollouts[2]!].map(completion) };
    const [r0, r1] = await Promise.all([
      trlGenrmReward(s.url, 4, process0),
      sleep(30).then(() => trlGenrmReward(s.url, 4, process1)),
    ]);
    expect(r0.slice(0, 4)).toEqual([r0[4], r1[0], r1[1], r0[5]]);
    expect([...r0.slice(0, 4)].sort((a, b) => a! - b!)).toEqual(r0.slice(0, 4));
  });

  it("a group that never fills: the partial group's rewards, flagged, after the timeout", async () => {
    const s = await serve({ groupSize: 4, groupTimeoutMs: 150 });
    const prompt = chatml("What is 2 + 2?");
    const started = performance.now();
    const answers = await Promise.all(
      rollouts
        .slice(0, 3)
        .map((r) =>
          post(`${s.url}/get_reward`, { query: [`${prompt}${r}`], prompts: [prompt], labels: [null] }),
        ),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    for (const { status, json } of answers) {
      expect(status).toBe(200);
      expect(json.extra_logs).toMatchObject({
        genrm_group_size: [3],
        genrm_partial_group: [1],
        genrm_comparisons: [2],
      });
    }
    expect(answers[2]!.json.rewards[0]).toBeGreaterThan(0);
    const lone = await post(`${s.url}/get_reward`, { query: [`${prompt}Four.`], prompts: [prompt] });
    expect(lone.json.extra_logs).toMatchObject({ genrm_no_baseline: [1], genrm_partial_group: [1] });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('genrm_groups_closed_total{outcome="timeout"} 2');
    expect(metrics).toContain("genrm_groups_open 0");
  });

  it("failed rollouts count towards their group, so it still fills", async () => {
    const s = await serve({ groupSize: 3, groupTimeoutMs: 5_000 });
    const prompt = chatml("What is 2 + 2?");
    const started = performance.now();
    const answers = await Promise.all(
      ["Four.", "<|im_end|>", "It is four."].map((r) =>
        post(`${s.url}/get_reward`, { query: [`${prompt}${r}`], prompts: [prompt] }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(answers.map((a) => a.json.extra_logs.genrm_failed[0])).toEqual([0, 1, 0]);
    expect(answers[1]!.json.genrm_errors[0]).toMatchObject({ code: "empty_response" });
    expect(answers.map((a) => a.json.extra_logs.genrm_partial_group[0])).toEqual([0, 0, 0]);
  });

  it("knockout, anchor and GRPO normalisation", async () => {
    const prompt = "What is 2 + 2?";
    const body = { prompt, responses: rollouts };
    const knockout = await serve({ groupSize: 4, groupScheme: "knockout" });
    const k = (await post(`${knockout.url}/v1/reward`, body)).json;
    expect(k.rewards).toEqual([0, 0, 1, 2]);
    expect(k.extra_logs.genrm_comparisons.reduce((a: number, b: number) => a + b, 0)).toBe(6);
    const anchor = await serve({ groupSize: 4, groupScheme: "anchor" });
    const a = (await post(`${anchor.url}/v1/reward`, body)).json;
    expect(a.rewards.filter((r: number) => r === 0)).toHaveLength(1);
    expect(a.extra_logs.genrm_comparisons.reduce((x: number, y: number) => x + y, 0)).toBe(6);
    const grpo = await serve({ groupSize: 4, groupNormalize: "grpo" });
    const g = (await post(`${grpo.url}/v1/reward`, body)).json;
    const mean = g.rewards.reduce((x: number, y: number) => x + y, 0) / 4;
    const std = Math.sqrt(g.rewards.reduce((x: number, y: number) => x + (y - mean) ** 2, 0) / 3);
    expect(mean).toBeCloseTo(0, 9);
    expect(std).toBeCloseTo(1, 3);
  });

  it("shutdown judges open groups at once instead of letting them time out", async () => {
    const s = await startServer(lengthEngine(), {
      port: 0,
      judge: { protocol: "direct" },
      groupSize: 4,
      groupTimeoutMs: 60_000,
    });
    const prompt = chatml("What is 2 + 2?");
    const waiting = rollouts
      .slice(0, 2)
      .map((r) => post(`${s.url}/get_reward`, { query: [`${prompt}${r}`], prompts: [prompt] }));
    while (s.serveApp.rewards.assembler!.waitingMembers < 2) await sleep(5);
    const started = performance.now();
    await s.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    for (const { status, json } of await Promise.all(waiting)) {
      expect(status).toBe(200);
      expect(json.extra_logs).toMatchObject({ genrm_group_size: [2], genrm_partial_group: [1] });
    }
  });
});

describe("/v1/reward refuses what it cannot read", () => {
  it("response and responses together, neither, a bad group id, group_ids of the wrong length", async () => {
    const s = await serve();
    const cases: [string, unknown, string][] = [
      ["/v1/reward", { prompt: "Q?", response: "A.", responses: ["B."] }, "response"],
      ["/v1/reward", { prompt: "Q?" }, "response"],
      ["/v1/reward", { prompt: "Q?", response: "A.", group_id: { x: 1 } }, "group_id"],
      ["/v1/reward", { prompt: "", response: "A." }, "prompt"],
      ["/get_reward", { query: [chatml("Q?")], group_ids: ["a", "b"] }, "group_ids"],
    ];
    for (const [path, body, field] of cases) {
      const { status, json } = await post(`${s.url}${path}`, body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.error).toMatchObject({ code: "invalid_request", field });
    }
  });

  it("a blank response is a failed rollout, not a 400", async () => {
    const s = await serve();
    const { status, json } = await post(`${s.url}/v1/reward`, { prompt: "Q?", response: " <|im_end|>" });
    expect(status).toBe(200);
    expect(json).toMatchObject({ reward: 0, score: 0.5, failed: 1, error: { code: "empty_response" } });
  });
});

describe("GroupAssembler", () => {
  const judgeSizes = (group: { members: number[]; reason: string }) =>
    Promise.resolve(group.members.map((m) => `${m}/${group.members.length}/${group.reason}`));

  it("a member that is aborted leaves its group; a group left empty is dropped", async () => {
    const closed: string[] = [];
    const g = new GroupAssembler<number, string>({
      size: 3,
      timeoutMs: 50,
      maxOpenGroups: 10,
      judge: judgeSizes,
      onClose: (outcome, n) => closed.push(`${outcome}:${n}`),
    });
    const gone = new AbortController();
    const a = g.join("k", 1, gone.signal);
    const b = g.join("k", 2, new AbortController().signal);
    gone.abort(new Error("client gone"));
    await expect(a).rejects.toThrow();
    expect(await b).toBe("2/1/timeout");
    const alone = new AbortController();
    const c = g.join("j", 3, alone.signal);
    alone.abort();
    await expect(c).rejects.toThrow();
    expect(g.openGroups).toBe(0);
    expect(closed).toEqual(["timeout:1", "abandoned:0"]);
  });

  it("past maxOpenGroups the oldest group is judged early; memory stays bounded", async () => {
    const g = new GroupAssembler<number, string>({
      size: 2,
      timeoutMs: 60_000,
      maxOpenGroups: 2,
      judge: judgeSizes,
    });
    const signal = new AbortController().signal;
    const first = g.join("a", 1, signal);
    void g.join("b", 2, signal);
    void g.join("c", 3, signal);
    expect(await first).toBe("1/1/evicted");
    expect(g.openGroups).toBe(2);
    g.flush();
    expect(g.openGroups).toBe(0);
  });
});
