/**
 * HHH alignment eval (Askell et al. 2021) in Prometheus-eval's packaging
 * (`hhh_alignment_eval.json`): `source` (harmless / helpful / honest / other) and two full
 * Prometheus grading prompts, `chosen_instruction` and `rejected_instruction`. The raw prompt and
 * response sit between the "###The instruction to evaluate:", "###Response to evaluate:" and
 * "###Score Rubrics:" headers. Multi-turn prompts are transcripts whose first human turn is
 * unmarked; they are split into turns. Chosen goes in A with label "A"; subset = `source`.
 * No ids in the file: content hash.
 */
import type { ChatMessage } from "../../types.js";
import { buildPair } from "../buildPair.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import { checkResponse, hasKeys, optionalString, requireFields, requireString } from "./fieldAccess.js";
import { checkPrompt, parseTranscript, sameMessages } from "./toMessages.js";

const source = "hhh";
const PACKED =
  /###The instruction to evaluate:\n([\s\S]*?)\n\n###Response to evaluate:\n([\s\S]*?)\n\n###Score Rubrics:/;

function unpack(
  text: string,
  field: string,
  at: RecordLocation,
): { prompt: ChatMessage[]; response: string } {
  const match = PACKED.exec(text);
  if (!match) {
    throw invalidRecord("wrong-type", "not a Prometheus grading prompt", at, {
      field,
      expected:
        'text with "###The instruction to evaluate:", "###Response to evaluate:" and "###Score Rubrics:"',
      got: text,
    });
  }
  const prompt = checkPrompt(parseTranscript(match[1]!, field, at, { unmarkedFirstTurn: "user" }), field, at);
  return { prompt, response: checkResponse(match[2]!, field, at) };
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const chosen = unpack(requireString(row, "chosen_instruction", at), "chosen_instruction", at);
  const rejected = unpack(requireString(row, "rejected_instruction", at), "rejected_instruction", at);
  if (!sameMessages(chosen.prompt, rejected.prompt)) {
    throw invalidRecord("prompt-mismatch", "chosen and rejected instructions differ", at, {
      field: "rejected_instruction",
      expected: "the same instruction as chosen_instruction",
    });
  }
  return [
    buildPair({
      source,
      subset: optionalString(row, "source", at),
      prompt: chosen.prompt,
      responseA: chosen.response,
      responseB: rejected.response,
      label: "A",
    }),
  ];
}

export const hhh: PairAdapter = {
  name: source,
  description: "HHH alignment (Prometheus packaging): chosen_instruction/rejected_instruction, source",
  detect: (r) => hasKeys(r, ["chosen_instruction", "rejected_instruction"]),
  toPairs,
};
