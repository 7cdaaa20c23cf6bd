/**
 * genrm's Best-of-N JSONL: one prompt per line with its candidates (see `bonJsonlRecordSchema`).
 * Every line is validated; a bad one is an InputError naming file, line and field.
 */
import { readJsonl } from "../data/readers/readJsonl.js";
import { InputError } from "../errors.js";
import { type BonItem, bonJsonlRecordSchema } from "./types.js";

export async function readJsonlItems(
  file: string,
  options: { signal?: AbortSignal } = {},
): Promise<BonItem[]> {
  const items: BonItem[] = [];
  for await (const { record, line } of readJsonl(file, options)) {
    const parsed = bonJsonlRecordSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(issue.message, { file, line, field: issue.path.map(String).join(".") });
    }
    const r = parsed.data;
    items.push({
      id: r.id !== undefined ? String(r.id) : `line-${line}`,
      source: "jsonl",
      prompt: typeof r.prompt === "string" ? [{ role: "user", content: r.prompt }] : r.prompt,
      candidates: r.candidates.map((c) =>
        typeof c === "string"
          ? { text: c }
          : {
              text: c.text,
              ...(c.score !== undefined ? { humanScore: c.score } : {}),
              ...(c.model ? { model: c.model } : {}),
            },
      ),
      ...(r.reference !== undefined ? { reference: r.reference } : {}),
      ...(r.category !== undefined ? { category: r.category } : {}),
    });
  }
  return items;
}
