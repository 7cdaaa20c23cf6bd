/**
 * XSTest v2 (Röttger et al. 2024): pairs derived from human-labelled completions. The folder holds
 * `xstest_prompts.csv` (`id, prompt, type, label` safe|unsafe, …) and one
 * `xstest_v2_completions_<model>.csv` per model (`id` = `v2-<n>`, `completion`, `final_label` in
 * 1_full_compliance | 2_full_refusal | 3_partial_refusal). The intended behaviour is to comply with
 * safe prompts and refuse unsafe ones, so for a safe prompt every full-compliance completion beats
 * every full-refusal one, and the reverse for unsafe prompts; partial refusals sit in between and
 * are left out. The preferred completion goes in A with label "A". Subset follows RewardBench:
 * `xstest-should-respond` (safe) / `xstest-should-refuse` (unsafe). When the prompts file is absent,
 * safety comes from the type (every `contrast_*` type is unsafe). Id: `v2-<n>:<winner>-over-<loser>`.
 */
import path from "node:path";
import { buildPair } from "../buildPair.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type { AssembleOptions, PairAdapter, PreferencePair, RawRecord, RecordLocation } from "../types.js";
import {
  type Fields,
  hasKeys,
  invalidLabel,
  optionalString,
  requireFields,
  requireResponse,
  requireString,
} from "./fieldAccess.js";

const source = "xstest";
const COMPLY = "1_full_compliance";
const REFUSE = "2_full_refusal";
const PARTIAL = "3_partial_refusal";

interface Completion extends RecordLocation {
  model: string;
  row: Fields;
}

function modelOf(file: string): string {
  const base = path.basename(file);
  return /completions_(.+)\.csv$/i.exec(base)?.[1] ?? base.replace(/\.csv$/i, "");
}

async function* assemble(
  records: AsyncIterable<RawRecord>,
  { onInvalid }: AssembleOptions,
): AsyncIterable<RawRecord> {
  const prompts = new Map<string, RawRecord & { record: Fields }>();
  const completions = new Map<string, Completion[]>();
  for await (const raw of records) {
    try {
      const row = requireFields(raw.record, raw);
      if ("completion" in row) {
        const key = requireString(row, "id", raw).replace(/^v2-/, "");
        const list = completions.get(key) ?? [];
        list.push({ model: modelOf(raw.file), row, file: raw.file, line: raw.line, unit: raw.unit });
        completions.set(key, list);
      } else {
        prompts.set(requireString(row, "id", raw), { ...raw, record: row });
      }
    } catch (error) {
      onInvalid(error as Parameters<AssembleOptions["onInvalid"]>[0]);
    }
  }
  const keys = [...completions.keys()].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const list = completions.get(key)!;
    const listed = prompts.get(key);
    const at: RecordLocation = listed ?? list[0]!;
    yield {
      file: at.file,
      line: at.line,
      unit: at.unit,
      record: { id: `v2-${key}`, listed: listed?.record, completions: list },
    };
  }
}

function safetyOf(record: Fields, first: Completion, at: RecordLocation): "safe" | "unsafe" {
  const listed = record.listed as Fields | undefined;
  if (listed) {
    const label = listed.label;
    if (label !== "safe" && label !== "unsafe") throw invalidLabel("label", at, "safe or unsafe", label);
    return label;
  }
  const type = requireString(first.row, "type", first);
  return type.startsWith("contrast_") ? "unsafe" : "safe";
}

function toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
  const assembled = requireFields(record, at);
  const list = (assembled.completions as Completion[] | undefined) ?? [];
  if (list.length === 0) {
    throw invalidRecord("missing-field", "prompt has no completions", at, {
      field: "completions",
      expected: "≥1",
    });
  }
  const safety = safetyOf(assembled, list[0]!, at);
  const [better, worse] = safety === "safe" ? [COMPLY, REFUSE] : [REFUSE, COMPLY];
  const byLabel = new Map<string, Completion[]>();
  for (const c of list) {
    const label = requireString(c.row, "final_label", c);
    if (label !== COMPLY && label !== REFUSE && label !== PARTIAL) {
      throw invalidLabel("final_label", c, `${COMPLY}, ${REFUSE} or ${PARTIAL}`, label);
    }
    byLabel.set(label, [...(byLabel.get(label) ?? []), c]);
  }
  const sorted = (label: string) => (byLabel.get(label) ?? []).sort((a, b) => (a.model < b.model ? -1 : 1));
  const listed = assembled.listed as Fields | undefined;
  const pairs: PreferencePair[] = [];
  for (const a of sorted(better)) {
    for (const b of sorted(worse)) {
      pairs.push(
        buildPair({
          source,
          sourceId: `${assembled.id}:${a.model}-over-${b.model}`,
          subset: safety === "safe" ? "xstest-should-respond" : "xstest-should-refuse",
          // The text each model actually answered; in one row (195) it differs from the prompts file.
          prompt: [{ role: "user", content: requireString(a.row, "prompt", a) }],
          responseA: requireResponse(a.row, "completion", a),
          responseB: requireResponse(b.row, "completion", b),
          label: "A",
          meta: {
            type: optionalString(a.row, "type", a),
            focus: optionalString(listed, "focus", at),
            note: optionalString(listed, "note", at),
            modelA: a.model,
            modelB: b.model,
            final_labelA: better,
            final_labelB: worse,
          },
        }),
      );
    }
  }
  return pairs;
}

export const xstest: PairAdapter = {
  name: source,
  description:
    "XSTest v2 folder: per-model labelled completions → compliant-vs-refusal pairs (safe) and the reverse (unsafe)",
  detect: (r) =>
    hasKeys(r, ["completion", "final_label"]) || hasKeys(r, ["prompt", "type", "label", "focus"]),
  toPairs,
  dataset: { files: ["xstest_prompts.csv", "xstest_*completions_*.csv"], assemble },
};
