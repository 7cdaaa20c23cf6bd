/**
 * Measured properties of world pairs, for tests, docs and `genrm world` output: how often labels
 * follow the hidden rule, how well the surface cue predicts labels (a "longer wins" judge), where
 * winners sit, and how long a CoT judge transcript is (bytes, a proxy for tokens).
 */
import type { PreferencePair } from "../data/types.js";
import { scorePair } from "../eval/scorePair.js";
import { longerResponse } from "../judge/responseLength.js";
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import { worldCotTemplate } from "../judge/templates/worldTemplates.js";
import type { JudgeTemplate } from "../judge/types.js";
import type { Slot } from "../types.js";
import { createWorldRng } from "./createWorldRng.js";
import { judgeView } from "./judgeView.js";
import { readWorldMeta } from "./readWorldMeta.js";
import { perfectReasoner, writeRationale } from "./writeRationale.js";

export interface WorldSplitStats {
  size: number;
  /** Share of labels equal to the hidden rule's winner (≈ 1 − noise). */
  ruleAgreement: number;
  /** Accuracy of "the longer response wins" against the labels. */
  lengthJudgeAccuracy: number;
  /** Share of pairs whose cue sits on the rule winner (the split's `cueRate`, measured). */
  cueOnWinner: number;
  /** Share of labels that are "A". */
  labelA: number;
  /** Bytes of a CoT judge transcript (system + user + a perfect rationale, no chat markup): mean and max. */
  meanTranscriptBytes: number;
  maxTranscriptBytes: number;
}

export function worldStats(
  pairs: readonly PreferencePair[],
  template: JudgeTemplate = worldCotTemplate,
): WorldSplitStats {
  const rng = createWorldRng(0, "stats");
  let rule = 0;
  let length = 0;
  let cue = 0;
  let labelA = 0;
  let bytes = 0;
  let maxBytes = 0;
  for (const pair of pairs) {
    const meta = readWorldMeta(pair);
    if (pair.label === meta.ruleWinner) rule++;
    if (meta.cueOnWinner) cue++;
    if (pair.label === "A") labelA++;
    // Scored as `genrm eval --baseline length` scores it; world labels are always a slot.
    length += scorePair(longerResponse(pair.responseA, pair.responseB), pair.label as Slot);
    const messages = renderJudgePrompt(template, pair, "AB");
    const rationale = writeRationale(judgeView(pair, "AB"), rng, perfectReasoner).text;
    const n = messages.reduce((s, m) => s + Buffer.byteLength(m.content), 0) + Buffer.byteLength(rationale);
    bytes += n;
    maxBytes = Math.max(maxBytes, n);
  }
  const size = pairs.length;
  const share = (x: number) => (size === 0 ? 0 : x / size);
  return {
    size,
    ruleAgreement: share(rule),
    lengthJudgeAccuracy: share(length),
    cueOnWinner: share(cue),
    labelA: share(labelA),
    meanTranscriptBytes: share(bytes),
    maxTranscriptBytes: maxBytes,
  };
}
