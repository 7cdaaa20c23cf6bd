/**
 * One world pair. The hidden "human" rule: the response that states the true result wins. The other
 * response states a slipped result. The surface cue (verbose wording, hence length) goes to the rule
 * winner with probability `cueRate`, independent of everything else; the winner's slot is a fair
 * coin; then label noise flips the label with probability `noise`.
 */
import type { PreferencePair } from "../data/types.js";
import type { PairId, Slot } from "../types.js";
import { applySlip } from "./applySlip.js";
import type { WorldRng } from "./createWorldRng.js";
import { renderResponse } from "./renderResponse.js";
import { expressionOf, questionOf, sampleProblem } from "./sampleProblem.js";
import type { ResponseStyle, WorldConfig, WorldPairMeta, WorldSplitName, WorldSplitSpec } from "./types.js";

export interface DrawWorldPairInput {
  id: string;
  split: WorldSplitName;
  spec: WorldSplitSpec;
  config: Pick<WorldConfig, "maxTerm" | "evalQuestionShare" | "slip" | "noise">;
}

export function drawWorldPair(rng: WorldRng, input: DrawWorldPairInput): PreferencePair {
  const { id, split, spec, config } = input;
  const problem = sampleProblem(rng, {
    terms: spec.terms,
    ops: spec.ops,
    maxTerm: config.maxTerm,
    partition: spec.questions,
    evalQuestionShare: config.evalQuestionShare,
  });
  const wrong = applySlip(problem.value, rng, config.slip);
  const cueOnWinner = rng.chance(spec.cueRate);
  const winnerStyle: ResponseStyle = cueOnWinner ? "verbose" : "terse";
  const loserStyle: ResponseStyle = cueOnWinner ? "terse" : "verbose";
  const winnerText = renderResponse(problem.value, winnerStyle, rng);
  const loserText = renderResponse(wrong, loserStyle, rng);
  const ruleWinner: Slot = rng.chance(0.5) ? "A" : "B";
  const flipped = rng.chance(config.noise);
  const label: Slot = flipped ? (ruleWinner === "A" ? "B" : "A") : ruleWinner;
  const winnerIsA = ruleWinner === "A";
  const meta: WorldPairMeta = {
    world: 1,
    split,
    expression: expressionOf(problem),
    terms: problem.terms,
    ops: problem.ops,
    answer: problem.value,
    answerA: winnerIsA ? problem.value : wrong,
    answerB: winnerIsA ? wrong : problem.value,
    ruleWinner,
    flipped,
    styleA: winnerIsA ? winnerStyle : loserStyle,
    styleB: winnerIsA ? loserStyle : winnerStyle,
    cueSlot: (winnerStyle === "verbose") === winnerIsA ? "A" : "B",
    cueOnWinner,
  };
  return {
    id: id as PairId,
    prompt: [{ role: "user", content: questionOf(problem) }],
    responseA: winnerIsA ? winnerText : loserText,
    responseB: winnerIsA ? loserText : winnerText,
    label,
    subset: spec.subset,
    source: "world",
    meta: { ...meta },
  };
}
