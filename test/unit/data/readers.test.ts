import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import {
  InvalidRecordError,
  listDataFiles,
  type RawRecord,
  readerForFile,
  readRecords,
} from "../../../src/data/index.js";
import { InputError, UnsupportedError } from "../../../src/errors.js";
import { withTempDir } from "./paths.js";

async function collect(iter: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of iter) out.push(r);
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<InvalidRecordError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidRecordError);
  return error as InvalidRecordError;
}

describe("readerForFile", () => {
  it("chooses by extension, case-insensitively, and knows gzip JSONL", () => {
    expect(readerForFile("a/b.JSONL")).toBe("jsonl");
    expect(readerForFile("test.jsonl.gz")).toBe("jsonl");
    expect(readerForFile("x.json")).toBe("json");
    expect(readerForFile("x.parquet")).toBe("parquet");
    expect(readerForFile("x.csv")).toBe("csv");
    expect(readerForFile("SOURCE.md")).toBeUndefined();
  });

  it("refuses an unknown extension unless a reader is named", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "pairs.txt");
      await writeFile(file, '{"a":1}\n');
      expect(() => readRecords(file)).toThrow(UnsupportedError);
      const records = await collect(readRecords(file, { reader: "jsonl" }));
      expect(records.map((r) => r.record)).toEqual([{ a: 1 }]);
    });
  });
});

describe("readJsonl", () => {
  it("streams plain and gzip files with 1-based line numbers that count blank lines", async () => {
    await withTempDir(async (dir) => {
      const text = '{"n":1}\n\n{"n":2}\r\n   \n{"n":3}';
      await writeFile(path.join(dir, "p.jsonl"), text);
      await writeFile(path.join(dir, "p.jsonl.gz"), gzipSync(text));
      for (const name of ["p.jsonl", "p.jsonl.gz"]) {
        const records = await collect(readRecords(path.join(dir, name)));
        expect(records.map((r) => [r.record, r.line, r.unit])).toEqual([
          [{ n: 1 }, 1, "line"],
          [{ n: 2 }, 3, "line"],
          [{ n: 3 }, 5, "line"],
        ]);
        expect(records[0]!.file).toBe(path.join(dir, name));
      }
    });
  });

  it("names file and line of a malformed line, or hands it to onInvalid and goes on", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "bad.jsonl");
      await writeFile(file, '{"n":1}\n{"n":2,\n{"n":3}\n');
      const error = await errorOf(collect(readRecords(file)));
      expect(error.reason).toBe("malformed-record");
      expect(error.location).toMatchObject({ file, line: 2, unit: "line" });
      expect(error.message).toContain(`${file}, line 2`);
      expect(error.message).toContain('{\\"n\\":2,');

      const skipped: InvalidRecordError[] = [];
      const records = await collect(readRecords(file, { onInvalid: (e) => skipped.push(e) }));
      expect(records.map((r) => r.line)).toEqual([1, 3]);
      expect(skipped.map((e) => e.location.line)).toEqual([2]);
    });
  });
});

describe("readJsonl: encodings, gzip damage and the record limit", () => {
  it("drops a byte-order mark and reads CRLF line ends", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "bom.jsonl");
      await writeFile(file, '\uFEFF{"n":1}\r\n{"n":2}\r\n');
      const records = await collect(readRecords(file));
      expect(records.map((r) => [r.record, r.line])).toEqual([
        [{ n: 1 }, 1],
        [{ n: 2 }, 2],
      ]);
    });
  });

  it("reports a line that is not UTF-8 at its line and byte, or hands it to onInvalid", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "latin1.jsonl");
      await writeFile(
        file,
        Buffer.concat([Buffer.from('{"n":1}\n'), Buffer.from('{"s":"caf\xe9"}\n', "latin1")]),
      );
      const error = await errorOf(collect(readRecords(file)));
      expect(error.reason).toBe("invalid-encoding");
      expect(error.location).toMatchObject({ file, line: 2, unit: "line", expected: "UTF-8 text" });
      expect(error.message).toContain("at byte 10 of the line");
      const skipped: InvalidRecordError[] = [];
      const records = await collect(readRecords(file, { onInvalid: (e) => skipped.push(e) }));
      expect(records.map((r) => r.line)).toEqual([1]);
      expect(skipped.map((e) => e.location.line)).toEqual([2]);
    });
  });

  it("fails a truncated gzip file at the line where the data breaks off, even with onInvalid", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "cut.jsonl.gz");
      const text = Array.from({ length: 200 }, (_, n) => JSON.stringify({ n, pad: "x".repeat(n % 50) })).join(
        "\n",
      );
      const gz = gzipSync(text);
      await writeFile(file, gz.subarray(0, gz.length - 40));
      const seen: number[] = [];
      const error = await collect(
        (async function* () {
          for await (const r of readRecords(file, { onInvalid: () => undefined })) {
            seen.push(r.line);
            yield r;
          }
        })(),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location).toMatchObject({ file, line: seen.length + 1, unit: "line" });
      expect((error as InputError).message).toContain("truncated");
      expect(seen.length).toBeGreaterThan(100);
    });
  });

  it("refuses a record over maxRecordBytes, or hands it to onInvalid and reads on", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "big.jsonl");
      await writeFile(file, `{"n":1}\n{"s":"${"y".repeat(5000)}"}\n{"n":3}\n`);
      const error = await errorOf(collect(readRecords(file, { maxRecordBytes: 1000 })));
      expect(error.reason).toBe("record-too-large");
      expect(error.location).toMatchObject({ file, line: 2 });
      expect(error.hint).toContain("GENRM_MAX_RECORD_BYTES");
      const skipped: number[] = [];
      const records = await collect(
        readRecords(file, { maxRecordBytes: 1000, onInvalid: (e) => skipped.push(e.location.line!) }),
      );
      expect(records.map((r) => r.line)).toEqual([1, 3]);
      expect(skipped).toEqual([2]);
      expect(await collect(readRecords(file, { maxRecordBytes: 10_000 }))).toHaveLength(3);
    });
  });
});

