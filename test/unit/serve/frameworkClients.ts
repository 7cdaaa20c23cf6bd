/**
 * The reward-server clients of today's RL frameworks, rebuilt in TypeScript so that tests can send
 * the server request bodies shaped exactly as each framework shapes them: same fields, same
 * splitting over URLs, same way of reading the answer. None of the Python frameworks can run here
 * (no network, no GPU); each function names the file and commit whose behaviour it follows.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire; each caller asserts the fields it reads.
type Json = any;

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * OpenRLHF today: `SingleTurnAgentExecutor.execute` rewards each rollout as soon as it is generated,
 * through `_fetch_rewards_via_http([query], [prompt], [label])`, which cuts the lists into
 * ceil(len / len(urls)) slices, one POST per URL, so with one rollout every URL after the first is
 * sent `{"query": [], "prompts": [], "labels": []}`; it raises for any non-2xx answer and keeps the
 * first URL's body. `query` is the decoded prompt + response tokens with special tokens kept.
 * Source: OpenRLHF/OpenRLHF openrlhf/utils/agent.py at 3c3be6234e0cb353e76bb8019947db9dfe99fca7
 * (the per-rollout path came with PR #1152, commit 629870839cfb025698b29fe5f9474dbb14bd2e31).
 */
export async function openRlhfRewardOneRollout(
  urls: readonly string[],
  query: string,
  prompt: string,
  label: unknown,
): Promise<{ rewards: number[]; scores: number[]; extra_logs: Record<string, number[]>; all: Json[] }> {
  const queries = [query];
  const prompts = [prompt];
  const labels = [label];
  const batch = Math.ceil(queries.length / urls.length);
  const answers = await Promise.all(
    urls.map(async (url, i) => {
      const payload = {
        query: queries.slice(i * batch, (i + 1) * batch),
        prompts: prompts.slice(i * batch, (i + 1) * batch),
        labels: labels.slice(i * batch, (i + 1) * batch),
      };
      const { status, json } = await postJson(url, payload);
      if (status < 200 || status >= 300)
        throw new Error(`HTTP ${status} from ${url}: ${JSON.stringify(json)}`);
      return json;
    }),
  );
  return { ...answers[0], all: answers };
}

/**
 * OpenRLHF before PR #1152: the experience maker decodes the whole rollout batch and
 * `RemoteRewardModel.get_rewards` splits it into contiguous slices of ceil(len / len(urls)), one
 * `{query, prompts, labels}` POST per URL, and concatenates the answers in URL order.
 * Source: OpenRLHF/OpenRLHF openrlhf/utils/remote_rm_utils.py at
 * 494850f50342ed38d5ae76ef45a3207f3523b582.
 */
export async function openRlhfRewardBatch(
  urls: readonly string[],
  queries: readonly string[],
  prompts: readonly string[],
  labels: readonly unknown[],
): Promise<{ rewards: number[]; answers: Json[] }> {
  const batch = Math.ceil(queries.length / urls.length);
  const answers = await Promise.all(
    urls.map(async (url, i) => {
      const { status, json } = await postJson(url, {
        query: queries.slice(i * batch, (i + 1) * batch),
        prompts: prompts.slice(i * batch, (i + 1) * batch),
        labels: labels.slice(i * batch, (i + 1) * batch),
      });
      if (status !== 200) throw new Error(`HTTP ${status} from ${url}: ${JSON.stringify(json)}`);
      return json;
    }),
  );
  return { rewards: answers.flatMap((a) => a.rewards), answers };
}

/**
 * verl's reward loop: `NaiveRewardManager.run_single` awaits an async `compute_score(data_source=,
 * solution_str=, ground_truth=, extra_info=)` once per sample; `solution_str` is the response alone,
 * decoded with special tokens skipped, and `extra_info` is the dataset row's (plus num_turns and
 * rollout_reward_scores). A dict result must hold "score". This is examples/verl/genrm_reward.py's
 * compute_score, line for line.
 * Source: verl-project/verl verl/experimental/reward_loop/reward_manager/naive.py at
 * 1dda039b9c6311889a9c9a26040677e1254814f9.
 */
