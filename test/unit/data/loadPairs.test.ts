import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  type InvalidRecordError,
  loadPairs,
  type PreferencePair,
  readPairs,
  writePairsJsonl,
} from "../../../src/data/index.js";
import {
  AbortedError,
  ConfigError,
  InputError,
  NotFoundError,
  UnsupportedError,
} from "../../../src/errors.js";
import { dataRoot, withTempDir } from "./paths.js";

const row = (i: number, extra: Record<string, unknown> = {}) => ({
  prompt: `question ${i}`,
  chosen: `good answer ${i}`,
  rejected: `bad answer ${i}`,
  ...extra,
});

async function jsonl(dir: string, name: string, lines: Array<unknown | string>): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: Error) => e,
  );
}

describe("loadPairs validation", () => {
  it("names file, line, field, expectation and value for each kind of bad record", async () => {
    await withTempDir(async (dir) => {
      const cases: Array<[unknown, string, RegExp]> = [
        ['{"prompt": "q", "chosen": ', "malformed-record", /bad\.jsonl, line 2: malformed JSON line/],
        [
          { prompt: "q", chosen: "c" },
          "missing-field",
          /line 2, field "rejected": missing field \(expected a/,
        ],
        [row(1, { rejected: "" }), "empty-response", /line 2, field "rejected": response is empty/],
        [row(1, { chosen: 42 }), "wrong-type", /field "chosen".*got number 42/],
      ];
      for (const [bad, reason, message] of cases) {
        const file = await jsonl(dir, "bad.jsonl", [row(0), bad, row(2)]);
        const error = await rejection(loadPairs(file, { format: "trl" }));
        expect(error).toBeInstanceOf(InputError);
        expect((error as InvalidRecordError).reason).toBe(reason);
        expect(error.message).toMatch(message);
        expect((error as InputError).location).toMatchObject({ file, line: 2, unit: "line" });
      }
    });
  });

  it("reports an unknown label value with the values it accepts", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "prefs.json");
      await writeFile(
        file,
        JSON.stringify([
          { input: "q", output_1: "a", output_2: "b", label: 1 },
          { input: "q", output_1: "a", output_2: "b", label: 3 },
        ]),
      );
      const error = (await rejection(loadPairs(file))) as InvalidRecordError;
      expect(error.reason).toBe("invalid-label");
      expect(error.message).toBe(
        `${file}, row 1, field "label": unknown label value (expected 1 (output_1 better) or 2 (output_2 better), got number 3)`,
      );
      expect(error.hint).toContain("skipInvalid");
    });
  });

  it("with skipInvalid, skips and counts by reason, keeping a few examples", async () => {
    await withTempDir(async (dir) => {
      const file = await jsonl(dir, "mixed.jsonl", [
        row(0),
        "not json",
        row(2, { chosen: "  " }),
        row(3, { rejected: "" }),
        { prompt: "q" },
        row(5),
      ]);
      const seen: number[] = [];
      const result = await loadPairs(file, {
        format: "trl",
        skipInvalid: true,
        onSkip: (e) => seen.push(e.location.line!),
      });
      expect(result.pairs.map((p) => p.prompt[0]!.content)).toEqual(["question 0", "question 5"]);
      expect(result.skipped.count).toBe(4);
      expect(result.skipped.byReason).toEqual({
        "malformed-record": 1,
        "empty-response": 2,
        "missing-field": 1,
      });
      expect(result.skipped.examples).toHaveLength(4);
      expect(result.skipped.examples[1]).toContain("mixed.jsonl, line 3");
      expect(seen).toEqual([2, 3, 4, 5]);
    });
  });
});

describe("format detection past malformed records", () => {
  it("detects the format from the first readable record; the bad ones before it are thrown or counted", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "bad-start.jsonl");
      await writeFile(
        file,
        Buffer.concat([
          Buffer.from('{"prompt": "q", \n'),
          Buffer.from('{"prompt": "caf\xe9"}\n', "latin1"),
          Buffer.from(`${JSON.stringify(row(2, { subset: "s", id: 2 }))}\n`),
        ]),
      );
      const strict = (await rejection(loadPairs(file))) as InvalidRecordError;
      expect(strict.reason).toBe("malformed-record");
      expect(strict.location).toMatchObject({ file, line: 1 });
      const result = await loadPairs(file, { skipInvalid: true });
      expect(result.format).toBe("rewardbench");
      expect(result.pairs.map((p) => p.id)).toEqual(["rewardbench:2"]);
      expect(result.skipped.byReason).toEqual({ "malformed-record": 1, "invalid-encoding": 1 });
    });
  });
});

