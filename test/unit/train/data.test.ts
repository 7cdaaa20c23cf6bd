/** Training rows: validation errors with file/line/field, and encoding to token examples. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { encodeExamples, loadTrainRows, parseTrainRow } from "../../../src/train/data/index.js";
import { detok, EOS, EOT, fakeTokenizer } from "./fakeTokenizer.js";

const ref = { file: "rows.jsonl", line: 7 };

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("parseTrainRow", () => {
  it("reads every documented shape", () => {
    expect(
      parseTrainRow(
        {
          messages: [
            { role: "user", content: "hi" },
            { role: "assistant", content: "yo" },
          ],
        },
        ref,
      ),
    ).toMatchObject({ type: "sft", prompt: [{ role: "user", content: "hi" }], completion: "yo" });
    expect(parseTrainRow({ prompt: "2+2=", completion: "4" }, ref)).toMatchObject({
      type: "sft",
      prompt: "2+2=",
      completion: "4",
    });
    expect(
      parseTrainRow(
        {
          prompt: [{ role: "user", content: "q" }],
          chosen: [{ role: "assistant", content: "good" }],
          rejected: [{ role: "assistant", content: "bad" }],
          margin: 2,
        },
        ref,
      ),
    ).toMatchObject({ type: "preference", chosen: "good", rejected: "bad", margin: 2 });
    expect(
      parseTrainRow(
        {
          chosen: [
            { role: "user", content: "q" },
            { role: "assistant", content: "good" },
          ],
          rejected: [
            { role: "user", content: "q" },
            { role: "assistant", content: "bad" },
          ],
        },
        ref,
      ),
    ).toMatchObject({ type: "preference", prompt: [{ role: "user", content: "q" }], chosen: "good" });
    expect(parseTrainRow({ prompt: "q", response_a: "x", response_b: "y", label: "B" }, ref)).toMatchObject({
      type: "pairwise",
      label: 0,
      prompt: [{ role: "user", content: "q" }],
    });
  });

  it("names file, line and field of a bad row", () => {
    const e = errorOf(() => parseTrainRow({ prompt: "q", chosen: "a", rejected: 5 }, ref));
    expect(e.location).toMatchObject({ file: "rows.jsonl", line: 7, field: "rejected" });
    expect(e.message).toMatch(/^rows\.jsonl, line 7, field "rejected"/);

    const m = errorOf(() =>
      parseTrainRow(
        {
          messages: [
            { role: "user", content: "hi" },
            { role: "user", content: "again" },
          ],
        },
        ref,
      ),
    );
    expect(m.location.field).toBe("messages.1");

    const l = errorOf(() =>
      parseTrainRow({ prompt: "q", response_a: "x", response_b: "y", label: "C" }, ref),
    );
    expect(l.location.field).toBe("label");

    const r = errorOf(() =>
      parseTrainRow(
        {
          messages: [
            { role: "robot", content: "x" },
            { role: "assistant", content: "y" },
          ],
        },
        ref,
      ),
    );
    expect(r.location.field).toBe("messages.0.role");

    const u = errorOf(() => parseTrainRow({ text: "x" }, ref));
    expect(u.message).toMatch(/not a training row/);
  });
});

describe("encodeExamples", () => {
  const tok = fakeTokenizer();

  it("masks the prompt of SFT rows: completion is the reply plus end of turn", () => {
    const row = parseTrainRow({ prompt: [{ role: "user", content: "hi" }], completion: "yo" }, ref);
    const { examples, report } = encodeExamples([row], "sft", tok);
    const ex = examples[0]!;
    if (ex.kind !== "sequence") throw new Error(ex.kind);
    expect(detok(ex.seq.tokens.subarray(ex.seq.completionStart))).toBe(`yo<${EOT}>`);
    expect(report).toMatchObject({ rows: 1, examples: 1, truncated: 0, droppedTooLong: 0 });
  });

  it("concatenates standard (string) rows without a chat template and ends with EOS", () => {
    const { examples } = encodeExamples(
      [parseTrainRow({ prompt: "2+2=", completion: "4" }, ref)],
      "sft",
      tok,
    );
    const ex = examples[0]!;
    if (ex.kind !== "sequence") throw new Error(ex.kind);
    expect(detok(ex.seq.tokens)).toBe(`<1>2+2=4<${EOS}>`);
    expect(ex.seq.completionStart).toBe(5);
  });

  it("filters or truncates long examples and reports it", () => {
    const rows = [
      parseTrainRow({ prompt: "ab", completion: "cdefgh" }, ref), // 1 + 2 + 6 + 1 = 10 tokens
      parseTrainRow({ prompt: "abcdefghij", completion: "k" }, ref), // prompt alone is 11
      parseTrainRow({ prompt: "a", completion: "b" }, ref),
    ];
    const filtered = encodeExamples(rows, "sft", tok, { maxLength: 6 });
    expect(filtered.report).toMatchObject({ rows: 3, examples: 1, droppedTooLong: 2, truncated: 0 });
    const cut = encodeExamples(rows, "sft", tok, { maxLength: 6, lengthPolicy: "truncate" });
    expect(cut.report).toMatchObject({ examples: 2, droppedTooLong: 1, truncated: 1, maxTokens: 6 });
  });

  it("builds GenRM verdict examples: judge prompt, forced `[[`, then the gold letter in shown order", () => {
    const row = parseTrainRow(
      { id: "p1", prompt: "q?", response_a: "good", response_b: "bad", label: "A" },
      ref,
    );
    const { examples, verdictTokens } = encodeExamples([row], "genrm", tok, { orders: "both" });
    expect(examples).toHaveLength(2);
    const [ab, ba] = examples.map((e) => (e.kind === "sequence" ? e.seq : null)!);
    expect(detok(ab!.tokens).endsWith("[[A")).toBe(true);
    expect(detok(ba!.tokens).endsWith("[[B")).toBe(true);
    expect(ab!.completionStart).toBe(ab!.tokens.length - 1);
    expect(verdictTokens).toEqual(["A", "B"].map((l) => l.charCodeAt(0) + 10));
    expect(detok(ab!.tokens)).toContain("[The Start of Assistant A's Answer]\ngood");
    expect(detok(ba!.tokens)).toContain("[The Start of Assistant A's Answer]\nbad");
  });

  it("drops ties for GenRM, keeps them as 0.5 for PairRM, flips labels with the order", () => {
    const rows = [
      parseTrainRow({ prompt: "q", response_a: "x", response_b: "y", label: "tie" }, ref),
      parseTrainRow({ prompt: "q", response_a: "x", response_b: "y", label: 1 }, ref),
    ];
    expect(encodeExamples(rows, "genrm", tok).report.droppedTies).toBe(1);
    const pair = encodeExamples(rows, "pairrm", tok, { orders: "both" });
    expect(pair.examples.map((e) => (e.kind === "pairwise" ? e.label : null))).toEqual([0.5, 0.5, 1, 0]);
  });

  it("balances the shown order of chosen responses under the seeded random order", () => {
    const rows = Array.from({ length: 200 }, (_, i) =>
      parseTrainRow({ prompt: `q${i}`, chosen: "good", rejected: "bad" }, { file: "f", line: i + 1 }),
    );
    const labels = encodeExamples(rows, "pairrm", tok, { seed: 3 }).examples.map((e) =>
      e.kind === "pairwise" ? e.label : -1,
    );
    const shownFirst = labels.filter((l) => l === 1).length;
    expect(shownFirst).toBeGreaterThan(70);
    expect(shownFirst).toBeLessThan(130);
  });

  it("rejects rows that cannot train the method", () => {
    const e = errorOf(() =>
      encodeExamples([parseTrainRow({ prompt: "a", completion: "b" }, ref)], "dpo", tok),
    );
    expect(e.location).toMatchObject({ file: "rows.jsonl", line: 7 });
  });
});

describe("loadTrainRows", () => {
  it("reads training rows with line numbers, and other pair formats through the adapters", async () => {
    const dir = await mkdtemp(join(tmpdir(), "genrm-train-data-"));
    const rows = join(dir, "rows.jsonl");
    await writeFile(
      rows,
      `${JSON.stringify({ prompt: "q", chosen: "a", rejected: "b" })}\n${JSON.stringify({ prompt: "q", chosen: "a" })}\n`,
    );
    await expect(loadTrainRows(rows)).rejects.toMatchObject({
      location: { file: rows, line: 2, field: "rejected" },
    });
    const pairs = join(dir, "pairs.jsonl");
    await writeFile(
      pairs,
      `${JSON.stringify({ id: "x1", prompt: [{ role: "user", content: "q" }], responseA: "a", responseB: "b", label: "B" })}\n`,
    );
    const loaded = await loadTrainRows(pairs);
    expect(loaded[0]).toMatchObject({ type: "pairwise", responseA: "a", label: 0 });
  });
});
