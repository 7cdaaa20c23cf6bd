/**
 * The paper's findings as claims checked against one demo run: each claim, where the paper shows
 * it, this run's numbers with the test statistic, and whether it holds. Everything is computed from
 * the run's own results; the thresholds are the ones fixed before any run (issue "the mini world
 * shows the paper's result"), never tuned to a run.
 */
import { mcnemarTest } from "../eval/mcnemarTest.js";
import { policyClaim } from "./policy/policyClaim.js";
import type { DemoEvalSplit, DemoMethodId, DemoMethodResult, DemoResults } from "./types.js";

export interface DemoClaim {
  id: string;
  claim: string;
  /** Where the paper shows it. */
  paper: string;
  /** This run's numbers, as text. */
  measured: string;
  /** The test statistic, where the claim has one. */
  statistic?: { name: string; value: number | null; pValue: number };
  /** null: a method the claim needs was not run. */
  holds: boolean | null;
  /** Part of what the demo must show (false: reported only). */
  required: boolean;
}

const oodSplits: DemoEvalSplit[] = ["ood-length", "ood-mixed"];

export function demoClaims(r: DemoResults): DemoClaim[] {
  const m = (id: DemoMethodId) => r.methods.find((x) => x.id === id);
  const acc = (x: DemoMethodResult | undefined, s: DemoEvalSplit) => x?.results[s]?.accuracy;
  const maj1 = (x: DemoMethodResult | undefined, s: DemoEvalSplit) => x?.results[s]?.majK?.[0];
  const oodMean = (x: DemoMethodResult | undefined) => {
    const v = oodSplits.map((s) => acc(x, s));
    return v.every((a) => a !== undefined) ? v.reduce((t, a) => t + a!, 0) / v.length : undefined;
  };
  const f = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(3));
  const claims: DemoClaim[] = [];
  const dpo = m("star-dpo");
  const bt = m("bt");

  const dpoLen = acc(dpo, "ood-length");
  const btLen = acc(bt, "ood-length");
  const test = pairedTest(dpo, bt, "ood-length");
  claims.push({
    id: "ood-length",
    claim: "STaR-DPO maj@k beats Bradley-Terry where the surface cue is reversed (≥ +0.15, McNemar p < 0.01)",
    paper: "§5.1-5.2, Fig. 2 and Fig. 4: STaR-DPO above BT out of distribution",
    measured: `STaR-DPO ${f(dpoLen)} vs BT ${f(btLen)} (Δ ${dpoLen !== undefined && btLen !== undefined ? (dpoLen - btLen).toFixed(3) : "—"})`,
    ...(test ? { statistic: test } : {}),
    holds:
      dpoLen === undefined || btLen === undefined || test === null
        ? null
        : dpoLen >= btLen + 0.15 && (test?.pValue ?? 1) < 0.01,
    required: true,
  });
  const dpoOod = oodMean(dpo);
  const btOod = oodMean(bt);
  claims.push({
    id: "ood-mean",
    claim: "STaR-DPO's OOD mean ≥ Bradley-Terry's + 0.05",
    paper: "§5.1-5.2, Fig. 2 and Fig. 4",
    measured: `STaR-DPO ${f(dpoOod)} vs BT ${f(btOod)}`,
    holds: dpoOod === undefined || btOod === undefined ? null : dpoOod >= btOod + 0.05,
    required: true,
  });
  const dpoId = acc(dpo, "test");
  const btId = acc(bt, "test");
  claims.push({
    id: "in-distribution",
    claim: "STaR-DPO matches Bradley-Terry in distribution (≥ BT − 0.05)",
    paper: "abstract; §5.1, Fig. 2 (73.9 vs ≈73-74 on UltraFeedback)",
    measured: `STaR-DPO ${f(dpoId)} vs BT ${f(btId)}`,
    holds: dpoId === undefined || btId === undefined ? null : dpoId >= btId - 0.05,
    required: true,
  });
  const cot = m("zero-shot-cot");
  const direct = m("zero-shot-direct");
  const cotId = acc(cot, "test");
  const directId = acc(direct, "test");
  claims.push({
    id: "cot-over-direct",
    claim: "the zero-shot judge does better with reasoning and voting than from the verdict token alone",
    paper: "§5.1, Fig. 2 (67.75 vs 52.25 on UltraFeedback)",
    measured: `CoT maj@k ${f(cotId)} vs no reasoning ${f(directId)}`,
    holds: cotId === undefined || directId === undefined ? null : cotId > directId,
    required: true,
  });
  const cotJudges = r.methods.filter((x) => x.reasoning && x.results.test?.majK);
  const voting = cotJudges.map((x) => ({ name: x.name, k: acc(x, "test")!, one: maj1(x, "test")! }));
  claims.push({
    id: "voting",
    claim: "maj@k ≥ maj@1 for every CoT judge in distribution",
    paper: "§5.4, Fig. 5 (+1.6 to +4.6 points from maj@32)",
    measured: voting.map((v) => `${v.name} ${v.one.toFixed(3)}→${v.k.toFixed(3)}`).join("; ") || "—",
    holds: voting.length === 0 ? null : voting.every((v) => v.k >= v.one),
    required: true,
  });
  const order = (["star-dpo", "star-sft", "star-rationalizer"] as const).map((id) => acc(m(id), "test"));
  claims.push({
    id: "star-order",
    claim: "STaR-DPO ≥ STaR-SFT ≥ STaR-Rationalizer in distribution",
    paper:
      "§5.1, Fig. 2 (73.9 / 67.4 / ≈73.9 on UltraFeedback; the rationalizer falls behind on RewardBench)",
    measured: `${f(order[0])} / ${f(order[1])} / ${f(order[2])}`,
    holds: order.some((a) => a === undefined) ? null : order[0]! >= order[1]! && order[1]! >= order[2]!,
    required: false,
  });
  // Appended only where the policy stage ran (`genrm demo --policy`).
  if (r.policy) claims.push(policyClaim(r.policy));
  return claims;
}