export async function verlComputeScore(
  baseUrl: string,
  args: {
    data_source: string;
    solution_str: string;
    ground_truth: unknown;
    extra_info: { question: string; index?: number } & Record<string, unknown>;
  },
): Promise<{ score: number; p_win: number; genrm_failed: number; genrm_partial_group: number }> {
  const { status, json } = await postJson(`${baseUrl}/v1/reward`, {
    prompt: args.extra_info.question,
    response: args.solution_str,
    label: args.ground_truth,
    group_id: args.extra_info.index ?? null,
  });
  if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(json)}`);
  return {
    score: json.reward,
    p_win: json.score,
    genrm_failed: json.failed,
    genrm_partial_group: json.partial_group,
  };
}

/**
 * slime `--rm-type remote_rm`: `remote_rm(args, sample)` POSTs `{prompt: sample.prompt, response:
 * sample.response, label: sample.label}` to `--rm-url`, keeps the JSON answer as `sample.reward`,
 * and `Sample.get_reward_value` reads `sample.reward[args.reward_key]` when `--reward-key` is set.
 * Sources: THUDM/slime slime/rollout/rm_hub/__init__.py and slime/utils/types.py at
 * 624b824a898ab0ec1fcb4d373004c7f3852bf515.
 */
export async function slimeRemoteRm(
  rmUrl: string,
  sample: { prompt: string | { role: string; content: string }[]; response: string; label: string | null },
  rewardKey: string | null,
): Promise<{ reward: Json; value: number }> {
  const { status, json } = await postJson(rmUrl, {
    prompt: sample.prompt,
    response: sample.response,
    label: sample.label,
  });
  if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(json)}`);
  return { reward: json, value: rewardKey ? json[rewardKey] : json };
}

type TrlPrompt = string | { role: string; content: string }[];
type TrlCompletion = string | { role: string; content: string }[];

/**
 * TRL's GRPOTrainer: `_calculate_rewards` awaits an async reward function with keyword arguments
 * `prompts`, `completions`, `completion_ids` and every other dataset column, one list entry per
 * completion; each prompt is repeated `num_generations` times in a row (a group can straddle two
 * processes, so a chunk may be short). Conversational prompts are message lists and completions
 * `[{"role": "assistant", "content": ...}]`. This is examples/trl/genrm_reward.py's reward function:
 * one POST per run of equal prompts, at most num_generations long.
 * Source: huggingface/trl trl/trainer/grpo_trainer.py at f2cd57710ae345ea6428ae95363267fcf38a3dc8.
 */
export async function trlGenrmReward(
  baseUrl: string,
  numGenerations: number,
  kwargs: { prompts: TrlPrompt[]; completions: TrlCompletion[] },
): Promise<(number | null)[]> {
  const { prompts, completions } = kwargs;
  const text = (c: TrlCompletion) => (typeof c === "string" ? c : (c.at(-1)?.content ?? ""));
  const chunks: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= prompts.length; i++) {
    const same = i < prompts.length && JSON.stringify(prompts[i]) === JSON.stringify(prompts[start]);
    if (!same || i - start === numGenerations) {
      chunks.push([start, i]);
      start = i;
    }
  }
  const rewards: (number | null)[] = new Array(prompts.length).fill(null);
  await Promise.all(
    chunks.map(async ([a, b]) => {
      const { status, json } = await postJson(`${baseUrl}/v1/reward`, {
        prompt: prompts[a],
        responses: completions.slice(a, b).map(text),
      });
      if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(json)}`);
      json.rewards.forEach((r: number, k: number) => {
        // A rollout the judge could not score is None to TRL, which turns it into NaN and skips it.
        rewards[a + k] = json.extra_logs.genrm_failed[k] ? null : r;
      });
    }),
  );
  return rewards;
}
