import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runWorldGenerate } from "../../../src/cli/commands/world.js";
import { loadPairs } from "../../../src/data/index.js";
import { ConfigError } from "../../../src/errors.js";
import { generateWorld, readWorldMeta } from "../../../src/world/index.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-world-generate-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("genrm world generate", () => {
  it("writes each split as JSONL that loads back to the same pairs, hidden facts included", async () => {
    const out = path.join(dir, "w3");
    await runWorldGenerate({ out, seed: 3, splits: ["test", "ood-long"], size: ["ood-long=25", "test=40"] });
    expect(fs.readdirSync(out).sort()).toEqual(["ood-long.jsonl", "test.jsonl", "world.json"]);
    const world = generateWorld({ seed: 3, sizes: { "ood-long": 25, test: 40 } });
    for (const split of ["test", "ood-long"] as const) {
      const { pairs } = await loadPairs(path.join(out, `${split}.jsonl`));
      expect(pairs).toEqual(world.splits[split]);
      expect(readWorldMeta(pairs[0]!)?.split).toBe(split);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(out, "world.json"), "utf8"));
    expect(manifest.config.seed).toBe(3);
    expect(manifest.splits.test.pairs).toBe(40);
    expect(manifest.splits.test.stats.lengthJudgeAccuracy).toBeGreaterThan(0.6);
    expect(Object.keys(manifest.templates)).toContain("world-cot@1");
  });

  it("another seed is another world; the same seed the same bytes", async () => {
    const write = async (name: string, seed: number) => {
      await runWorldGenerate({ out: path.join(dir, name), seed, splits: ["test"] });
      return fs.readFileSync(path.join(dir, name, "test.jsonl"));
    };
    const a = await write("a", 1);
    expect(await write("b", 1)).toEqual(a);
    expect((await write("c", 2)).equals(a)).toBe(false);
  });

  it("names unknown splits and bad sizes", async () => {
    const run = runWorldGenerate({ out: path.join(dir, "bad"), splits: ["test", "nope"], size: ["test=-1"] });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(
      runWorldGenerate({ out: path.join(dir, "bad"), splits: ["nope"], size: ["x=3"] }),
    ).rejects.toThrow(/unknown split "nope"[\s\S]*--size: expected <split>=<pairs>.*"x=3"/);
  });
});