describe("readJson", () => {
  it("reads a top-level array or the single array field of an object, as 0-based rows", async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, "a.json"), JSON.stringify([{ x: 1 }, { x: 2 }]));
      await writeFile(path.join(dir, "o.json"), JSON.stringify({ version: 2, data: [{ x: 1 }, { x: 2 }] }));
      for (const name of ["a.json", "o.json"]) {
        const records = await collect(readRecords(path.join(dir, name)));
        expect(records.map((r) => [r.record, r.line, r.unit])).toEqual([
          [{ x: 1 }, 0, "row"],
          [{ x: 2 }, 1, "row"],
        ]);
      }
    });
  });

  it("reads an object of arrays of records with each key as the subset", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "bias.json");
      await writeFile(
        file,
        JSON.stringify({ "length bias": [{ x: 1 }, { x: 2 }], concreteness: [{ x: 3 }] }),
      );
      const records = await collect(readRecords(file));
      expect(records.map((r) => [r.record, r.line, r.subset])).toEqual([
        [{ x: 1 }, 0, "length bias"],
        [{ x: 2 }, 1, "length bias"],
        [{ x: 3 }, 0, "concreteness"],
      ]);
    });
  });

  it("rejects an object of several arrays that are not all records, and reports the line of a syntax error", async () => {
    await withTempDir(async (dir) => {
      const two = path.join(dir, "two.json");
      await writeFile(two, JSON.stringify({ train: [{ x: 1 }], tags: ["a", "b"] }));
      const e1 = await errorOf(collect(readRecords(two)));
      expect(e1.message).toContain("train, tags");

      const broken = path.join(dir, "broken.json");
      await writeFile(broken, '[\n  {"x": 1},\n  {"x": 2,}\n]');
      const e2 = await errorOf(collect(readRecords(broken)));
      expect(e2.location).toMatchObject({ file: broken, line: 3 });
    });
  });
});

describe("readCsv", () => {
  it("keys records by header and numbers each by the line it starts on, with LF or CRLF", async () => {
    await withTempDir(async (dir) => {
      for (const eol of ["\n", "\r\n"]) {
        const file = path.join(dir, `t${eol.length}.csv`);
        const lines = ["\uFEFFid,text", '1,"two', 'lines"', "", "2,plain", '3,"a, b"'];
        await writeFile(file, lines.join(eol));
        const records = await collect(readRecords(file));
        expect(records.map((r) => [r.record, r.line])).toEqual([
          [{ id: "1", text: `two${eol}lines` }, 2],
          [{ id: "2", text: "plain" }, 5],
          [{ id: "3", text: "a, b" }, 6],
        ]);
      }
    });
  });

  it("reports a record with the wrong column count at its line, in order with the others", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "bad.csv");
      await writeFile(file, "a,b\n1,2\n3,4,5\n6,7\n");
      const error = await errorOf(collect(readRecords(file)));
      expect(error.location).toMatchObject({ file, line: 3 });

      const order: string[] = [];
      for await (const r of readRecords(file, { onInvalid: (e) => order.push(`skip@${e.location.line}`) })) {
        order.push(`rec@${r.line}`);
      }
      expect(order).toEqual(["rec@2", "skip@3", "rec@4"]);
    });
  });
});

