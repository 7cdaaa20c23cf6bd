/**
 * `genrm serve --group-size 4` as a real process on a tiny GGUF: an OpenRLHF-shaped client (one
 * rollout per request, over 4 URLs) and a verl-shaped async compute_score get group-relative
 * rewards, equal to what the same rollouts get as one batched request.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyModelOnce } from "../helpers/tinyModel.js";
import {
  openRlhfRewardBatch,
  openRlhfRewardOneRollout,
  verlComputeScore,
} from "../unit/serve/frameworkClients.js";
import { startServeProcess } from "./serveProcess.js";

let child: ChildProcess;
let url: string;

beforeAll(async () => {
  const modelPath = (await tinyModelOnce({ seed: 11 })).path;
  const serve = await startServeProcess(modelPath, ["--group-size", "4", "--group-timeout", "20000"]);
  child = serve.child;
  url = serve.url;
}, 90_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
});

const prompt = "<|im_start|>user\nName a primary colour.<|im_end|>\n<|im_start|>assistant\n";
const rollouts = ["Red.", "Blue, like the sky.", "Yellow.", "Green is not one, so: red."];

describe("genrm serve --group-size 4", () => {
  it("OpenRLHF, one rollout per request over 4 URLs: group rewards equal to the batched request's", async () => {
    const urls = [1, 2, 3, 4].map(() => `${url}/get_reward`);
    const single = await Promise.all(
      rollouts.map(async (r, k) => {
        await new Promise((resolve) => setTimeout(resolve, 40 * k));
        return openRlhfRewardOneRollout(urls, `${prompt}${r}<|im_end|>`, prompt, null);
      }),
    );
    for (const r of single) {
      expect(r.extra_logs).toMatchObject({
        genrm_group_size: [4],
        genrm_partial_group: [0],
        genrm_no_baseline: [0],
        genrm_failed: [0],
      });
      expect(r.all.slice(1).map((a: { rewards: number[] }) => a.rewards)).toEqual([[], [], []]);
    }
    const rewards = single.map((r) => r.rewards[0]!);
    // Mean pairwise logits of a round robin sum to zero: each game adds logit(p) + logit(1 − p).
    expect(rewards.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    const batched = await openRlhfRewardBatch(
      [`${url}/get_reward`],
      rollouts.map((r) => `${prompt}${r}<|im_end|>`),
      rollouts.map(() => prompt),
      rollouts.map(() => null),
    );
    batched.rewards.forEach((r, k) => {
      expect(r).toBeCloseTo(rewards[k]!, 6);
    });
  }, 120_000);

  it("verl, async compute_score per sample: group-relative scores", async () => {
    const results = await Promise.all(
      rollouts.map((solution_str) =>
        verlComputeScore(url, {
          data_source: "colours",
          solution_str,
          ground_truth: null,
          extra_info: { question: "Name a primary colour.", index: 3 },
        }),
      ),
    );
    for (const r of results) expect(r).toMatchObject({ genrm_failed: 0, genrm_partial_group: 0 });
    expect(results.reduce((a, r) => a + r.score, 0)).toBeCloseTo(0, 6);
    expect(results.every((r) => r.p_win > 0 && r.p_win < 1)).toBe(true);
  }, 120_000);
});
