/**
 * LLMFAO as Best-of-N with a human ranking: 13 prompts, each answered by 52–59 models whose outputs
 * people compared pairwise (8,931 crowd votes). The human score of a candidate is its Bradley–Terry
 * strength fitted per prompt to those votes (left win = 1, right win = 0, tie = ½; the dataset
 * author ranks with Bradley–Terry too, via Evalica). Only models that appear in the votes of a
 * prompt are candidates for it; `gpt4-crowd-comparisons.csv` (GPT-4's verdicts) is not read.
 */
import path from "node:path";
import { optionalString, requireFields, requireId, requireString } from "../data/adapters/fieldAccess.js";
import { readCsv } from "../data/readers/readCsv.js";
import { readJsonl } from "../data/readers/readJsonl.js";
import { fitBradleyTerry } from "../rank/fitBradleyTerry.js";
import type { BonItem } from "./types.js";

interface Vote {
  x: string;
  y: string;
  winX: number;
}

export async function readLlmfaoItems(
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<BonItem[]> {
  const { signal } = options;
  const prompts = new Map<string, { text: string; slug: string }>();
  for await (const raw of readJsonl(path.join(dir, "prompts.jsonl"), { signal })) {
    const r = requireFields(raw.record, raw);
    prompts.set(requireId(r, "id", raw), {
      text: requireString(r, "text", raw),
      slug: requireString(r, "slug", raw),
    });
  }
  const outputs = new Map<string, Map<string, { text: string; name: string }>>();
  for await (const raw of readJsonl(path.join(dir, "results.jsonl"), { signal })) {
    const r = requireFields(raw.record, raw);
    const prompt = requireId(r, "prompt", raw);
    const byModel = outputs.get(prompt) ?? new Map();
    byModel.set(requireId(r, "model", raw), {
      text: requireString(r, "result", raw),
      name: optionalString(r, "name", raw) ?? "",
    });
    outputs.set(prompt, byModel);
  }
  const votes = new Map<string, Vote[]>();
  for await (const raw of readCsv(path.join(dir, "crowd-comparisons.csv"), { signal })) {
    const r = requireFields(raw.record, raw);
    const winner = requireString(r, "winner", raw);
    const winX = winner === "left" ? 1 : winner === "right" ? 0 : 0.5;
    const prompt = requireId(r, "prompt", raw);
    const list = votes.get(prompt) ?? [];
    list.push({ x: requireId(r, "model_x", raw), y: requireId(r, "model_y", raw), winX });
    votes.set(prompt, list);
  }

  const items: BonItem[] = [];
  for (const [promptId, promptVotes] of [...votes].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const prompt = prompts.get(promptId);
    const texts = outputs.get(promptId);
    if (!prompt || !texts) continue;
    const models = [...new Set(promptVotes.flatMap((v) => [v.x, v.y]))]
      .filter((m) => texts.has(m))
      .sort((a, b) => Number(a) - Number(b));
    const index = new Map(models.map((m, i) => [m, i]));
    const outcomes = promptVotes
      .filter((v) => index.has(v.x) && index.has(v.y))
      .map((v) => ({ i: index.get(v.x)!, j: index.get(v.y)!, winI: v.winX }));
    const { theta } = fitBradleyTerry(models.length, outcomes);
    items.push({
      id: `llmfao:${prompt.slug}`,
      source: "llmfao",
      prompt: [{ role: "user", content: prompt.text }],
      candidates: models.map((m, i) => ({
        text: texts.get(m)!.text,
        model: texts.get(m)!.name,
        humanScore: theta[i],
      })),
      category: prompt.slug,
    });
  }
  return items;
}
