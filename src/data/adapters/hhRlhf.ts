/**
 * Anthropic hh-rlhf: `chosen` and `rejected` are whole `\n\nHuman: … \n\nAssistant: …` transcripts.
 * Each is split into turns; the prompt is every turn before the final assistant turn, and both
 * transcripts must agree on it (`prompt-mismatch` otherwise). In the 5 harmless-base test records
 * whose transcripts diverge early, one side has two Assistant turns in a row, so they are rejected
 * as `invalid-prompt` (the prompt would end with an assistant turn); 4 more have an empty final
 * response. Chosen (less harmful / more helpful) goes in A with label "A". The subset
 * is the tranche folder (`harmless-base`, `helpful-online`, …) when the file sits in one.
 */
import path from "node:path";
import { buildPair } from "../buildPair.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type { PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import { checkResponse, hasKeys, requireFields, requireString } from "./fieldAccess.js";
import { checkPrompt, parseTranscript, sameMessages } from "./toMessages.js";

const source = "hh-rlhf";
const TRANCHE = /^(harmless|helpful)-|^red-team/;

function split(text: string, field: string, at: RecordLocation) {
  const turns = parseTranscript(text, field, at);
  const last = turns.at(-1);
  if (last?.role !== "assistant") {
    throw invalidRecord("wrong-type", "transcript does not end with an Assistant turn", at, {
      field,
      expected: 'a transcript ending with "\\n\\nAssistant: <response>"',
      got: last ? `last turn by ${last.role}` : text,
    });
  }
  return {
    prompt: checkPrompt(turns.slice(0, -1), field, at),
    reply: checkResponse(last.content, field, at),
  };
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const chosen = split(requireString(row, "chosen", at), "chosen", at);
  const rejected = split(requireString(row, "rejected", at), "rejected", at);
  if (!sameMessages(chosen.prompt, rejected.prompt)) {
    throw invalidRecord(
      "prompt-mismatch",
      "chosen and rejected transcripts differ before the last Assistant turn",
      at,
      {
        field: "rejected",
        expected: `the same ${chosen.prompt.length} prompt turns as chosen`,
        got: `${rejected.prompt.length} turns`,
      },
    );
  }
  const folder = path.basename(path.dirname(at.file));
  return [
    buildPair({
      source,
      subset: TRANCHE.test(folder) ? folder : undefined,
      prompt: chosen.prompt,
      responseA: chosen.reply,
      responseB: rejected.reply,
      label: "A",
    }),
  ];
}

export const hhRlhf: PairAdapter = {
  name: source,
  description: "Anthropic hh-rlhf: chosen/rejected Human/Assistant transcripts sharing the prompt turns",
  detect: (r) =>
    hasKeys(r, ["chosen", "rejected"]) &&
    !("prompt" in r) &&
    typeof r.chosen === "string" &&
    r.chosen.startsWith("\n\nHuman:"),
  toPairs,
};
