/**
 * Rewards for the rollouts of one prompt, from a pairwise judge (Eq. 5–6). A group's members with a
 * reference answer are each judged against it: reward = logit(clip(p̂(y ≻ ref))), score = p̂. The
 * members without one are judged against each other by the server's group scheme:
 * - "round-robin": every pair once; reward = mean pairwise logit, score = mean win probability;
 * - "knockout": single elimination, N−1 games; reward = games won, score = share of its games won;
 * - "anchor": each member against one member of the group (the anchor), N−1 games; reward =
 *   logit p̂(y ≻ anchor), score = p̂; the anchor gets 0 and ½.
 * With a rating judge (`ServeOptions.rating`) every member is instead rated on its own: reward = its
 * 1–10 rating (the mean of k samples), score = (rating − 1) / 9, references and siblings unused.
 * "grpo" normalisation then maps the group's rewards to (r − mean) / (std + 1e-4).
 *
 * Members are judged in a canonical order (by a hash of their text), not in arrival order, so a
 * group assembled from single-rollout requests gets exactly the rewards it would get sent as one
 * batch, and which member anchors a group does not depend on network timing.
 */
import { createHash } from "node:crypto";
import type { RatingJudge } from "../judge/createRatingJudge.js";
import { groupRewards, groupRewardsFromMatrix } from "../rank/groupRewards.js";
import { grpoNormalize } from "../rank/grpoNormalize.js";
import { knockoutTournament } from "../rank/knockoutTournament.js";
import { rewardVsReference } from "../rank/rewardVsReference.js";
import type { Comparison } from "../rank/types.js";
import type { ChatMessage } from "../types.js";
import { judgmentFailure, type RewardFailure, sampleFailureOf } from "./rewardFailure.js";
import type { RouteDeps } from "./types.js";

/** One rollout to reward: ready to judge, or failed before judging (with the prompt when known). */
export type RewardItem =
  | {
      prompt: ChatMessage[];
      response: string;
      reference: string | undefined;
      groupId: string | undefined;
      failure?: undefined;
    }
  | { prompt: ChatMessage[] | undefined; groupId: string | undefined; failure: RewardFailure };

export interface RewardOutcome {
  reward: number;
  score: number;
  /** Judge calls this rollout took part in. */
  comparisons: number;
  failure: RewardFailure | null;
  /** 1: nothing to compare with (no reference, no sibling). */
  noBaseline: 0 | 1;
  /** Rollouts judged together with this one (itself included; failed ones too). */
  groupSize: number;
  /** 1: its group was judged before it filled (timeout, eviction, shutdown). */
  partialGroup: 0 | 1;
}

export const noSignal = (
  failure: RewardFailure | null,
  noBaseline: 0 | 1,
  comparisons = 0,
): Omit<RewardOutcome, "groupSize" | "partialGroup"> => ({
  reward: 0,
  score: 0.5,
  comparisons,
  failure,
  noBaseline,
});

/** The key members of one group share: the prompt, and the client's group id where it sent one. */
export function groupKey(prompt: readonly ChatMessage[], groupId: string | undefined): string {
  return JSON.stringify([groupId ?? null, prompt.map((m) => [m.role, m.content])]);
}

type Scored = Omit<RewardOutcome, "groupSize" | "partialGroup">;
type Ready = Extract<RewardItem, { failure?: undefined }>;

/**
 * Rewards of one group's members, in the order given. `signal` stops the judging; an abort (or an
 * error that is not the sample's) is rethrown, every other judge error becomes its members' failure.
 */
export async function rewardGroup(
  deps: RouteDeps,
  members: readonly RewardItem[],
  info: { partial: boolean; signal: AbortSignal },
): Promise<RewardOutcome[]> {
  const { signal } = info;
  const out: Scored[] = new Array(members.length);
  const vsReference: number[] = [];
  const peers: number[] = [];
  members.forEach((m, i) => {
    if (m.failure) out[i] = noSignal(m.failure, 0);
    else if (m.reference !== undefined) vsReference.push(i);
    else peers.push(i);
  });
  const ready = (i: number) => members[i] as Ready;
  const rating = deps.rating;
  // With a rating judge each rollout is rated on its own: references and siblings play no part.
  await (rating
    ? Promise.all(
        [...vsReference, ...peers].map(async (i) => {
          out[i] = await rated1(rating, ready(i).prompt, ready(i).response, signal);
        }),
      )
    : comparePairwise(deps, vsReference, peers, ready, out, signal));

  if (deps.config.groupNormalize === "grpo") {
    const judged = out.map((o) => (o.failure || o.noBaseline ? null : o.reward));
    grpoNormalize(judged).forEach((r, i) => {
      if (r !== null) out[i] = { ...out[i]!, reward: r };
    });
  }
  return out.map((o) => ({ ...o, groupSize: members.length, partialGroup: info.partial ? 1 : 0 }));
}

async function againstReference(
  deps: RouteDeps,
  prompt: ChatMessage[],
  response: string,
  reference: string,
  signal: AbortSignal,
): Promise<Scored> {
  try {
    const r = await rewardVsReference(deps.judge, { prompt, response, reference }, { signal });
    return r.reward === null || r.p === null
      ? noSignal(judgmentFailure(r.judgments.flatMap((j) => j.errors)), 0, r.judgments.length)
      : { reward: r.reward, score: r.p, comparisons: r.judgments.length, failure: null, noBaseline: 0 };
  } catch (error) {
    return noSignal(sampleFailure(error, signal), 0);
  }
}

