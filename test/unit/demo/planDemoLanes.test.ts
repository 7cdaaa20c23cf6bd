/** How `genrm demo --jobs N` splits its stages into lanes. */
import { describe, expect, it } from "vitest";
import { planDemoLanes } from "../../../src/demo/planDemoLanes.js";
import { demoMethodIds } from "../../../src/demo/types.js";

describe("planDemoLanes", () => {
  it("splits the full demo into two lanes of similar cost, STaR-DPO after STaR-SFT, paper order within a lane", () => {
    expect(planDemoLanes(demoMethodIds, 2)).toEqual([
      ["genrm", "bt", "star-sft", "star-dpo"],
      ["zero-shot-direct", "zero-shot-cot", "pairrm", "star-rationalizer"],
    ]);
  });

  it("runs every stage exactly once, whatever the number of jobs", () => {
    for (let jobs = 1; jobs <= 10; jobs++) {
      const lanes = planDemoLanes(demoMethodIds, jobs);
      expect(lanes.length).toBe(Math.min(jobs, demoMethodIds.length - 1));
      expect(lanes.flat().sort()).toEqual([...demoMethodIds].sort());
      const withSft = lanes.find((l) => l.includes("star-sft"));
      expect(withSft).toContain("star-dpo");
      expect(withSft!.indexOf("star-sft")).toBeLessThan(withSft!.indexOf("star-dpo"));
    }
  });

  it("plans only the stages given: one lane for one stage, none for none", () => {
    expect(planDemoLanes(["star-dpo"], 2)).toEqual([["star-dpo"]]);
    expect(planDemoLanes(["zero-shot-direct", "star-dpo"], 2)).toEqual([["star-dpo"], ["zero-shot-direct"]]);
    expect(planDemoLanes([], 2)).toEqual([]);
    expect(planDemoLanes(demoMethodIds, 1)).toEqual([[...demoMethodIds]]);
  });

  it("refuses a job count that is not a positive integer", () => {
    expect(() => planDemoLanes(demoMethodIds, 0)).toThrow(/jobs: must be a positive integer, got 0/);
    expect(() => planDemoLanes(demoMethodIds, 1.5)).toThrow(RangeError);
  });
});
