/**
 * The prompt a judge sends, visible and traceable: `genrm judge --show-prompt` prints each order's
 * prompt as the model reads it, `genrm eval --dump-prompts` writes them, and every stored sample
 * carries the hash of the prompt it answered (the store's `prompt_hash`).
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePairsJsonl } from "../../src/data/writePairsJsonl.js";
import type { JudgePrompt } from "../../src/judge/judgePrompts.js";
import { loadTokenizer } from "../../src/model/tokenizer/index.js";
import { runCli } from "../helpers/cli.js";
import { lengthPairs } from "../helpers/lengthPairs.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let dir: string;
let model: string;
const engineFlags = ["--threads", "1", "--context-size", "1024", "--max-tokens", "4", "-k", "1"];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-prompts-"));
  model = (await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64 })).path;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("judge prompts", () => {
  it("genrm judge --show-prompt prints both orders as the model reads them, token ids included", async () => {
    const r = await runCli([
      "judge",
      ...["--model", model, "--prompt", "Name a colour", "--a", "red", "--b", "blue and green"],
      ...["--order", "both", "--show-prompt", ...engineFlags],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const shown = r.stderr.split(/^=== prompt /m).slice(1);
    expect(shown.map((s) => s.slice(0, 2))).toEqual(["AB", "BA"]);
    const tokenizer = await loadTokenizer(model);
    try {
      for (const block of shown) {
        expect(block).toContain("Name a colour");
        const count = Number(/as the model reads it \((\d+) tokens\)/.exec(block)![1]);
        const ids = block.split("--- token ids\n")[1]!.trim().split(" ").map(Number);
        expect(ids).toHaveLength(count);
        // The ids are the prompt's: they decode to the text shown above them.
        const text = block
          .split(/--- as the model reads it \(\d+ tokens\)\n/)[1]!
          .split("\n--- token ids")[0]!;
        expect(tokenizer.detokenize(ids, { specialTokens: true })).toBe(text);
      }
    } finally {
      await tokenizer.dispose();
    }
  }, 120_000);

  it("genrm eval --dump-prompts writes every prompt, and each stored sample carries its prompt's hash", async () => {
    const data = join(dir, "pairs.jsonl");
    await writePairsJsonl(lengthPairs(4), data);
    const dump = join(dir, "prompts.jsonl");
    const store = join(dir, "samples.db");
    const r = await runCli([
      "eval",
      ...["--data", data, "--model", model, "--order", "both", "--out", join(dir, "run"), "--store", store],
      ...["--dump-prompts", dump, ...engineFlags],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const prompts = readFileSync(dump, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as JudgePrompt);
    expect(prompts).toHaveLength(4 * 2);
    expect(prompts.every((p) => p.rendered !== undefined && p.rendered.tokens.length > 0)).toBe(true);
    const byKey = new Map(prompts.map((p) => [`${p.pairId}|${p.order}`, p.promptHash]));
    const db = new Database(store, { readonly: true });
    try {
      const rows = db.prepare("SELECT pair_id, ord, prompt_hash FROM samples").all() as {
        pair_id: string;
        ord: string;
        prompt_hash: string | null;
      }[];
      expect(rows).toHaveLength(4 * 2);
      for (const row of rows) expect(row.prompt_hash).toBe(byKey.get(`${row.pair_id}|${row.ord}`));
    } finally {
      db.close();
    }
  }, 120_000);
});
