/**
 * LLMFAO crowd judgments: pairs from `pairs-crowd.jsonl` (`id`, `text` = prompt, `slug`,
 * `model_x`/`result_x`, `model_y`/`result_y`) joined on `id` to the votes in
 * `crowd-comparisons.csv` (`winner` = left | right | tie; left is `model_x`). The label is the
 * plurality of the votes: left → "A" (result_x), right → "B" (result_y), tie → "tie", and "tie" too
 * when the top count is shared (a split crowd). Vote counts, worker count and model names go to
 * meta. `gpt4-crowd-comparisons.csv` (GPT-4's verdicts) is deliberately not read. Id: pair `id`;
 * subset: the prompt `slug`.
 */
import { buildPair } from "../buildPair.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type {
  AssembleOptions,
  Label,
  PairAdapter,
  PreferencePair,
  RawRecord,
  RecordLocation,
} from "../types.js";
import {
  type Fields,
  hasKeys,
  invalidLabel,
  optionalId,
  optionalString,
  requireFields,
  requireResponse,
  requireString,
  requireValue,
} from "./fieldAccess.js";

const source = "llmfao";
type Winner = "left" | "right" | "tie";

interface Tally {
  left: number;
  right: number;
  tie: number;
  leftName?: string;
  rightName?: string;
}

async function* assemble(
  records: AsyncIterable<RawRecord>,
  { onInvalid }: AssembleOptions,
): AsyncIterable<RawRecord> {
  const pairs = new Map<string, RawRecord & { record: Fields }>();
  const votes: Array<RawRecord & { record: Fields }> = [];
  for await (const raw of records) {
    try {
      const row = requireFields(raw.record, raw);
      const key = String(requireValue(row, "id", raw, "a pair id"));
      if ("winner" in row) votes.push({ ...raw, record: row });
      else pairs.set(key, { ...raw, record: row });
    } catch (error) {
      onInvalid(error as Parameters<AssembleOptions["onInvalid"]>[0]);
    }
  }
  const tallies = new Map<string, Tally>();
  for (const vote of votes) {
    try {
      const row = vote.record;
      const key = String(row.id);
      const pair = pairs.get(key);
      if (!pair) {
        throw invalidRecord("join-mismatch", "vote refers to no pair in pairs-crowd.jsonl", vote, {
          field: "id",
          expected: "an id from pairs-crowd.jsonl",
          got: row.id,
        });
      }
      for (const field of ["prompt", "model_x", "model_y"]) {
        if (String(row[field]) !== String(pair.record[field])) {
          throw invalidRecord("join-mismatch", `vote disagrees with pair ${key}`, vote, {
            field,
            expected: String(pair.record[field]),
            got: row[field],
          });
        }
      }
      const winner = requireString(row, "winner", vote);
      if (winner !== "left" && winner !== "right" && winner !== "tie") {
        throw invalidLabel("winner", vote, "left, right or tie", winner);
      }
      const tally = tallies.get(key) ?? { left: 0, right: 0, tie: 0 };
      tally[winner as Winner]++;
      tally.leftName ??= optionalString(row, "left", vote);
      tally.rightName ??= optionalString(row, "right", vote);
      tallies.set(key, tally);
    } catch (error) {
      onInvalid(error as Parameters<AssembleOptions["onInvalid"]>[0]);
    }
  }
  for (const [key, pair] of pairs) {
    yield { ...pair, record: { ...pair.record, votes: tallies.get(key) } };
  }
}

/** Plurality winner; a shared top count is a split crowd and counts as a tie. */
export function pluralityLabel(votes: { left: number; right: number; tie: number }): Label {
  const top = Math.max(votes.left, votes.right, votes.tie);
  const leaders = (["left", "right", "tie"] as const).filter((w) => votes[w] === top);
  if (leaders.length !== 1) return "tie";
  return leaders[0] === "left" ? "A" : leaders[0] === "right" ? "B" : "tie";
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const row = requireFields(record, at);
  const votes = row.votes as Tally | undefined;
  if (!votes || votes.left + votes.right + votes.tie === 0) {
    throw invalidRecord("missing-field", "pair has no crowd votes", at, {
      field: "votes",
      expected: "at least one row in crowd-comparisons.csv with this id",
    });
  }
  const total = votes.left + votes.right + votes.tie;
  return [
    buildPair({
      source,
      sourceId: optionalId(row, "id", at),
      subset: optionalString(row, "slug", at),
      prompt: [{ role: "user", content: requireString(row, "text", at) }],
      responseA: requireResponse(row, "result_x", at),
      responseB: requireResponse(row, "result_y", at),
      label: pluralityLabel(votes),
      meta: {
        votes: { left: votes.left, right: votes.right, tie: votes.tie },
        agreement: Math.max(votes.left, votes.right, votes.tie) / total,
        model_x: row.model_x,
        model_y: row.model_y,
        model_x_name: votes.leftName,
        model_y_name: votes.rightName,
        prompt_id: row.prompt,
      },
    }),
  ];
}

export const llmfao: PairAdapter = {
  name: source,
  description:
    "LLMFAO folder: pairs-crowd.jsonl joined to crowd-comparisons.csv votes; plurality label, tie when split",
  detect: (r) =>
    hasKeys(r, ["model_x", "model_y", "winner"]) || hasKeys(r, ["model_x", "result_x", "result_y"]),
  toPairs,
  dataset: { files: ["pairs-crowd.jsonl", "crowd-comparisons.csv"], assemble },
};