/** The pairwise rewards: members with a reference against it, the others by the group scheme. */
async function comparePairwise(
  deps: RouteDeps,
  vsReference: readonly number[],
  peers: number[],
  ready: (i: number) => Ready,
  out: Scored[],
  signal: AbortSignal,
): Promise<void> {
  const order = new Map(peers.map((i) => [i, textHash(ready(i).response)]));
  peers.sort((a, b) => compare(order.get(a)!, order.get(b)!) || a - b);

  const work: Promise<void>[] = vsReference.map(async (i) => {
    const m = ready(i);
    out[i] = await againstReference(deps, m.prompt, m.response, m.reference!, signal);
  });
  if (peers.length === 1) out[peers[0]!] = noSignal(null, 1);
  else if (peers.length > 1) {
    work.push(
      judgePeers(
        deps,
        ready(peers[0]!).prompt,
        peers.map((i) => ready(i).response),
        signal,
      ).then((scored) => {
        peers.forEach((i, k) => {
          out[i] = scored[k]!;
        });
      }),
    );
  }
  await Promise.all(work);
}

/** A rollout rated 1–10: reward = the rating, score = (rating − 1) / 9, no pairwise games. */
async function rated1(
  judge: RatingJudge,
  prompt: ChatMessage[],
  response: string,
  signal: AbortSignal,
): Promise<Scored> {
  try {
    const r = await judge.rate(prompt, response, { signal });
    if (r.rating === null) {
      return noSignal(
        judgmentFailure(
          r.errors.length > 0 ? r.errors : [`no rating parsed from ${r.samples.length} samples`],
        ),
        0,
      );
    }
    return { reward: r.rating, score: (r.rating - 1) / 9, comparisons: 0, failure: null, noBaseline: 0 };
  } catch (error) {
    return noSignal(sampleFailure(error, signal), 0);
  }
}

/** The peers' rewards under the group scheme; a failure of the prompt fails every peer. */
async function judgePeers(
  deps: RouteDeps,
  prompt: ChatMessage[],
  responses: string[],
  signal: AbortSignal,
): Promise<Scored[]> {
  // A prompt the judge cannot take fails every game of its group: stop the rest at the first.
  const groupAbort = new AbortController();
  const options = {
    seed: deps.config.seed,
    concurrency: deps.config.concurrency,
    signal: AbortSignal.any([signal, groupAbort.signal]),
  };
  const set = { prompt, candidates: responses };
  try {
    switch (deps.config.groupScheme) {
      case "round-robin": {
        const g = await groupRewards(deps.judge, set, options);
        const winRates = groupRewardsFromMatrix(g.matrix, { aggregate: "win-rate" });
        return fromGames(responses.length, g.comparisons, (k) => [g.rewards[k]!, winRates[k]!]);
      }
      case "knockout": {
        const r = await knockoutTournament(deps.judge, set, options);
        const played = new Array<number>(responses.length).fill(0);
        for (const c of r.comparisons) {
          played[c.a]++;
          played[c.b]++;
        }
        return fromGames(responses.length, r.comparisons, (k) => {
          const wins = r.scores[k] ?? 0;
          return [wins, played[k]! > 0 ? wins / played[k]! : null];
        });
      }
      case "anchor": {
        const [anchor, ...rest] = responses;
        const scored = await Promise.all(
          rest.map((response) => againstReference(deps, prompt, response, anchor!, options.signal)),
        );
        const anchorScore: Scored = {
          reward: 0,
          score: 0.5,
          comparisons: scored.reduce((n, s) => n + s.comparisons, 0),
          failure: scored.every((s) => s.failure) ? scored[0]!.failure : null,
          noBaseline: 0,
        };
        return [anchorScore, ...scored];
      }
    }
  } catch (error) {
    const failure = sampleFailure(error, signal);
    groupAbort.abort(error);
    return responses.map(() => noSignal(failure, 0));
  }
}

/** Per-member results of a set of games: games played, and the first errors of its failed games. */
function fromGames(
  n: number,
  games: readonly Comparison[],
  value: (k: number) => [reward: number | null, score: number | null],
): Scored[] {
  const played = new Array<number>(n).fill(0);
  const errors: string[][] = Array.from({ length: n }, () => []);
  for (const game of games) {
    if (!game.judgment) continue;
    played[game.a]++;
    played[game.b]++;
    errors[game.a]!.push(...game.judgment.errors);
    errors[game.b]!.push(...game.judgment.errors);
  }
  return Array.from({ length: n }, (_, k) => {
    const [reward, score] = value(k);
    const judged = games.some((g) => (g.a === k || g.b === k) && g.pA !== null);
    return reward === null || score === null || !judged
      ? noSignal(judgmentFailure(errors[k]!), 0, played[k])
      : { reward, score, comparisons: played[k]!, failure: null, noBaseline: 0 };
  });
}

/** Hash order: fixed for a given set of texts, and no text can choose to come first. */
function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sample's failure, or the error rethrown when it is the request's (timeout, client gone, engine down). */
function sampleFailure(error: unknown, signal: AbortSignal): RewardFailure {
  const failure = signal.aborted ? null : sampleFailureOf(error);
  if (failure === null) throw error;
  return failure;
}
