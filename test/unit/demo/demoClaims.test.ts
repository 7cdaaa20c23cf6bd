import { describe, expect, it } from "vitest";
import { demoClaims, formatDemoClaims } from "../../../src/demo/demoClaims.js";
import type { DemoResults } from "../../../src/demo/types.js";
import { demoResultsFixture } from "../../helpers/demoResultsFixture.js";

/** The fixture with STaR-DPO's ood-length outcome replaced. */
function withDpoOodLength(results: DemoResults, accuracy: number, correct: string): DemoResults {
  const methods = results.methods.map((m) =>
    m.id !== "star-dpo"
      ? m
      : { ...m, results: { ...m.results, "ood-length": { ...m.results["ood-length"], accuracy, correct } } },
  );
  return { ...results, methods };
}

describe("demoClaims", () => {
  const base = demoResultsFixture();
  const bt = base.methods.find((m) => m.id === "bt")!.results["ood-length"];

  it("does not hold when the OOD gain is under +0.15, whatever the test says", () => {
    // 0.199 + 0.1: right on 40 more pairs than BT, a significant but too small gain.
    const r = withDpoOodLength(base, bt.accuracy + 0.1, "1".repeat(120).padEnd(400, "0"));
    const claim = demoClaims(r).find((c) => c.id === "ood-length")!;
    expect(claim.statistic?.pValue).toBeLessThan(0.01);
    expect(claim.holds).toBe(false);
  });

  it("does not hold when the gain is large but the pairs disagree both ways (p ≥ 0.01)", () => {
    // A large gain on paper, but the judges are right on disjoint pairs: 100 vs BT's all discordant.
    const btRight = bt.correct!.replaceAll("0", "").length;
    const correct = "0".repeat(btRight) + "1".repeat(100) + "0".repeat(400 - btRight - 100);
    const r = withDpoOodLength(base, bt.accuracy + 0.2, correct);
    const claim = demoClaims(r).find((c) => c.id === "ood-length")!;
    expect(claim.statistic?.name).toBe(`McNemar (100 vs ${btRight} discordant)`);
    expect(claim.statistic!.pValue).toBeGreaterThan(0.01);
    expect(claim.holds).toBe(false);
  });

  it("prints each checked claim with its verdict, numbers and the paper's evidence", () => {
    const lines = formatDemoClaims(base.claims);
    expect(lines[0]).toMatch(/^claims/);
    expect(lines.filter((l) => /: (holds|does not hold)$/.test(l))).toHaveLength(base.claims.length);
    expect(lines.join("\n")).toContain("[paper: §5.4, Fig. 5");
  });
});
