import { describe, expect, it } from "vitest";
import { longerResponse, responseLength } from "../../../src/judge/index.js";

describe("responseLength", () => {
  it("counts code points, not UTF-16 units or UTF-8 bytes", () => {
    expect(responseLength("abc")).toBe(3);
    // "😀" is two UTF-16 units and four bytes; "é" two bytes; "日本" six bytes.
    expect(responseLength("😀é")).toBe(2);
    expect(responseLength("日本")).toBe(2);
  });

  it("counts whitespace-separated words", () => {
    expect(responseLength("  one two\n three ", "words")).toBe(3);
    expect(responseLength("", "words")).toBe(0);
  });
});

describe("longerResponse", () => {
  it("names the longer slot, and ties where only the encoding differs", () => {
    expect(longerResponse("abcd", "abc")).toBe("A");
    expect(longerResponse("日本語", "abcd")).toBe("B");
    expect(longerResponse("naïve", "naive")).toBe("tie");
    expect(longerResponse("a b", "abc", "words")).toBe("A");
  });
});
