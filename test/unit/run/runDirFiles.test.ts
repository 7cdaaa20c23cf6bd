/**
 * The files of a run directory under a disk that fails mid-write (fs.writeSync writing part of a
 * buffer, then ENOSPC) and when found torn: config.json is replaced whole or not at all, a torn
 * one is an error naming it with a hint (never a SyntaxError), judgments.jsonl and metrics.jsonl
 * never keep a torn line before a complete one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { writePairsJsonl } from "../../../src/data/index.js";
import { InputError, StorageError } from "../../../src/errors.js";
import type { Judgment } from "../../../src/judge/types.js";
import { JudgmentLog } from "../../../src/run/JudgmentLog.js";
import { readJsonFile, writeJsonFile } from "../../../src/run/jsonFile.js";
import { appendMetrics, keepMetricsUpTo, readMetrics } from "../../../src/run/metricsLog.js";
import { prepareRunDir } from "../../../src/run/runDir.js";
import { runCli } from "../../helpers/cli.js";
import { lengthPairs } from "../../helpers/lengthPairs.js";

let root: string;
/** `n` labelled pairs as JSONL in `dir`, for `genrm eval --baseline length`. */
async function pairsFile(dir: string, n: number): Promise<string> {
  const file = path.join(dir, `pairs-${n}.jsonl`);
  await writePairsJsonl(lengthPairs(n), file);
  return file;
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-runfiles-"));
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

/** From now on each write puts down at most `bytes` bytes; after `failAfter` writes, ENOSPC. */
function shortWrites(bytes: number, failAfter = Number.POSITIVE_INFINITY) {
  const real = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
  let calls = 0;
  return vi.spyOn(fs, "writeSync").mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
    if (++calls > failAfter) throw enospc();
    const buf = typeof data === "string" ? Buffer.from(data) : Buffer.from(data as Uint8Array);
    const offset = typeof rest[0] === "number" ? rest[0] : 0;
    const length = typeof rest[1] === "number" ? rest[1] : buf.length - offset;
    return real(fd, buf, offset, Math.min(bytes, length));
  }) as typeof fs.writeSync);
}

const judgment = (pairId: string) => ({ pairId, verdict: "A", pA: 0.75, samples: [] }) as unknown as Judgment;

describe("config.json", () => {
  it("a write that fails part way leaves no config.json, so the rerun starts clean", () => {
    const dir = path.join(root, "enospc");
    shortWrites(16, 3);
    expect(() => prepareRunDir(dir, "eval", { k: 8, data: "x".repeat(200) }, "0")).toThrow(StorageError);
    vi.restoreAllMocks();
    expect(fs.readdirSync(dir)).toEqual([]);
    const record = prepareRunDir(dir, "eval", { k: 8, data: "x".repeat(200) }, "0");
    expect(readJsonFile(path.join(dir, "config.json"), { hint: "" })).toEqual(record);
  });

  it("a torn config.json is an error naming the file, with the --fresh hint", () => {
    const dir = path.join(root, "torn");
    prepareRunDir(dir, "eval", { k: 8 }, "0");
    const file = path.join(dir, "config.json");
    fs.truncateSync(file, 20);
    let err: unknown;
    try {
      prepareRunDir(dir, "eval", { k: 8 }, "0");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain(file);
    expect((err as InputError).message).toMatch(/not valid JSON/);
    expect((err as InputError).hint).toMatch(/--fresh/);
  });

  it("genrm eval on a torn config.json says which file and how to go on; --fresh does", async () => {
    const dir = path.join(root, "torn-cli");
    const args = [
      "eval",
      ...["--data", await pairsFile(root, 4)],
      ...["--baseline", "length", "--out", dir, "--progress", "silent", "--json"],
    ];
    expect((await runCli(args)).code).toBe(0);
    fs.truncateSync(path.join(dir, "config.json"), 33);
    const torn = await runCli(args);
    expect(torn.code).toBe(1);
    expect(torn.stderr).toContain(`genrm: ${path.join(dir, "config.json")}: not valid JSON`);
    expect(torn.stderr).toMatch(/^hint: rerun with --fresh/m);
    expect(torn.stderr).not.toMatch(/SyntaxError|unexpected error/);
    const fresh = await runCli([...args, "--fresh"]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout).counts.judgments).toBe(4);
  });

  it("writeJsonFile leaves no temp file behind, and an empty file reads as never completely written", () => {
    const file = path.join(root, "summary.json");
    writeJsonFile(file, { a: 1 });
    writeJsonFile(file, { a: 2 });
    expect(fs.readdirSync(root).filter((f) => f.startsWith("summary.json"))).toEqual(["summary.json"]);
    fs.writeFileSync(file, "");
    expect(() => readJsonFile(file, { hint: "h" })).toThrow(/summary\.json: empty file/);
  });
});

describe("judgments.jsonl", () => {
  it("writes every judgment whole when the disk takes a few bytes per write", () => {
    const file = path.join(root, "short.jsonl");
    const log = JudgmentLog.open(file);
    shortWrites(7);
    log.append(judgment("p1"));
    log.append(judgment("p2"));
    vi.restoreAllMocks();
    log.close();
    expect([...JudgmentLog.open(file).existing.keys()]).toEqual(["p1", "p2"]);
  });

  it("cuts a failed append back off, so later judgments follow complete lines", () => {
    const file = path.join(root, "enospc.jsonl");
    const log = JudgmentLog.open(file);
    log.append(judgment("p1"));
    shortWrites(10, 2);
    expect(() => log.append(judgment("p2"))).toThrow(StorageError);
    vi.restoreAllMocks();
    log.append(judgment("p3"));
    log.close();
    const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as Judgment).pairId)).toEqual(["p1", "p3"]);
  });
});

describe("metrics.jsonl", () => {
  it("keepMetricsUpTo drops a torn line and the steps after the checkpoint", () => {
    const file = path.join(root, "metrics.jsonl");
    for (const step of [1, 2, 3]) appendMetrics(file, { step, loss: step / 10 });
    fs.appendFileSync(file, '{"step": 4, "lo');
    expect(readMetrics(file).map((e) => e.step)).toEqual([1, 2, 3]);
    keepMetricsUpTo(file, 2);
    expect(fs.readFileSync(file, "utf8")).toBe('{"step":1,"loss":0.1}\n{"step":2,"loss":0.2}\n');
  });

  it("appendMetrics cuts a failed append back off", () => {
    const file = path.join(root, "metrics-enospc.jsonl");
    appendMetrics(file, { step: 1, loss: 1 });
    shortWrites(5, 2);
    expect(() => appendMetrics(file, { step: 2, loss: 0.5 })).toThrow(StorageError);
    vi.restoreAllMocks();
    appendMetrics(file, { step: 2, loss: 0.5 });
    expect(readMetrics(file).map((e) => e.step)).toEqual([1, 2]);
    expect(fs.readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
  });
});