/** McNemar on the pairs of one split, from each judge's per-pair outcomes (same pairs, same order). */
function pairedTest(
  first: DemoMethodResult | undefined,
  second: DemoMethodResult | undefined,
  split: DemoEvalSplit,
): DemoClaim["statistic"] | null {
  const a = first?.results[split]?.correct;
  const b = second?.results[split]?.correct;
  if (a === undefined || b === undefined || a.length !== b.length) return null;
  let onlyFirst = 0;
  let onlySecond = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === "1" && b[i] !== "1") onlyFirst++;
    if (b[i] === "1" && a[i] !== "1") onlySecond++;
  }
  const t = mcnemarTest(onlyFirst, onlySecond);
  return { name: `McNemar (${onlyFirst} vs ${onlySecond} discordant)`, value: t.statistic, pValue: t.pValue };
}

/** The claims as terminal lines. */
export function formatDemoClaims(claims: readonly DemoClaim[]): string[] {
  const checked = claims.filter((c) => c.holds !== null);
  if (checked.length === 0) return [];
  const lines = ["claims (the paper's findings, checked on this run)"];
  if (checked.length < claims.length)
    lines.push("  (claims that need judges this run left out are not shown)");
  for (const c of checked) {
    const verdict = c.holds === null ? "not run" : c.holds ? "holds" : "does not hold";
    const stat = c.statistic
      ? `; ${c.statistic.name}${c.statistic.value === null ? "" : ` χ² ${c.statistic.value.toFixed(2)}`}, p ${formatP(c.statistic.pValue)}`
      : "";
    lines.push(
      `  ${c.required ? "" : "(reported) "}${c.claim}: ${verdict}`,
      `      ${c.measured}${stat}  [paper: ${c.paper}]`,
    );
  }
  return lines;
}

export function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
