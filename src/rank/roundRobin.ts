/**
 * Round-robin Best-of-N: every pair of candidates meets once (one judge call, both orders with a
 * both-orders judge), in the balanced order of `roundRobinSchedule`, so a comparison budget plays a
 * subsample in which every candidate has about the same number of games. The games are then
 * aggregated by Copeland or Bradley–Terry.
 */
import type { Judge } from "../judge/types.js";
import { ComparisonLedger, type ComparisonLedgerOptions } from "./ComparisonLedger.js";
import { copelandScores } from "./copelandScores.js";
import { type BradleyTerryOptions, fitBradleyTerry } from "./fitBradleyTerry.js";
import { rankByScores } from "./rankByScores.js";
import { roundRobinSchedule } from "./roundRobinSchedule.js";
import type { CandidateSet, Comparison, SelectionResult } from "./types.js";

export interface RoundRobinOptions extends ComparisonLedgerOptions {
  /** Defaults to "copeland". */
  aggregation?: "copeland" | "bradley-terry";
  /**
   * Bradley–Terry outcome of a game: "soft" counts p̂(a ≻ b) as a fractional win (keeps the judge's
   * confidence); "hard" counts 1, 0 or ½. Defaults to "soft".
   */
  outcome?: "soft" | "hard";
  bradleyTerry?: BradleyTerryOptions;
}

export async function roundRobin(
  judge: Judge,
  set: CandidateSet,
  options: RoundRobinOptions = {},
): Promise<SelectionResult> {
  const { aggregation = "copeland", outcome = "soft", bradleyTerry } = options;
  const n = set.candidates.length;
  if (n === 0) throw new RangeError("a candidate set needs at least one candidate");
  const ledger = new ComparisonLedger(judge, set, options);
  await Promise.all(roundRobinSchedule(n, ledger.seed).map(([a, b]) => ledger.play(a, b, "open")));
  const { scores, tieBreak } =
    aggregation === "copeland"
      ? copelandAggregate(n, ledger.comparisons)
      : bradleyTerryAggregate(n, ledger.comparisons, outcome, bradleyTerry);
  const ranking = rankByScores(scores, tieBreak);
  return {
    scheme: aggregation,
    selected: ranking[0],
    ranking,
    scores,
    comparisons: ledger.comparisons,
    usage: ledger.usage(),
    budget: ledger.budgetReport(),
    seed: ledger.seed,
  };
}

function copelandAggregate(n: number, comparisons: readonly Comparison[]) {
  const records = copelandScores(n, comparisons);
  return { scores: records.map((r) => r.score), tieBreak: records.map((r) => r.softScore) };
}

/** Log-strengths centred to mean 0, so a score reads as "above or below the average candidate". */
export function bradleyTerryAggregate(
  n: number,
  comparisons: readonly Comparison[],
  outcome: "soft" | "hard",
  options?: BradleyTerryOptions,
) {
  const outcomes = comparisons
    .filter((c): c is Comparison & { pA: number } => c.pA !== null && c.a >= 0 && c.b >= 0)
    .map((c) => ({
      i: c.a,
      j: c.b,
      winI: outcome === "soft" ? c.pA : c.pA > 0.5 ? 1 : c.pA < 0.5 ? 0 : 0.5,
    }));
  const { theta } = fitBradleyTerry(n, outcomes, options);
  const mean = theta.reduce((s, t) => s + t, 0) / n;
  return { scores: theta.map((t) => t - mean), tieBreak: [] as number[] };
}
