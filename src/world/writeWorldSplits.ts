/**
 * Writes a world's splits as JSONL (`<split>.jsonl`, one pair per line with its hidden facts in
 * `meta`) and `world.json` (the resolved world config, the judge templates' ids and hashes, and
 * each split's statistics), so any command or tool can judge the mini world and be compared with
 * the demo's judges on exactly the same pairs. Used by `genrm world generate` and `genrm demo`.
 */
import fs from "node:fs";
import path from "node:path";
import { writePairsJsonl } from "../data/writePairsJsonl.js";
import { templateHash } from "../judge/templates/templateHash.js";
import { writeJsonFile } from "../run/jsonFile.js";
import type { World, WorldSplitName } from "./types.js";
import { worldStats } from "./worldStats.js";

export interface WrittenWorldSplits {
  dir: string;
  files: Partial<Record<WorldSplitName, string>>;
}

export async function writeWorldSplits(
  world: World,
  dir: string,
  splits: readonly WorldSplitName[] = Object.keys(world.splits) as WorldSplitName[],
): Promise<WrittenWorldSplits> {
  fs.mkdirSync(dir, { recursive: true });
  const files: Partial<Record<WorldSplitName, string>> = {};
  for (const split of splits) {
    if (world.splits[split].length === 0) continue;
    const file = path.join(dir, `${split}.jsonl`);
    await writePairsJsonl(world.splits[split], file);
    files[split] = file;
  }
  writeJsonFile(path.join(dir, "world.json"), {
    format: "genrm-world-splits@1",
    config: world.config,
    templates: Object.fromEntries(Object.values(world.templates).map((t) => [t.id, templateHash(t)])),
    splits: Object.fromEntries(
      Object.keys(files).map((split) => {
        const pairs = world.splits[split as WorldSplitName];
        return [split, { file: `${split}.jsonl`, pairs: pairs.length, stats: worldStats(pairs) }];
      }),
    ),
  });
  return { dir, files };
}
