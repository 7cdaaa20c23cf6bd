/**
 * The policy stage's claim for the claims table: a better judge makes a better policy. Fixed before
 * any run: STaR-DPO's Best-of-N picks at the largest N are right more often than Bradley–Terry's on
 * both question sets, and McNemar over the questions of both sets together gives p < 0.05.
 */
import { mcnemarTest } from "../../eval/mcnemarTest.js";
import type { DemoClaim } from "../demoClaims.js";
import type { DemoPolicyResults } from "./types.js";

export function policyClaim(policy: DemoPolicyResults): DemoClaim {
  const dpo = policy.selectors.find((s) => s.id === "star-dpo");
  const bt = policy.selectors.find((s) => s.id === "bt");
  const n = policy.settings.ns.at(-1);
  const base = {
    id: "better-judge-better-policy",
    claim: `a better judge makes a better policy: STaR-DPO's Best-of-${n} picks are right more often than Bradley-Terry's on in-distribution and OOD questions (McNemar over both, p < 0.05)`,
    paper: "the authors' Best-of-N answer to the reviewers (ArenaHard, MATH500, MT-Bench)",
    required: false,
  };
  if (!dpo || !bt) return { ...base, measured: "—", holds: null };
  let onlyDpo = 0;
  let onlyBt = 0;
  const parts: string[] = [];
  let higherEverywhere = true;
  for (const set of policy.sets) {
    const a = dpo.curves[set.name].at(-1)!;
    const b = bt.curves[set.name].at(-1)!;
    for (let i = 0; i < a.rightBits.length; i++) {
      if (a.rightBits[i] === "1" && b.rightBits[i] !== "1") onlyDpo++;
      if (b.rightBits[i] === "1" && a.rightBits[i] !== "1") onlyBt++;
    }
    if (!(a.right.share > b.right.share)) higherEverywhere = false;
    parts.push(`${set.name} STaR-DPO ${a.right.share.toFixed(3)} vs BT ${b.right.share.toFixed(3)}`);
  }
  const t = mcnemarTest(onlyDpo, onlyBt);
  return {
    ...base,
    measured: `share right at N = ${n}: ${parts.join("; ")}`,
    statistic: {
      name: `McNemar (${onlyDpo} vs ${onlyBt} discordant questions)`,
      value: t.statistic,
      pValue: t.pValue,
    },
    holds: higherEverywhere && t.pValue < 0.05,
  };
}
