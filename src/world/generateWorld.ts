/**
 * The mini world: seeded preference splits plus the judge templates that go with them. Each split
 * has its own random stream, so resizing one split leaves the others unchanged. Pair ids are
 * `world:<seed>-<split>-<index>`.
 */
import type { PreferencePair } from "../data/types.js";
import { worldTemplates } from "../judge/templates/worldTemplates.js";
import { createWorldRng } from "./createWorldRng.js";
import { drawWorldPair } from "./drawWorldPair.js";
import { resolveWorldConfig, worldSplitNames } from "./resolveWorldConfig.js";
import type { World, WorldOptions, WorldSplitName } from "./types.js";

export function generateWorld(options: WorldOptions = {}): World {
  const config = resolveWorldConfig(options);
  const splits = {} as Record<WorldSplitName, PreferencePair[]>;
  for (const split of worldSplitNames) {
    const rng = createWorldRng(config.seed, `split:${split}`);
    const spec = config.splits[split];
    const pairs: PreferencePair[] = [];
    for (let i = 0; i < config.sizes[split]; i++) {
      pairs.push(drawWorldPair(rng, { id: `world:${config.seed}-${split}-${i}`, split, spec, config }));
    }
    splits[split] = pairs;
  }
  return { splits, templates: worldTemplates, config };
}
