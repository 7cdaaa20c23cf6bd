/**
 * The terminal's Best-of-N table: per selector and question set, the share right / share verbose of
 * the picks at each N, and the findings in words.
 */
import { fmt3 } from "../../report/htmlBlocks.js";
import { policyFindingSentences } from "./policyFindings.js";
import { trainingFindingSentences } from "./trainingFindings.js";
import type { DemoPolicyResults } from "./types.js";

export function formatPolicyTable(policy: DemoPolicyResults): string[][] {
  const rows: string[][] = [
    ["selector", "questions", ...policy.settings.ns.map((n) => `N=${n} right/verbose`)],
  ];
  for (const s of policy.selectors) {
    policy.sets.forEach((set, i) => {
      rows.push([
        i === 0 ? s.name : "",
        set.name,
        ...s.curves[set.name].map((p) => `${fmt3(p.right.share)} ${fmt3(p.verbose.share)}`),
      ]);
    });
  }
  return rows;
}

export function policyTableHeading(policy: DemoPolicyResults): string {
  return (
    `best-of-N: share of picks that are right / verbose among the base model's first N of ${policy.settings.samples} answers, ` +
    `${policy.sets.map((s) => `${s.questions} ${s.name}`).join(" and ")} questions (pairwise judges: knockout, both orders)`
  );
}

export { policyFindingSentences };

/** Expert iteration: per training selector and question set, share right / verbose per round. */
export function formatPolicyTrainingTable(policy: DemoPolicyResults): string[][] {
  const training = policy.training;
  if (!training || training.selectors.length === 0) return [];
  const rounds = Array.from({ length: training.settings.rounds + 1 }, (_, r) => r);
  const rows: string[][] = [["selector", "questions", ...rounds.map((r) => `round ${r} right/verbose`)]];
  for (const s of training.selectors) {
    policy.sets.forEach((set, i) => {
      rows.push([
        i === 0 ? s.name : "",
        set.name,
        ...s.rounds.map(
          (r) => `${fmt3(r.sets[set.name].right.share)} ${fmt3(r.sets[set.name].verbose.share)}`,
        ),
      ]);
    });
  }
  return rows;
}

export { trainingFindingSentences };
