import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import type { Judgment } from "../../../src/judge/types.js";
import { JudgmentLog } from "../../../src/run/JudgmentLog.js";

const judgment = (pairId: string): Judgment =>
  ({ pairId, verdict: "A", pA: 1, votes: { A: 1, B: 0, error: 0 } }) as unknown as Judgment;

describe("JudgmentLog", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-log-"));
    file = path.join(dir, "judgments.jsonl");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads back what it appended", () => {
    const log = JudgmentLog.open(file);
    log.append(judgment("a"));
    log.append(judgment("b"));
    log.close();
    const again = JudgmentLog.open(file);
    expect([...again.existing.keys()]).toEqual(["a", "b"]);
    again.close();
  });

  it("drops a torn last line left by a killed process and truncates it away", () => {
    fs.writeFileSync(file, `${JSON.stringify(judgment("a"))}\n${JSON.stringify(judgment("b")).slice(0, 20)}`);
    const log = JudgmentLog.open(file);
    expect([...log.existing.keys()]).toEqual(["a"]);
    log.append(judgment("b"));
    log.close();
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).pairId)).toEqual(["a", "b"]);
  });

  it("a complete last line without its newline is not trusted", () => {
    fs.writeFileSync(file, `${JSON.stringify(judgment("a"))}\n${JSON.stringify(judgment("b"))}`);
    const log = JudgmentLog.open(file);
    expect([...log.existing.keys()]).toEqual(["a"]);
    log.close();
  });

  it("corruption in the middle is an error naming file and line", () => {
    fs.writeFileSync(file, `${JSON.stringify(judgment("a"))}\n{oops\n${JSON.stringify(judgment("c"))}\n\n`);
    expect(() => JudgmentLog.open(file)).toThrow(InputError);
    expect(() => JudgmentLog.open(file)).toThrow(/judgments\.jsonl, line 2/);
  });

  it("resume: false starts over", () => {
    fs.writeFileSync(file, `${JSON.stringify(judgment("a"))}\n`);
    const log = JudgmentLog.open(file, { resume: false });
    expect(log.existing.size).toBe(0);
    log.close();
    expect(fs.readFileSync(file, "utf8")).toBe("");
  });
});
