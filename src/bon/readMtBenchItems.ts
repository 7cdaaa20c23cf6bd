/**
 * MT-Bench questions as an unlabelled prompt pool for Best-of-N generation (no human rankings).
 * Only the first turn is used: a second turn needs the policy's own first answer in the context,
 * which a candidate pool cannot share. The GPT-4 reference answers (math, reasoning, coding) become
 * each item's reference, for scheme "reference".
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { optionalString, requireFields, requireId, requireString } from "../data/adapters/fieldAccess.js";
import { readJsonl } from "../data/readers/readJsonl.js";
import type { BonItem } from "./types.js";

export async function readMtBenchItems(
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<BonItem[]> {
  const { signal } = options;
  const references = new Map<string, string>();
  const refFile = path.join(dir, "reference_answer", "gpt-4.jsonl");
  if (existsSync(refFile)) {
    for await (const raw of readJsonl(refFile, { signal })) {
      const first = optionalString(raw.record, "choices.0.turns.0", raw);
      if (first) references.set(requireId(requireFields(raw.record, raw), "question_id", raw), first);
    }
  }
  const items: BonItem[] = [];
  for await (const raw of readJsonl(path.join(dir, "question.jsonl"), { signal })) {
    const id = requireId(requireFields(raw.record, raw), "question_id", raw);
    const reference = references.get(id);
    const category = optionalString(raw.record, "category", raw);
    items.push({
      id: `mt-bench:${id}`,
      source: "mt-bench",
      prompt: [{ role: "user", content: requireString(raw.record, "turns.0", raw) }],
      candidates: [],
      ...(category !== undefined ? { category } : {}),
      ...(reference ? { reference } : {}),
    });
  }
  return items;
}
