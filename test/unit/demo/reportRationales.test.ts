/** The report's "What the rationales do" section: present with rationale stats, absent without. */
import { describe, expect, it } from "vitest";
import { renderDemoReport } from "../../../src/demo/report/renderDemoReport.js";
import { demoResultsFixture } from "../../helpers/demoResultsFixture.js";

describe("report rationale section", () => {
  it("shows worked / shortcut / sound shares of the CoT judges that have them", () => {
    const r = demoResultsFixture();
    const dpo = r.methods.find((m) => m.id === "star-dpo")!;
    dpo.results.test.rationales = {
      samples: 1600,
      worked: 0.015,
      fallback: 0.3,
      heuristic: 0.62,
      sound: 0.0123,
    };
    const html = renderDemoReport(r);
    const section = /<section id="rationales">([\s\S]*?)<\/section>/.exec(html)?.[1];
    expect(section).toBeDefined();
    expect(section).toContain("STaR-DPO");
    expect(section).toContain("0.620");
    expect(section).toContain("0.012");
    // Only the method with stats gets a row.
    expect(section).not.toContain("STaR-SFT");
  });
  it("is left out when no judge has rationale stats", () => {
    expect(renderDemoReport(demoResultsFixture())).not.toContain('id="rationales"');
  });
});

describe("terminal rationale table", () => {
  it("lists worked / shortcut / sound per split for the judges that have them", async () => {
    const { formatDemoTable } = await import("../../../src/demo/formatDemoTable.js");
    const r = demoResultsFixture();
    expect(formatDemoTable(r)).not.toContain("rationales:");
    const cot = r.methods.find((m) => m.id === "zero-shot-cot")!;
    cot.results.test.rationales = {
      samples: 800,
      worked: 0.374,
      fallback: 0.25,
      heuristic: 0.193,
      sound: 0.146,
    };
    const text = formatDemoTable(r);
    const line = text.split("\n").find((l) => l.startsWith(cot.name) && l.includes("0.374"));
    expect(line).toBeDefined();
    expect(line).toContain("0.374 0.250 0.193 0.146");
    expect(line).toContain("—");
  });
});