describe("loadPairs options", () => {
  it("detects the format, honours limit, and explains a format it cannot detect", async () => {
    await withTempDir(async (dir) => {
      const file = await jsonl(
        dir,
        "rb.jsonl",
        [0, 1, 2, 3].map((i) => row(i, { subset: "s", id: i })),
      );
      const result = await loadPairs(file, { limit: 2 });
      expect(result.format).toBe("rewardbench");
      expect(result.pairs.map((p) => p.id)).toEqual(["rewardbench:0", "rewardbench:1"]);

      const odd = await jsonl(dir, "odd.jsonl", [{ question: "q", answers: ["a", "b"] }]);
      const error = await rejection(loadPairs(odd));
      expect(error).toBeInstanceOf(UnsupportedError);
      expect(error.message).toContain("question, answers");
      expect((error as UnsupportedError).hint).toContain("--map");
    });
  });

  it("applies a field map, and refuses a map together with another format", async () => {
    await withTempDir(async (dir) => {
      const file = await jsonl(dir, "custom.jsonl", [
        { idx: 1, input: "q1", responses: ["x", "y"], preference: 2, cat: "math" },
        { idx: 2, input: "q2", responses: ["z", "w"], preference: 1, cat: "code" },
      ]);
      const map =
        "prompt=input,a=responses.0,b=responses.1,label=preference,labelA=1,labelB=2,id=idx,subset=cat";
      const result = await loadPairs(file, { map });
      expect(result.format).toBe("map");
      expect(result.pairs.map((p) => [p.id, p.subset, p.responseA, p.label])).toEqual([
        ["map:1", "math", "x", "B"],
        ["map:2", "code", "z", "A"],
      ]);
      await expect(loadPairs(file, { map, format: "trl" })).rejects.toBeInstanceOf(ConfigError);
    });
  });

  it("reads an unknown extension with a named reader and reports progress in records", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "prefs.txt");
      await writeFile(file, Array.from({ length: 1500 }, (_, i) => JSON.stringify(row(i))).join("\n"));
      await expect(loadPairs(file)).rejects.toBeInstanceOf(UnsupportedError);
      const progress: number[] = [];
      const result = await loadPairs(file, { reader: "jsonl", onProgress: (p) => progress.push(p.done) });
      expect(result.format).toBe("trl");
      expect(result.pairs).toHaveLength(1500);
      expect(progress).toEqual([1000, 1500]);
    });
  });

  it("stops with AbortedError when the signal fires", async () => {
    await withTempDir(async (dir) => {
      const file = await jsonl(
        dir,
        "many.jsonl",
        Array.from({ length: 50 }, (_, i) => row(i)),
      );
      const controller = new AbortController();
      const got: PreferencePair[] = [];
      const error = await rejection(
        (async () => {
          for await (const pair of readPairs(file, { format: "trl", signal: controller.signal })) {
            got.push(pair);
            if (got.length === 3) controller.abort(new Error("enough"));
          }
        })(),
      );
      expect(error).toBeInstanceOf(AbortedError);
      expect(got).toHaveLength(3);
    });
  });

  it("names a missing path, an unknown format and a negative limit", async () => {
    await expect(loadPairs(path.join(dataRoot, "no-such-set"))).rejects.toBeInstanceOf(NotFoundError);
    await expect(loadPairs(path.join(dataRoot, "hhh-alignment"), { format: "nope" })).rejects.toThrow(
      /unknown format/,
    );
    await expect(loadPairs(path.join(dataRoot, "hhh-alignment"), { limit: -1 })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it("suffixes repeated ids in reading order, and the suffixes are stable", async () => {
    await withTempDir(async (dir) => {
      const same = row(7);
      const file = await jsonl(dir, "dups.jsonl", [same, row(1), same, same]);
      const first = await loadPairs(file, { format: "trl" });
      const ids = first.pairs.map((p) => p.id);
      expect(ids[2]).toBe(`${ids[0]}~2`);
      expect(ids[3]).toBe(`${ids[0]}~3`);
      expect(new Set(ids).size).toBe(4);
      expect(first.renamedIds).toBe(2);
      expect((await loadPairs(file, { format: "trl" })).pairs.map((p) => p.id)).toEqual(ids);
    });
  });
});

describe("genrm JSONL", () => {
  it("saves any adapter's output and reloads it unchanged, plain and gzip", async () => {
    const sources = [
      (await loadPairs(path.join(dataRoot, "xstest"), { limit: 40 })).pairs,
      (await loadPairs(path.join(dataRoot, "pandalm"), { skipInvalid: true, limit: 40 })).pairs,
      (await loadPairs(path.join(dataRoot, "hhh-alignment"))).pairs,
    ];
    await withTempDir(async (dir) => {
      for (const [i, pairs] of sources.entries()) {
        for (const name of [`p${i}.jsonl`, `p${i}.jsonl.gz`]) {
          const file = path.join(dir, name);
          expect((await writePairsJsonl(pairs, file)).count).toBe(pairs.length);
          const back = await loadPairs(file);
          expect(back.format).toBe("genrm");
          expect(back.pairs).toStrictEqual(pairs);
        }
      }
      const text = gunzipSync(await readFile(path.join(dir, "p0.jsonl.gz"))).toString("utf8");
      expect(Object.keys(JSON.parse(text.split("\n")[0]!))).toEqual([
        "id",
        "source",
        "subset",
        "prompt",
        "responseA",
        "responseB",
        "label",
        "meta",
      ]);
    });
  });

  it("rejects a genrm line that breaks the schema, naming the pair field", async () => {
    await withTempDir(async (dir) => {
      const file = await jsonl(dir, "g.jsonl", [
        { id: "a", prompt: [{ role: "user", content: "q" }], responseA: "x", responseB: "y", label: "A" },
        { id: "b", prompt: [{ role: "user", content: "q" }], responseA: "x", responseB: "y", label: "left" },
      ]);
      await expect(loadPairs(file)).rejects.toThrow(
        /g\.jsonl, line 2, field "label".*expected "A" \| "B" \| "tie"/,
      );
    });
  });

  it("leaves no file behind when writing fails", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "out.jsonl");
      async function* failing() {
        yield (await loadPairs(path.join(dataRoot, "hhh-alignment"), { limit: 1 })).pairs[0]!;
        throw new Error("upstream failed");
      }
      await expect(writePairsJsonl(failing(), file)).rejects.toThrow("upstream failed");
      const { readdir } = await import("node:fs/promises");
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
