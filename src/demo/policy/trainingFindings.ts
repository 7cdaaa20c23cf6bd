/**
 * What expert iteration did, in words computed from the run: for each selector, whether the policy
 * after the last round answers right (verbose) more or less often than the base model, on the same
 * questions: the bootstrap 95% interval of the per-question difference in share excludes 0. The rule
 * is fixed here, never tuned to a run.
 */
import { bootstrapCI } from "../../eval/bootstrapCI.js";
import type { Change } from "./policyFindings.js";
import type { DemoPolicyResults, PolicyQuestionSet } from "./types.js";

export interface TrainingFinding {
  id: string;
  name: string;
  set: PolicyQuestionSet;
  rounds: number;
  right: { from: number; to: number; change: Change };
  verbose: { from: number; to: number; change: Change };
}

/** "more" / "less" when the bootstrap interval of the mean paired difference excludes 0. */
export function pairedShift(from: readonly number[], to: readonly number[]): Change {
  const ci = bootstrapCI(to.map((t, i) => t - from[i]!));
  if (ci === null) return "same";
  return ci.lower > 0 ? "more" : ci.upper < 0 ? "less" : "same";
}

export function trainingFindings(policy: DemoPolicyResults): TrainingFinding[] {
  const out: TrainingFinding[] = [];
  for (const s of policy.training?.selectors ?? []) {
    const first = s.rounds[0];
    const last = s.rounds.at(-1);
    if (!first || !last || first === last) continue;
    for (const { name: set } of policy.sets) {
      const a = first.sets[set];
      const b = last.sets[set];
      out.push({
        id: s.id,
        name: s.name,
        set,
        rounds: last.round,
        right: {
          from: a.right.share,
          to: b.right.share,
          change: pairedShift(a.rightByQuestion, b.rightByQuestion),
        },
        verbose: {
          from: a.verbose.share,
          to: b.verbose.share,
          change: pairedShift(a.verboseByQuestion, b.verboseByQuestion),
        },
      });
    }
  }
  return out;
}

export function trainingFindingSentences(policy: DemoPolicyResults): string[] {
  const findings = trainingFindings(policy);
  if (findings.length === 0) return [];
  return policy.sets.map(({ name, title }) => {
    const here = findings.filter((f) => f.set === name);
    const names = (pick: (f: TrainingFinding) => boolean) => {
      const list = here.filter(pick).map((f) => f.name);
      return list.length ? list.join(", ") : "none";
    };
    return (
      `${title}, the policy after ${here[0]?.rounds ?? 0} rounds of expert iteration on each selector's picks, against the base model ` +
      `(bootstrap 95% interval of the per-question difference excludes 0): ` +
      `more right: ${names((f) => f.right.change === "more")}; ` +
      `less right: ${names((f) => f.right.change === "less")}; ` +
      `more verbose: ${names((f) => f.verbose.change === "more")}; ` +
      `less verbose: ${names((f) => f.verbose.change === "less")}.`
    );
  });
}
