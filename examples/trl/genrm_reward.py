"""genrm as a TRL GRPOTrainer reward function.

GRPOTrainer (trl/trainer/grpo_trainer.py, huggingface/trl at
f2cd57710ae345ea6428ae95363267fcf38a3dc8) awaits an async reward function with prompts,
completions, completion_ids and the dataset's other columns as keyword arguments, one entry per
completion, each prompt repeated num_generations times in a row. This function sends each run of
equal prompts (at most num_generations long) to genrm as one group and returns one reward per
completion; a completion genrm could not judge is None, which TRL skips.

    genrm serve --model judge.gguf --protocol direct --group-size 8      # = num_generations

    from genrm_reward import make_genrm_reward
    trainer = GRPOTrainer(model=..., reward_funcs=[make_genrm_reward(num_generations=8)],
                          args=GRPOConfig(num_generations=8, ...), train_dataset=...)

With several processes a group can be split between two of them; with --group-size set, genrm
holds the first part until the rest arrives, so both parts are judged as one group.
"""

import asyncio
import os

import aiohttp

URL = os.environ.get("GENRM_URL", "http://localhost:8000")
HEADERS = {"Authorization": f"Bearer {os.environ['GENRM_SERVE_TOKEN']}"} if "GENRM_SERVE_TOKEN" in os.environ else {}
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("GENRM_TIMEOUT", "150")))


def _text(completion):
    # Conversational completions are [{"role": "assistant", "content": ...}].
    return completion if isinstance(completion, str) else completion[-1]["content"]


def _runs(prompts, num_generations):
    start = 0
    for i in range(1, len(prompts) + 1):
        if i == len(prompts) or prompts[i] != prompts[start] or i - start == num_generations:
            yield start, i
            start = i


def make_genrm_reward(num_generations):
    async def genrm_reward(prompts, completions, completion_ids=None, **kwargs):
        rewards = [None] * len(prompts)

        async def group(session, a, b):
            payload = {"prompt": prompts[a], "responses": [_text(c) for c in completions[a:b]]}
            async with session.post(f"{URL}/v1/reward", json=payload) as resp:
                resp.raise_for_status()
                body = await resp.json()
            for k, r in enumerate(body["rewards"]):
                rewards[a + k] = None if body["extra_logs"]["genrm_failed"][k] else r

        async with aiohttp.ClientSession(timeout=TIMEOUT, headers=HEADERS) as session:
            await asyncio.gather(*(group(session, a, b) for a, b in _runs(prompts, num_generations)))
        return rewards

    genrm_reward.__name__ = "genrm_reward"
    return genrm_reward
