"""genrm as verl's reward: an async compute_score for the reward loop.

verl's reward loop (verl/experimental/reward_loop/reward_manager/naive.py, verl-project/verl at
1dda039b9c6311889a9c9a26040677e1254814f9) awaits an async compute_score once per sample, with the
response alone as solution_str and the dataset row's extra_info. The rollouts of one prompt reach
genrm one by one; start genrm with --group-size n (the rollout count per prompt) and it holds them
until the group is complete, then judges them together.

    genrm serve --model judge.gguf --protocol direct --reward-mode group --group-size 8 --group-timeout 60000
    python -m verl.trainer.main_ppo ... \
        custom_reward_function.path=examples/verl/genrm_reward.py \
        custom_reward_function.name=compute_score

Keep the prompt in extra_info["question"] when building the parquet rows (verl passes the response
alone); extra_info["index"] becomes the group id, so a prompt that occurs twice in a batch still
forms two groups.
"""

import os

import aiohttp

URL = os.environ.get("GENRM_URL", "http://localhost:8000")
HEADERS = {"Authorization": f"Bearer {os.environ['GENRM_SERVE_TOKEN']}"} if "GENRM_SERVE_TOKEN" in os.environ else {}
# Above genrm's --timeout (120 s by default), so a slow group comes back as genrm's 504, not a cut.
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("GENRM_TIMEOUT", "150")))

_session = None


def _get_session():
    global _session
    if _session is None or _session.closed:
        _session = aiohttp.ClientSession(timeout=TIMEOUT, headers=HEADERS)
    return _session


async def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    extra_info = extra_info or {}
    payload = {
        "prompt": extra_info["question"],
        "response": solution_str,
        # A reference answer; ignored by genrm under --reward-mode group.
        "label": ground_truth,
        "group_id": extra_info.get("index"),
    }
    async with _get_session().post(f"{URL}/v1/reward", json=payload) as resp:
        resp.raise_for_status()
        body = await resp.json()
    # verl logs every key of the dict; "score" is the reward.
    return {
        "score": body["reward"],
        "p_win": body["score"],
        "genrm_failed": body["failed"],
        "genrm_partial_group": body["partial_group"],
    }
