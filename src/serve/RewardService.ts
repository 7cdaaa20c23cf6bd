/**
 * Rollouts in, one reward each out, for every reward route (/get_reward, /v1/reward). Without group
 * assembly the rollouts of one request are grouped within the request; with it (`groupSize`), every
 * rollout, failed ones included, joins its group across requests (GroupAssembler), so the group
 * fills when the trainer has sent all of a prompt's rollouts, whatever their fate. A rollout whose
 * prompt is unknown (a query with nothing to split at) belongs to no group and is answered at once.
 */
import { GroupAssembler, type GroupOutcome } from "./GroupAssembler.js";
import { groupKey, noSignal, type RewardItem, type RewardOutcome, rewardGroup } from "./rewardGroup.js";
import type { RouteDeps } from "./types.js";

export interface RewardServiceHooks {
  onGroupOpen?: () => void;
  onGroupClose?: (outcome: GroupOutcome, members: number) => void;
}

export class RewardService {
  readonly #deps: RouteDeps;
  /** Undefined without `groupSize`. */
  readonly assembler: GroupAssembler<RewardItem, RewardOutcome> | undefined;

  constructor(deps: RouteDeps, hooks: RewardServiceHooks = {}) {
    this.#deps = deps;
    const { groupSize, groupTimeoutMs, maxOpenGroups } = deps.config;
    this.assembler =
      groupSize === undefined
        ? undefined
        : new GroupAssembler({
            size: groupSize,
            timeoutMs: groupTimeoutMs,
            maxOpenGroups,
            judge: ({ members, reason, signal }) =>
              rewardGroup(deps, members, { partial: reason !== "full", signal }),
            onOpen: hooks.onGroupOpen,
            onClose: hooks.onGroupClose,
          });
  }

  async reward(items: readonly RewardItem[], signal: AbortSignal): Promise<RewardOutcome[]> {
    const loose = (item: RewardItem): RewardOutcome => ({
      ...noSignal(item.failure ?? null, item.failure ? 0 : 1),
      groupSize: 1,
      partialGroup: 0,
    });
    const assembler = this.assembler;
    if (assembler) {
      return Promise.all(
        items.map((item) =>
          item.prompt === undefined
            ? loose(item)
            : assembler.join(groupKey(item.prompt, item.groupId), item, signal),
        ),
      );
    }
    const outcomes: RewardOutcome[] = new Array(items.length);
    const groups = new Map<string, number[]>();
    items.forEach((item, i) => {
      if (item.prompt === undefined) {
        outcomes[i] = loose(item);
        return;
      }
      const key = groupKey(item.prompt, item.groupId);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    await Promise.all(
      [...groups.values()].map(async (members) => {
        const results = await rewardGroup(
          this.#deps,
          members.map((i) => items[i]!),
          { partial: false, signal },
        );
        members.forEach((i, k) => {
          outcomes[i] = results[k]!;
        });
      }),
    );
    return outcomes;
  }
}