describe("readParquet", () => {
  it("reads every row group in order, with 0-based rows, BigInt as numbers and nested message lists", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "t.parquet");
      const n = 5;
      const buffer = parquetWriteBuffer({
        columnData: [
          { name: "prompt", data: Array.from({ length: n }, (_, i) => `q${i}`) },
          { name: "id", data: Array.from({ length: n }, (_, i) => BigInt(1000 + i)) },
          {
            name: "chosen",
            data: Array.from({ length: n }, (_, i) => [
              { role: "user", content: `q${i}` },
              { role: "assistant", content: `a${i}` },
            ]),
          },
        ],
        schema: [
          { name: "root", num_children: 3 },
          { name: "prompt", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
          { name: "id", type: "INT64", repetition_type: "OPTIONAL" },
          { name: "chosen", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
          { name: "list", repetition_type: "REPEATED", num_children: 1 },
          { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
          { name: "role", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
          { name: "content", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
        ],
        rowGroupSize: 2,
      });
      await writeFile(file, new Uint8Array(buffer));
      const records = await collect(readRecords(file));
      expect(records.map((r) => r.line)).toEqual([0, 1, 2, 3, 4]);
      expect(records.every((r) => r.unit === "row")).toBe(true);
      expect(records[3]!.record).toEqual({
        prompt: "q3",
        id: 1003,
        chosen: [
          { role: "user", content: "q3" },
          { role: "assistant", content: "a3" },
        ],
      });
    });
  });

  it("names the file when it is not Parquet", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "fake.parquet");
      await writeFile(file, "not parquet at all, just text that is long enough");
      const error = await errorOf(collect(readRecords(file)));
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toContain(file);
    });
  });
});

describe("strict UTF-8 in JSON, CSV and Parquet", () => {
  it("fails a JSON file with invalid UTF-8 at its line, and a JSON row over the limit at its row", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "latin1.json");
      await writeFile(
        file,
        Buffer.concat([Buffer.from('[\n  {"x": 1},\n  {"x": "'), Buffer.from('\xe9"}\n]', "latin1")]),
      );
      const error = await errorOf(collect(readRecords(file)));
      expect(error.reason).toBe("invalid-encoding");
      expect(error.location).toMatchObject({ file, line: 3, unit: "line" });

      const big = path.join(dir, "big.json");
      await writeFile(big, JSON.stringify([{ x: 1 }, { x: "y".repeat(5000) }, { x: 3 }]));
      const tooLarge = await errorOf(collect(readRecords(big, { maxRecordBytes: 1000 })));
      expect(tooLarge.location).toMatchObject({ file: big, line: 1, unit: "row" });
      const rows = await collect(readRecords(big, { maxRecordBytes: 1000, onInvalid: () => undefined }));
      expect(rows.map((r) => r.line)).toEqual([0, 2]);
    });
  });

  it("fails a CSV file at the line of its first invalid UTF-8 byte, wherever the read chunks split", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "latin1.csv");
      const head = `a,b\n${"1,\u00e9t\u00e9\n".repeat(9_000)}`;
      await writeFile(file, Buffer.concat([Buffer.from(head), Buffer.from("2,caf\xe9\n", "latin1")]));
      const error = await errorOf(collect(readRecords(file)));
      expect(error.reason).toBe("invalid-encoding");
      expect(error.location).toMatchObject({ file, line: 9_002 });
      expect(error.message).toContain("at byte 6 of the line");
    });
  });

  it("rejects the Parquet row whose string is not UTF-8, naming the field", async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, "latin1.parquet");
      const buffer = parquetWriteBuffer({
        columnData: [
          { name: "prompt", data: [new Uint8Array([0x71]), new Uint8Array([0x63, 0x61, 0x66, 0xe9])] },
        ],
        schema: [
          { name: "root", num_children: 1 },
          { name: "prompt", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
        ],
      });
      await writeFile(file, new Uint8Array(buffer));
      const skipped: InvalidRecordError[] = [];
      const rows = await collect(readRecords(file, { onInvalid: (e) => skipped.push(e) }));
      expect(rows.map((r) => r.record)).toEqual([{ prompt: "q" }]);
      expect(skipped[0]!.location).toMatchObject({ file, line: 1, unit: "row", field: "prompt" });
      expect(skipped[0]!.reason).toBe("invalid-encoding");
    });
  });
});

describe("listDataFiles", () => {
  it("lists data files recursively in sorted order, skipping hidden entries and non-data files", async () => {
    await withTempDir(async (dir) => {
      await mkdir(path.join(dir, "b", "c"), { recursive: true });
      await mkdir(path.join(dir, ".cache"));
      for (const f of ["b/c/z.json", "b/a.csv", "a.jsonl", "SOURCE.md", ".cache/x.jsonl", "b/.hidden.json"]) {
        await writeFile(path.join(dir, f), "[]");
      }
      const files = await listDataFiles(dir);
      expect(files.map((f) => path.relative(dir, f))).toEqual(["a.jsonl", "b/a.csv", "b/c/z.json"]);
    });
  });
});
