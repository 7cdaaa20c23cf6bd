import { describe, expect, it } from "vitest";
import { formatDemoTable } from "../../../src/demo/formatDemoTable.js";
import { majKColumns } from "../../../src/demo/report/demoRows.js";
import { demoResultsFixture, withOnlyMethods } from "../../helpers/demoResultsFixture.js";

/** The lines of the block that starts with the header line beginning with `first`, up to the next blank line. */
function block(text: string, first: RegExp): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => first.test(l));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.trim() === "");
  return lines.slice(start, end < 0 ? undefined : end);
}

const mainTable = (text: string) => block(text, /^method +reasoning +vote/);
const curveTable = (text: string) => block(text, /^method +split +k=1/);

/** Column start offsets, read from the header: where each heading begins. */
function columnStarts(header: string): number[] {
  return [...header.matchAll(/(?:^|(?<= {2}))\S/g)].map((m) => m.index!);
}

describe("formatDemoTable", () => {
  const results = demoResultsFixture();
  const text = formatDemoTable(results);

  it("aligns columns: every row of a table has one width and values start under their heading", () => {
    for (const table of [mainTable(text), curveTable(text)]) {
      expect(new Set(table.map((l) => l.length)).size).toBe(1);
      const starts = columnStarts(table[0]!);
      for (const row of table.slice(1)) {
        for (const s of starts.slice(1)) {
          // A cell is either blank or begins exactly at the heading's column.
          expect(row[s - 1]).toBe(" ");
        }
      }
    }
    const table = mainTable(text);
    const starts = columnStarts(table[0]!);
    const idColumn = starts[3]!;
    const genrm = table.find((l) => l.startsWith("GenRM"))!;
    expect(genrm.slice(idColumn, idColumn + 5)).toBe("0.843");
  });

  it("shows every judge, CoT judges as a maj@1 and a maj@8 row, rounded to three decimals with ± CI half-width", () => {
    const table = mainTable(text);
    // Header, 4 single-verdict rows, 4 x 2 CoT rows, the length reference.
    expect(table).toHaveLength(1 + 4 + 8 + 1);
    for (const m of results.methods) expect(table.some((l) => l.startsWith(m.name))).toBe(true);
    const genrm = results.methods.find((m) => m.id === "genrm")!.results["ood-length"];
    const genrmRow = table.find((l) => l.startsWith("GenRM"))!;
    expect(genrmRow).toContain(
      `${genrm.accuracy.toFixed(3)}  ±${((genrm.ci[1] - genrm.ci[0]) / 2).toFixed(3)}`,
    );
    const rounded = demoResultsFixture();
    Object.assign(rounded.methods.find((m) => m.id === "bt")!.results.test, {
      accuracy: 0.66666,
      ci: [0.61111, 0.71999],
    });
    expect(mainTable(formatDemoTable(rounded)).find((l) => l.startsWith("Bradley–Terry"))).toMatch(
      /^Bradley–Terry +no +0\.667 {2}±0\.054 /,
    );
    const sft = table.findIndex((l) => l.startsWith("STaR-SFT"));
    expect(table[sft]).toMatch(/^STaR-SFT +yes +maj@1 +0\.760 +0\.745 +0\.660 +0\.703 *$/);
    expect(table[sft + 1]).toMatch(/^ +maj@8 +0\.838 +±0\.036 +0\.822 +±0\.038 +0\.731 +±0\.043 +0\.777 *$/);
    expect(table.at(-1)).toMatch(/^\(longer answer wins\) +no +0\.821 +0\.167 +0\.486 +0\.327 *$/);
    expect(text).not.toMatch(/NaN|undefined/);
  });

  it("marks the best value of each column with *, and only it", () => {
    const table = mainTable(text);
    const marked = table.flatMap((l) => [...l.matchAll(/(\d\.\d{3})\*/g)].map((m) => m[1]));
    expect(marked).toEqual(["0.843", "0.850", "0.758", "0.804"]);
    expect(table.find((l) => l.startsWith("GenRM"))).toContain("0.843*");
    // The length reference is never best, even where it is highest.
    const cueWins = demoResultsFixture();
    cueWins.splits[0]!.lengthJudgeAccuracy = 0.99;
    expect(mainTable(formatDemoTable(cueWins)).at(-1)).not.toContain("*");
  });

  it("picks k columns 1, 2, 4, 8 for K = 8 and 1, 2, 4 for K = 4", () => {
    expect(curveTable(text)[0]).toMatch(/^method +split +k=1 +k=2 +k=4 +k=8 *$/);
    const k4 = formatDemoTable(demoResultsFixture({ k: 4 }));
    expect(curveTable(k4)[0]).toMatch(/^method +split +k=1 +k=2 +k=4 *$/);
    expect(mainTable(k4).some((l) => l.includes("maj@4"))).toBe(true);
    expect(majKColumns(6)).toEqual([1, 2, 4, 6]);
    expect(majKColumns(1)).toEqual([1]);
    expect(majKColumns(0)).toEqual([]);
  });

  it("lists in-distribution and OOD-mean maj@k values for each CoT judge", () => {
    const curves = curveTable(text);
    expect(curves).toHaveLength(1 + 4 * 2);
    const dpo = results.methods.find((m) => m.id === "star-dpo")!.results;
    const i = curves.findIndex((l) => l.startsWith("STaR-DPO"));
    const id = [1, 2, 4, 8].map((k) => dpo.test.majK![k - 1]!.toFixed(3));
    expect(curves[i]).toMatch(new RegExp(`^STaR-DPO +ID +${id.join(" +")} *$`));
    const oodMean = [1, 2, 4, 8].map((k) =>
      ((dpo["ood-length"].majK![k - 1]! + dpo["ood-mixed"].majK![k - 1]!) / 2).toFixed(3),
    );
    expect(curves[i + 1]).toMatch(new RegExp(`^ +OOD mean +${oodMean.join(" +")} *$`));
  });

  it("leaves out the maj@k table when no CoT judge ran, and ends with the wall time", () => {
    const small = formatDemoTable(withOnlyMethods(results, ["zero-shot-direct", "genrm", "bt"]));
    expect(small).not.toContain("maj@");
    expect(small).not.toMatch(/NaN|undefined/);
    expect(mainTable(small)).toHaveLength(1 + 3 + 1);
    expect(text.split("\n").at(-1)).toMatch(
      /^wall time 1h46m \(2025-03-14T09:12:05\.000Z to 2025-03-14T10:58:47\.512Z\)$/,
    );
  });
});
