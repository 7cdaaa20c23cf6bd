/**
 * The TRL form of STaR rows (conversational prompt-completion for SFTTrainer, conversational
 * preference for DPOTrainer): the same prompt and completions with the lineage left out, so the
 * files load in TRL / `datasets` as they are.
 */
import type { StarDpoRow, StarSftRow } from "./types.js";

export function toTrlRow(row: StarSftRow | StarDpoRow): Record<string, unknown> {
  if ("completion" in row) return { prompt: row.prompt, completion: row.completion };
  return { prompt: row.prompt, chosen: row.chosen, rejected: row.rejected };
}
