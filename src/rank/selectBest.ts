/**
 * One entry point for Best-of-N selection under any scheme (`SelectionScheme`), used by `genrm bon`
 * and the server's /v1/rank. Pairwise schemes need a judge; "scalar" needs a scorer.
 */
import { ConfigError } from "../errors.js";
import type { Judge } from "../judge/types.js";
import type { ComparisonLedgerOptions } from "./ComparisonLedger.js";
import type { BradleyTerryOptions } from "./fitBradleyTerry.js";
import { knockoutTournament } from "./knockoutTournament.js";
import { roundRobin } from "./roundRobin.js";
import { selectAgainstReference } from "./selectAgainstReference.js";
import { selectByScorer } from "./selectByScorer.js";
import type { CandidateSet, ScalarScorer, SelectionResult, SelectionScheme } from "./types.js";

export interface SelectBestOptions extends ComparisonLedgerOptions {
  /** Defaults to "knockout": N−1 games, the cheapest pairwise scheme. */
  scheme?: SelectionScheme;
  /** Required by every scheme but "scalar". */
  judge?: Judge;
  /** Required by scheme "scalar". */
  scorer?: ScalarScorer;
  /** Scheme "bradley-terry": see `RoundRobinOptions.outcome`. Defaults to "soft". */
  outcome?: "soft" | "hard";
  bradleyTerry?: BradleyTerryOptions;
  /** Scheme "reference": clip before the logit. Defaults to 1e-3. */
  epsilon?: number;
}

export async function selectBest(
  set: CandidateSet,
  options: SelectBestOptions = {},
): Promise<SelectionResult> {
  const { scheme = "knockout", judge, scorer } = options;
  if (scheme === "scalar") {
    if (!scorer) throw new ConfigError(['scorer: scheme "scalar" needs a ScalarScorer']);
    return selectByScorer(scorer, set, options);
  }
  if (!judge) throw new ConfigError([`judge: scheme "${scheme}" needs a pairwise Judge`]);
  switch (scheme) {
    case "knockout":
      return knockoutTournament(judge, set, options);
    case "copeland":
    case "bradley-terry":
      return roundRobin(judge, set, { ...options, aggregation: scheme });
    case "reference":
      return selectAgainstReference(judge, set, options);
  }
}
