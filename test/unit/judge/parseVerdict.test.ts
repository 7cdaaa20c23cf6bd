import { describe, expect, it } from "vitest";
import { parseVerdict } from "../../../src/judge/index.js";

describe("parseVerdict", () => {
  it.each([
    ["Assistant A is more accurate. [[A]]", { verdict: "A" }],
    ["[[B]]", { verdict: "B" }],
    // The rationale quotes the format before answering: the last verdict wins.
    [
      'I must output "[[A]]" if A is better or "[[B]]" if B is better. B follows the instruction. [[B]]',
      { verdict: "B" },
    ],
    ["[[B]] on reflection... no, final verdict: [[A]]", { verdict: "A" }],
    ["[[A]]\n\nFinal: [[B]] because it is precise.", { verdict: "B" }],
    ["Verdict: [[C]]", { verdict: "error", reason: "no verdict" }],
    ["[[a]] lowercase is not the format", { verdict: "error", reason: "no verdict" }],
    ["[A] and [[ B ]] and [[AB]]", { verdict: "error", reason: "no verdict" }],
    ["", { verdict: "error", reason: "no verdict" }],
    ["[[[A]]]", { verdict: "A" }],
  ])("%j", (text, expected) => {
    expect(parseVerdict(text)).toEqual(expected);
  });

  it("reports a truncated sample distinctly", () => {
    expect(parseVerdict("Assistant A explains the tides in more det", { truncated: true })).toEqual({
      verdict: "error",
      reason: "truncated",
    });
    // A cut chain's verdict token is not its conclusion (here quoted from the instructions): an error.
    expect(parseVerdict('The format is "[[A]]" or "[[B]]". 3+4=7. 7+', { truncated: true })).toEqual({
      verdict: "error",
      reason: "truncated",
    });
  });

  it("accepts a custom format whose first group is the letter, global or not", () => {
    const format = /\[RESULT\]\s*\(?([ab])\)?/i;
    expect(parseVerdict("Feedback: ... [RESULT] (a) ... [RESULT] b", { format })).toEqual({ verdict: "B" });
    expect(parseVerdict("[RESULT] c", { format })).toEqual({ verdict: "error", reason: "no verdict" });
  });
});
