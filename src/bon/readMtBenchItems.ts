/**
 * MT-Bench questions as an unlabelled prompt pool for Best-of-N generation (no human rankings).
 * Only the first turn is used: a second turn needs the policy's own first answer in the context,
 * which a candidate pool cannot share. The GPT-4 reference answers (math, reasoning, coding) become
 * each item's reference, for scheme "reference".
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { readJsonl } from "../data/readers/readJsonl.js";
import type { BonItem } from "./types.js";

export async function readMtBenchItems(
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<BonItem[]> {
  const { signal } = options;
  const references = new Map<number, string>();
  const refFile = path.join(dir, "reference_answer", "gpt-4.jsonl");
  if (existsSync(refFile)) {
    for await (const { record } of readJsonl(refFile, { signal })) {
      const r = record as { question_id: number; choices: { turns: string[] }[] };
      const first = r.choices[0]?.turns[0];
      if (first) references.set(r.question_id, first);
    }
  }
  const items: BonItem[] = [];
  for await (const { record } of readJsonl(path.join(dir, "question.jsonl"), { signal })) {
    const q = record as { question_id: number; category: string; turns: string[] };
    const reference = references.get(q.question_id);
    items.push({
      id: `mt-bench:${q.question_id}`,
      source: "mt-bench",
      prompt: [{ role: "user", content: q.turns[0] }],
      candidates: [],
      category: q.category,
      ...(reference ? { reference } : {}),
    });
  }
  return items;
}
