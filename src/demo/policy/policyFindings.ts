/**
 * What the policy stage shows, in words computed from the run: for each selector, whether its
 * Best-of-N picks at the largest N are more (or less) often right, and more (or less) often
 * verbose, than the policy's own first answer (N = 1), by McNemar on the same questions at
 * p < 0.05. The rule is fixed here, never tuned to a run.
 */
import { mcnemarTest } from "../../eval/mcnemarTest.js";
import type {
  DemoPolicyResults,
  PolicyCurvePoint,
  PolicyQuestionSet,
  PolicySelectorResult,
} from "./types.js";

export const findingAlpha = 0.05;

export type Change = "more" | "less" | "same";

export interface PolicyFinding {
  id: PolicySelectorResult["id"];
  name: string;
  set: PolicyQuestionSet;
  n: number;
  right: { from: number; to: number; change: Change; pValue: number };
  verbose: { from: number; to: number; change: Change; pValue: number };
}

/** McNemar between two bitstrings over the same questions: "more" when `to` has significantly more 1s. */
export function pairedChange(from: string, to: string): { change: Change; pValue: number } {
  let gained = 0;
  let lost = 0;
  for (let i = 0; i < from.length; i++) {
    if (to[i] === "1" && from[i] !== "1") gained++;
    if (from[i] === "1" && to[i] !== "1") lost++;
  }
  const { pValue } = mcnemarTest(gained, lost);
  return {
    change: pValue >= findingAlpha || gained === lost ? "same" : gained > lost ? "more" : "less",
    pValue,
  };
}

export function policyFindings(policy: DemoPolicyResults): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  for (const s of policy.selectors) {
    for (const set of policy.sets.map((x) => x.name)) {
      const curve = s.curves[set];
      const first = curve[0];
      const last = curve.at(-1);
      if (!first || !last || first === last) continue;
      out.push({ id: s.id, name: s.name, set, n: last.n, ...compare(first, last) });
    }
  }
  return out;
}

function compare(first: PolicyCurvePoint, last: PolicyCurvePoint) {
  return {
    right: {
      from: first.right.share,
      to: last.right.share,
      ...pairedChange(first.rightBits, last.rightBits),
    },
    verbose: {
      from: first.verbose.share,
      to: last.verbose.share,
      ...pairedChange(first.verboseBits, last.verboseBits),
    },
  };
}

/** The findings as sentences, one per question set. */
export function policyFindingSentences(policy: DemoPolicyResults): string[] {
  const findings = policyFindings(policy);
  return policy.sets.map(({ name, title }) => {
    const here = findings.filter((f) => f.set === name);
    const n = here[0]?.n;
    const names = (pick: (f: PolicyFinding) => boolean) => {
      const list = here.filter(pick).map((f) => f.name);
      return list.length ? list.join(", ") : "none";
    };
    return (
      `${title}, Best-of-${n ?? "N"} against the policy's own answer (McNemar p < ${findingAlpha}): ` +
      `more right: ${names((f) => f.right.change === "more")}; ` +
      `less right: ${names((f) => f.right.change === "less")}; ` +
      `more verbose: ${names((f) => f.verbose.change === "more")}; ` +
      `less verbose: ${names((f) => f.verbose.change === "less")}.`
    );
  });
}
