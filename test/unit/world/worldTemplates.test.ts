import { describe, expect, it } from "vitest";
import { parseVerdict } from "../../../src/judge/parseVerdict.js";
import { renderJudgePrompt, templateHash, validateTemplate } from "../../../src/judge/templates/index.js";
import { judgeTemplateSchema } from "../../../src/judge/types.js";
import {
  createWorldRng,
  generateWorld,
  judgeView,
  perfectReasoner,
  worldSplitNames,
  worldStats,
  worldTemplates,
  writeRationale,
} from "../../../src/world/index.js";

const world = generateWorld({ seed: 5, sizes: { "ood-long": 400 } });

describe("world judge templates", () => {
  it("are valid judge templates of the three protocols, with distinct hashes", () => {
    expect(world.templates).toBe(worldTemplates);
    for (const template of Object.values(worldTemplates)) {
      expect(judgeTemplateSchema.parse(template)).toEqual(template);
      expect(validateTemplate(template)).toEqual([]);
    }
    expect(worldTemplates.cot.protocol).toBe("cot");
    expect(worldTemplates.direct.protocol).toBe("direct");
    expect(worldTemplates.direct.assistantPrefix).toBe("[[");
    expect(worldTemplates.rationalizer.protocol).toBe("rationalizer");
    const hashes = new Set(Object.values(worldTemplates).map(templateHash));
    expect(hashes.size).toBe(3);
  });

  it("render a pair compactly, in either order, and a rationalizer hint in display slots", () => {
    const pair = world.splits.test[0]!;
    const [system, user] = renderJudgePrompt(worldTemplates.cot, pair, "AB");
    expect(system!.content).toContain("[[A]]");
    expect(user!.content).toBe(`Q: ${pair.prompt[0]!.content}\nA: ${pair.responseA}\nB: ${pair.responseB}`);
    const swapped = renderJudgePrompt(worldTemplates.cot, pair, "BA")[1]!.content;
    expect(swapped).toBe(`Q: ${pair.prompt[0]!.content}\nA: ${pair.responseB}\nB: ${pair.responseA}`);
    const hinted = renderJudgePrompt(worldTemplates.rationalizer, pair, "BA", { hint: "A" })[1]!.content;
    expect(hinted.endsWith("Explain why B is better than A.")).toBe(true);
  });

  it("fit a whole judge transcript in the token budget of a tiny model (bytes as the proxy)", () => {
    const report: Record<string, string> = {};
    for (const name of worldSplitNames) {
      const stats = worldStats(world.splits[name]);
      report[name] = `mean ${stats.meanTranscriptBytes.toFixed(0)} B, max ${stats.maxTranscriptBytes} B`;
      // ~1.5–2.5 bytes per token for a byte-level BPE: 400 bytes stays under ~250 tokens.
      expect(stats.maxTranscriptBytes).toBeLessThan(name === "ood-long" ? 320 : 280);
    }
    console.log("CoT transcript bytes (system + user + rationale)", report);
  });

  it("end a perfect rationale in a verdict the shared parser reads", () => {
    const rng = createWorldRng(0, "t");
    for (const pair of world.splits["ood-mixed"].slice(0, 100)) {
      const written = writeRationale(judgeView(pair, "BA"), rng, perfectReasoner);
      expect(parseVerdict(written.text)).toEqual({ verdict: written.verdict });
    }
  });
});
