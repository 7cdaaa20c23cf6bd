/**
 * Which demo stages run side by side (`genrm demo --jobs N`). Every stage's numbers are a function
 * of its inputs and seed (batch-invariant decoding, a deterministic trainer), so lanes change the
 * wall time only, never a result.
 *
 * Two rules shape a plan:
 * - STaR-DPO runs after STaR-SFT in the same lane: their first iteration samples the same
 *   rationales from the base model, and the second reads them from the sample store instead of
 *   decoding them again.
 * - Chains are dealt longest first to the least loaded lane (LPT), by the share of a sequential
 *   full demo each stage took on the 2-core reference machine (docs/demo.md); within a lane,
 *   stages keep the paper's order.
 */
import { type DemoMethodId, demoMethodIds } from "./types.js";

/** Relative cost of each stage: seconds of a sequential full demo, idle 2-core machine, rounded. */
const stageCost: Record<DemoMethodId, number> = {
  "zero-shot-direct": 5,
  "zero-shot-cot": 90,
  genrm: 20,
  bt: 12,
  pairrm: 14,
  "star-sft": 220,
  "star-dpo": 135,
  "star-rationalizer": 275,
};

/** Stages that must share a lane, in order. */
const chains: readonly (readonly DemoMethodId[])[] = [["star-sft", "star-dpo"]];

export function planDemoLanes(stages: readonly DemoMethodId[], jobs: number): DemoMethodId[][] {
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new RangeError(`jobs: must be a positive integer, got ${jobs}`);
  const pending = new Set(stages);
  const groups: DemoMethodId[][] = [];
  for (const chain of chains) {
    const members = chain.filter((id) => pending.has(id));
    if (members.length === 0) continue;
    groups.push(members);
    for (const id of members) pending.delete(id);
  }
  for (const id of demoMethodIds) if (pending.has(id)) groups.push([id]);
  const cost = (g: readonly DemoMethodId[]) => g.reduce((s, id) => s + stageCost[id], 0);
  // Stable sort: equal costs keep the paper's order, so a plan is a function of its inputs.
  groups.sort((a, b) => cost(b) - cost(a));
  const lanes: DemoMethodId[][] = Array.from({ length: Math.min(jobs, groups.length) }, () => []);
  const loads = lanes.map(() => 0);
  for (const g of groups) {
    const i = loads.indexOf(Math.min(...loads));
    lanes[i]!.push(...g);
    loads[i]! += cost(g);
  }
  const rank = (id: DemoMethodId) => demoMethodIds.indexOf(id);
  return lanes.map((lane) => lane.sort((a, b) => rank(a) - rank(b)));
}
