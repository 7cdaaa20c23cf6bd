import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { summarizeEval } from "../../../src/eval/summarizeEval.js";
import { runNames } from "../../../src/report/runReport/collectRuns.js";
import { detectRunKind, readRunDir } from "../../../src/report/runReport/readRunDir.js";
import { judgment, pair, writeFiles } from "./runFixtures.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-report-dirs-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("no error thrown");
}

describe("readRunDir", () => {
  it("reads an eval run without touching its judgment log, torn last line included", () => {
    const pairs = [pair("b", "x", "yy", "B"), pair("a", "xx", "y", "A")];
    const judgments = [judgment("b", "B"), judgment("a", "B")];
    const log = `${judgments.map((j) => JSON.stringify(j)).join("\n")}\n{"pairId":"c","verd`;
    const dir = writeFiles(path.join(root, "eval"), {
      "summary.json": JSON.stringify(summarizeEval(judgments, pairs)),
      "judgments.jsonl": log,
      "config.json": JSON.stringify({
        command: "eval",
        config: { data: { path: "/d.jsonl", format: "trl", pairs: 2, limit: null } },
      }),
    });
    const run = readRunDir(dir);
    expect(run.kind).toBe("eval");
    if (run.kind !== "eval") return;
    expect(run.judgments.map((j) => j.pairId)).toEqual(["a", "b"]);
    expect(run.config?.data?.path).toBe("/d.jsonl");
    expect(run.summary.accuracy.accuracy).toBe(0.5);
    expect(fs.readFileSync(path.join(dir, "judgments.jsonl"), "utf8")).toBe(log);
  });

  it("reads a --listwise eval run (rows judged whole: benchmark scores, no pairwise accuracy)", () => {
    const dir = writeFiles(path.join(root, "listwise"), {
      "summary.json": JSON.stringify({
        counts: { items: 2, judged: 2, missing: 0 },
        benchmarks: { rewardBench2: { score: 0.5 } },
        metrics: { "rewardbench2/score": 0.5 },
      }),
      "item-judgments.jsonl": "",
    });
    const run = readRunDir(dir);
    expect(run.kind === "eval" && [run.listwise, run.judgments.length]).toEqual([true, 0]);
  });

  it("tells train and star runs from their files", () => {
    const train = writeFiles(path.join(root, "train"), {
      "metrics.jsonl": `${JSON.stringify({ step: 1, loss: 0.7 })}\n${JSON.stringify({ step: 2, loss: 0.5 })}\n`,
    });
    const t = readRunDir(train);
    expect(t.kind === "train" && t.metrics.map((m) => m.loss)).toEqual([0.7, 0.5]);
    const star = writeFiles(path.join(root, "star"), {
      "manifest.json": JSON.stringify({
        format: "genrm-star",
        method: "star-sft",
        baseEvals: [],
        iterations: [],
      }),
    });
    expect(detectRunKind(star)).toBe("star");
    // A train summary without metrics (a run stopped before its first step) is still a train run.
    const stopped = writeFiles(path.join(root, "stopped"), {
      "summary.json": JSON.stringify({ method: "sft", stopReason: "aborted", step: 0 }),
    });
    expect(detectRunKind(stopped)).toBe("train");
  });

  it("refuses what is no run with the directory, what it holds and what was expected", () => {
    const missing = inputError(() => detectRunKind(path.join(root, "nope")));
    expect(missing.message).toMatch(/nope: no such run directory \(expected a run directory of genrm eval/);
    const file = path.join(root, "file.txt");
    fs.writeFileSync(file, "x");
    expect(inputError(() => detectRunKind(file)).message).toMatch(/file\.txt: not a directory/);
    const empty = path.join(root, "empty");
    fs.mkdirSync(empty);
    expect(inputError(() => detectRunKind(empty)).message).toMatch(
      /empty: not a genrm run directory .*got an empty directory/,
    );
    const other = writeFiles(path.join(root, "other"), { "b.txt": "", "a.csv": "" });
    const e = inputError(() => detectRunKind(other));
    expect(e.location.file).toBe(other);
    expect(e.message).toMatch(/got a\.csv, b\.txt\)$/);
    const unfinished = writeFiles(path.join(root, "unfinished"), { "judgments.jsonl": "" });
    const u = inputError(() => detectRunKind(unfinished));
    expect(u.message).toMatch(/eval run without summary\.json/);
    expect(u.hint).toMatch(/rerun the same genrm eval command/);
    const demo = writeFiles(path.join(root, "demo"), { "demo.json": "{}", "results.json": "{}" });
    expect(inputError(() => detectRunKind(demo)).hint).toContain(path.join(demo, "report.html"));
    const torn = writeFiles(path.join(root, "torn"), { "summary.json": '{"counts": ' });
    expect(inputError(() => detectRunKind(torn)).message).toMatch(/summary\.json: not valid JSON/);
  });
});

describe("runNames", () => {
  it("names each run by the shortest path tail that no other run shares", () => {
    expect(runNames(["/x/a/run", "/y/b/run", "/z/c"])).toEqual(["a/run", "b/run", "c"]);
    expect(runNames(["/r/eval-1", "/r/eval-2"])).toEqual(["eval-1", "eval-2"]);
  });
});
