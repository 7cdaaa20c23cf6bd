/**
 * `genrm eval` with a model judge, through the real CLI: an unchanged command lands in the same run
 * directory with the same config hash, and so does the command with every default spelled out
 * (the tie and error policies used to be hashed as null when left out, so spelling them out made
 * another run directory). Each run records itself in the sample store's run ledger.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePairsJsonl } from "../../src/data/writePairsJsonl.js";
import type { RunRecord } from "../../src/store/index.js";
import { runCli } from "../helpers/cli.js";
import { lengthPairs } from "../helpers/lengthPairs.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let dir: string;
let data: string;
let model: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-eval-hash-"));
  data = path.join(dir, "pairs.jsonl");
  await writePairsJsonl(lengthPairs(4), data);
  model = (await tinyModelOnce({ hidden: 32, layers: 1, heads: 4, kvHeads: 2, ffn: 64 })).path;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the command in `dir` (run directories go to runs/ there) and returns where it wrote and its hash. */
async function evalRun(extra: string[]): Promise<{ runDir: string; configHash: string }> {
  const r = await runCli(
    [
      "eval",
      ...["--data", data, "--model", model, "--protocol", "direct", "--threads", "1"],
      ...["--store", path.join(dir, "store.db"), "--progress", "silent", "--json", ...extra],
    ],
    { cwd: dir },
  );
  expect(r.code, r.stderr).toBe(0);
  const run = (JSON.parse(r.stdout) as { run: { dir: string; configHash: string } }).run;
  return { runDir: run.dir, configHash: run.configHash };
}

describe("genrm eval config hash, end to end", () => {
  it("keeps its run directory and hash for the same command and for its defaults spelled out", async () => {
    const first = await evalRun([]);
    expect(first.runDir).toContain(first.configHash.slice(0, 8));
    expect(await evalRun([])).toEqual(first);
    const spelled = [
      ...["-k", "1", "--order", "both", "--seed", "0", "--temperature", "1", "--top-p", "0.95"],
      ...["--max-tokens", "1024", "--tie-policy", "half", "--error-policy", "ignore"],
    ];
    expect(await evalRun(spelled)).toEqual(first);
    expect((await evalRun(["--tie-policy", "A"])).configHash).not.toBe(first.configHash);
  }, 300_000);

  it("records each run directory in the store's run ledger, which genrm store lists", async () => {
    const first = await evalRun([]);
    const r = await runCli(["store", "--store", path.join(dir, "store.db"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const runs = (JSON.parse(r.stdout) as { runs: RunRecord[] }).runs;
    const row = runs.find((x) => x.runId === path.resolve(dir, first.runDir));
    expect(row).toMatchObject({
      command: "eval",
      status: "finished",
      config: { configHash: first.configHash, protocol: "direct", tiePolicy: "half" },
      summary: { pairs: 4, judgments: 4 },
    });
    expect(new Set(runs.map((x) => x.runId)).size).toBe(runs.length);
  }, 300_000);
});
