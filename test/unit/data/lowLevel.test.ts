/** The byte-level pieces under the readers: line splitting, strict UTF-8, the record limit. */
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type RawLine, splitLines } from "../../../src/data/readers/splitLines.js";
import { firstInvalidUtf8, utf8Guard } from "../../../src/data/readers/utf8.js";
import {
  DEFAULT_MAX_RECORD_BYTES,
  exceedsRecordSize,
  resolveMaxRecordBytes,
} from "../../../src/data/recordLimit.js";
import { ConfigError, InputError } from "../../../src/errors.js";

async function* chunks(...parts: Array<string | number[]>): AsyncGenerator<Buffer> {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part) : Buffer.from(part);
}

async function lines(source: AsyncIterable<Buffer>, max = 1000): Promise<Array<[number, string | null]>> {
  const out: Array<[number, string | null]> = [];
  for await (const l of splitLines(source, max)) out.push([l.line, l.bytes?.toString("utf8") ?? null]);
  return out;
}

describe("splitLines", () => {
  it("joins lines across chunks, keeps a CR for the reader to drop, and counts blank lines", async () => {
    expect(await lines(chunks("ab", "c\r", "\n\nd", [0xc3], [0xa9, 0x0a], "last"))).toEqual([
      [1, "abc\r"],
      [2, ""],
      [3, "dé"],
      [4, "last"],
    ]);
  });

  it("reports a line over the limit once, before the rest of it is read, then reads on", async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from("ok\n");
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.alloc(100, 0x78);
      }
      yield Buffer.from("\nafter\n");
    }
    const seen: RawLine[] = [];
    const iterator = splitLines(endless(), 250);
    for await (const l of iterator) {
      seen.push(l);
      if (l.bytes === undefined) {
        expect(pulled).toBe(3);
        break;
      }
    }
    expect(seen.map((l) => [l.line, l.bytes === undefined])).toEqual([
      [1, false],
      [2, true],
    ]);
    pulled = 0;
    expect((await lines(endless(), 250)).map(([n, text]) => [n, text])).toEqual([
      [1, "ok"],
      [2, null],
      [3, "after"],
    ]);
  });
});

describe("firstInvalidUtf8", () => {
  const fatal = new TextDecoder("utf-8", { fatal: true });
  const valid = (bytes: number[]) => {
    try {
      fatal.decode(new Uint8Array(bytes));
      return true;
    } catch {
      return false;
    }
  };

  it("agrees with a fatal TextDecoder on edge cases and random bytes", () => {
    const cases = [
      [0x41],
      [0xc3, 0xa9],
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xe0, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xed, 0xa0, 0x80],
      [0xef, 0xbf, 0xbf],
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xe2, 0x82],
      [0x80],
      [0xff],
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 2000; n++) {
      cases.push(
        Array.from(
          { length: 1 + (random() % 6) },
          () =>
            [0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0xff][random() % 13]!,
        ),
      );
    }
    for (const bytes of cases) {
      expect(firstInvalidUtf8(new Uint8Array(bytes)) < 0, bytes.map((b) => b.toString(16)).join(" ")).toBe(
        valid(bytes),
      );
    }
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0x62, 0xe9, 0x63]))).toBe(2);
  });
});

describe("utf8Guard", () => {
  async function through(parts: Buffer[]): Promise<Buffer | InputError> {
    const out: Buffer[] = [];
    try {
      for await (const chunk of Readable.from(parts).pipe(utf8Guard("f.csv"))) out.push(chunk as Buffer);
      return Buffer.concat(out);
    } catch (error) {
      return error as InputError;
    }
  }

  it("passes text whose characters are split between chunks unchanged", async () => {
    const text = Buffer.from("é€😀\nzé");
    const parts = [text.subarray(0, 1), text.subarray(1, 4), text.subarray(4, 8), text.subarray(8)];
    expect(((await through(parts)) as Buffer).toString()).toBe("é€😀\nzé");
  });

  it("names the line and byte of the first invalid sequence, across chunks and at the end", async () => {
    const error = (await through([Buffer.from("ab\ncd"), Buffer.from([0x65, 0xff, 0x0a])])) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.location).toMatchObject({ file: "f.csv", line: 2 });
    expect(error.message).toContain("at byte 4 of the line");
    const cut = (await through([Buffer.from("ok\nx"), Buffer.from([0xe2, 0x82])])) as InputError;
    expect(cut.location).toMatchObject({ line: 2 });
    expect(cut.message).toContain("at byte 2 of the line");
  });
});

describe("record limit", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("takes the caller's limit, else GENRM_MAX_RECORD_BYTES, else the default, and refuses nonsense", () => {
    expect(resolveMaxRecordBytes()).toBe(DEFAULT_MAX_RECORD_BYTES);
    vi.stubEnv("GENRM_MAX_RECORD_BYTES", "1048576");
    expect(resolveMaxRecordBytes()).toBe(1_048_576);
    expect(resolveMaxRecordBytes(5)).toBe(5);
    vi.stubEnv("GENRM_MAX_RECORD_BYTES", "lots");
    expect(() => resolveMaxRecordBytes()).toThrow(ConfigError);
    expect(() => resolveMaxRecordBytes(0)).toThrow(ConfigError);
  });

  it("sizes parsed records without recursing, stopping as soon as the limit is passed", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(exceedsRecordSize(deep, 10_000_000)).toBe(false);
    expect(exceedsRecordSize({ a: "x".repeat(100) }, 50)).toBe(true);
    expect(exceedsRecordSize({ a: "x".repeat(10) }, 50)).toBe(false);
  });
});
