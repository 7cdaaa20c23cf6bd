/**
 * Every malformed input in test/fixtures/bad-inputs (plus the ones too big or too binary to commit,
 * generated here into a temp dir) goes through `loadPairs`, the loader `genrm eval --data` uses,
 * with and without `skipInvalid`. Each must end in an InputError that names the file, and the
 * line or row and field where there is one, or in a counted skip; never in another error type,
 * and never in a stack trace when the CLI prints it.
 */
import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { reportError } from "../../../src/cli/main.js";
import { type InvalidRecordError, loadPairs, type SkipReason } from "../../../src/data/index.js";
import { InputError } from "../../../src/errors.js";
import { repoRoot } from "./paths.js";

const corpus = path.join(repoRoot, "test", "fixtures", "bad-inputs");

interface Where {
  reason?: SkipReason;
  /** The file the error names, relative to the entry when the entry is a folder. */
  file?: string;
  line?: number;
  unit?: "line" | "row";
  field?: string;
  message?: RegExp;
}

type Outcome =
  /** Loads this many pairs, with or without skipInvalid. */
  | { ok: number }
  /**
   * Fails with `error` without skipInvalid. With it, skips and counts (`skipped`), or, when there is
   * no `skipped`, fails the same way: a file-level fault that skipping records cannot mend.
   */
  | { error: Where; skipped?: { pairs: number; byReason: Partial<Record<SkipReason, number>> } };

interface Entry {
  options?: { format?: string; map?: string };
  outcome: Outcome;
}

const committed: Record<string, Entry> = {
  "malformed-json.jsonl": {
    outcome: {
      error: { reason: "malformed-record", line: 2, message: /malformed JSON line/ },
      skipped: { pairs: 2, byReason: { "malformed-record": 1 } },
    },
  },
  "invalid-utf8.jsonl": {
    outcome: {
      error: { reason: "invalid-encoding", line: 2, message: /not valid UTF-8.*expected UTF-8 text/ },
      skipped: { pairs: 2, byReason: { "invalid-encoding": 1 } },
    },
  },
  "invalid-utf8.jsonl.gz": {
    outcome: {
      error: { reason: "invalid-encoding", line: 2, message: /not valid UTF-8/ },
      skipped: { pairs: 2, byReason: { "invalid-encoding": 1 } },
    },
  },
  "bom-crlf.jsonl": { outcome: { ok: 3 } },
  "wrong-types.jsonl": {
    outcome: {
      error: { reason: "wrong-type", line: 2, field: "chosen", message: /got number 42/ },
      skipped: { pairs: 2, byReason: { "wrong-type": 2 } },
    },
  },
  "empty-responses.jsonl": {
    outcome: {
      error: { reason: "empty-response", line: 2, field: "rejected", message: /response is empty/ },
      skipped: { pairs: 2, byReason: { "empty-response": 2 } },
    },
  },
  "non-object-records.jsonl": {
    outcome: {
      error: { reason: "wrong-type", line: 2, message: /record is not an object/ },
      skipped: { pairs: 2, byReason: { "wrong-type": 3 } },
    },
  },
  "duplicate-ids.jsonl": {
    outcome: {
      error: { reason: "duplicate-id", line: 3, field: "id", message: /"rewardbench:7".*line 1/ },
      skipped: { pairs: 3, byReason: { "duplicate-id": 1 } },
    },
  },
  "labels-outside-map.jsonl": {
    options: { map: "prompt=q,a=x,b=y,label=pref,labelA=1,labelB=2" },
    outcome: {
      error: { reason: "invalid-label", line: 2, field: "pref", message: /expected 1 \(A\), 2 \(B\)/ },
      skipped: { pairs: 2, byReason: { "invalid-label": 2 } },
    },
  },
  "auto-j-prototype-label.jsonl": {
    outcome: {
      error: { reason: "invalid-label", line: 2, field: "label", message: /expected 0 \(response 1\)/ },
      skipped: { pairs: 2, byReason: { "invalid-label": 1 } },
    },
  },
  "gzip-named-plain.jsonl": { outcome: { error: { message: /file is gzip-compressed/ } } },
  "not-gzip.jsonl.gz": { outcome: { error: { message: /not gzip data.*expected gzip data/ } } },
  "empty.jsonl.gz": { outcome: { error: { message: /not gzip data.*got an empty file/ } } },
  "truncated.jsonl.gz": {
    outcome: { error: { line: 16, message: /gzip data ends early: the file is truncated/ } },
  },
  "corrupt.jsonl.gz": { outcome: { error: { line: 1, message: /corrupt gzip data/ } } },
  "malformed.json": {
    outcome: { error: { reason: "malformed-record", line: 3, unit: "line", message: /malformed JSON/ } },
  },
  "invalid-utf8.json": {
    outcome: { error: { reason: "invalid-encoding", line: 3, unit: "line", message: /not valid UTF-8/ } },
  },
  "bom-crlf.json": { outcome: { ok: 2 } },
  "wrong-types.json": {
    outcome: {
      error: { reason: "wrong-type", line: 1, unit: "row", field: "output_1" },
      skipped: { pairs: 2, byReason: { "wrong-type": 1, "invalid-label": 2 } },
    },
  },
  "empty-responses.json": {
    outcome: {
      error: { reason: "empty-response", line: 1, unit: "row", field: "response2" },
      skipped: { pairs: 1, byReason: { "empty-response": 2 } },
    },
  },
  "duplicate-ids.json": {
    outcome: {
      error: { reason: "duplicate-id", line: 2, unit: "row", field: "id", message: /"pandalm:0".*row 0/ },
      skipped: { pairs: 2, byReason: { "duplicate-id": 1 } },
    },
  },
  "no-records.json": { outcome: { error: { reason: "malformed-record", message: /holds no array/ } } },
  "ragged.csv": {
    options: { map: "prompt=prompt,a=a,b=b" },
    outcome: {
      error: { reason: "malformed-record", line: 3, message: /malformed CSV record/ },
      skipped: { pairs: 2, byReason: { "malformed-record": 1 } },
    },
  },
  "unclosed-quote.csv": {
    options: { map: "prompt=prompt,a=a,b=b" },
    outcome: { error: { reason: "malformed-record", line: 3, message: /malformed CSV/ } },
  },
  "invalid-utf8.csv": {
    options: { map: "prompt=prompt,a=a,b=b" },
    outcome: { error: { reason: "invalid-encoding", line: 3, message: /not valid UTF-8/ } },
  },
  "bom-crlf.csv": { options: { map: "prompt=prompt,a=a,b=b" }, outcome: { ok: 2 } },
  "empty-responses.csv": {
    options: { map: "prompt=prompt,a=a,b=b" },
    outcome: {
      error: { reason: "empty-response", line: 3, field: "b" },
      skipped: { pairs: 2, byReason: { "empty-response": 2 } },
    },
  },
  "labels-outside-map.csv": {
    options: { map: "prompt=prompt,a=a,b=b,label=winner,labelA=left,labelB=right" },
    outcome: {
      error: { reason: "invalid-label", line: 3, field: "winner", message: /got "both"/ },
      skipped: { pairs: 2, byReason: { "invalid-label": 1 } },
    },
  },
  "duplicate-ids.csv": {
    options: { map: "id=id,prompt=prompt,a=a,b=b" },
    outcome: {
      error: { reason: "duplicate-id", line: 4, field: "id", message: /"map:1".*line 2/ },
      skipped: { pairs: 2, byReason: { "duplicate-id": 1 } },
    },
  },
  "not-parquet.parquet": {
    outcome: { error: { reason: "malformed-record", message: /not a readable Parquet file/ } },
  },
  xstest: {
    outcome: {
      error: {
        reason: "empty-response",
        file: "xstest_v2_completions_m2.csv",
        line: 2,
        field: "completion",
      },
      skipped: { pairs: 1, byReason: { "empty-response": 1, "invalid-label": 2 } },
    },
  },
  llmfao: {
    outcome: {
      error: { reason: "invalid-label", file: "crowd-comparisons.csv", line: 3, field: "winner" },
      skipped: { pairs: 1, byReason: { "invalid-label": 1, "join-mismatch": 1, "empty-response": 1 } },
    },
  },
};

const HUGE = 20 * 1024 * 1024;
const rb = (i: number, extra: Record<string, unknown> = {}) => ({
  id: i,
  subset: "s",
  prompt: `question ${i}`,
  chosen: `good ${i}`,
  rejected: `bad ${i}`,
  ...extra,
});

const stringColumn = { type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" } as const;

/** A RewardBench-shaped Parquet file; `chosen` may hold raw bytes to write invalid UTF-8. */
function rewardbenchParquet(
  rows: Array<{ id: number; chosen: string | Uint8Array | null; rejected: string }>,
) {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "id", data: rows.map((r) => r.id) },
        { name: "subset", data: rows.map(() => "s") },
        { name: "prompt", data: rows.map((r) => `question ${r.id}`) },
        { name: "chosen", data: rows.map((r) => r.chosen) },
        { name: "rejected", data: rows.map((r) => r.rejected) },
      ],
      schema: [
        { name: "root", num_children: 5 },
        { name: "id", type: "INT32", repetition_type: "OPTIONAL" },
        { name: "subset", ...stringColumn },
        { name: "prompt", ...stringColumn },
        { name: "chosen", ...stringColumn },
        { name: "rejected", ...stringColumn },
      ],
    }),
  );
}

/** Inputs too big or too binary to commit, written at test time. */
async function writeGenerated(dir: string): Promise<Record<string, Entry>> {
  const good = [0, 1, 2].map((i) => ({ id: i, chosen: `good ${i}`, rejected: `bad ${i}` }));
  const valid = rewardbenchParquet(good);
  await writeFile(path.join(dir, "truncated.parquet"), valid.subarray(0, Math.floor(valid.length / 2)));
  const garbled = valid.slice();
  for (let i = 4; i < 60; i++) garbled[i]! ^= 0x5a;
  await writeFile(path.join(dir, "corrupt-pages.parquet"), garbled);
  await writeFile(
    path.join(dir, "invalid-utf8.parquet"),
    rewardbenchParquet([
      good[0]!,
      { ...good[1]!, chosen: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) },
      good[2]!,
    ]),
  );
  await writeFile(
    path.join(dir, "empty-responses.parquet"),
    rewardbenchParquet([good[0]!, { ...good[1]!, rejected: "  " }, { ...good[2]!, chosen: null }]),
  );
  await writeFile(
    path.join(dir, "duplicate-ids.parquet"),
    rewardbenchParquet([good[0]!, good[1]!, { ...good[2]!, id: 0 }]),
  );
  await writeFile(
    path.join(dir, "wrong-types.parquet"),
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "prompt", data: ["q0", "q1"] },
          { name: "chosen", data: [1, 2] },
          { name: "rejected", data: ["b0", "b1"] },
        ],
        schema: [
          { name: "root", num_children: 3 },
          { name: "prompt", ...stringColumn },
          { name: "chosen", type: "INT32", repetition_type: "OPTIONAL" },
          { name: "rejected", ...stringColumn },
        ],
      }),
    ),
  );

  const huge = "x".repeat(HUGE);
  const hugeLines = [rb(0), rb(1, { chosen: huge }), rb(2)].map((r) => JSON.stringify(r)).join("\n");
  await writeFile(path.join(dir, "huge.jsonl"), hugeLines);
  await writeFile(path.join(dir, "huge.jsonl.gz"), gzipSync(hugeLines, { level: 1 }));
  await writeFile(path.join(dir, "huge.json"), JSON.stringify([rb(0), rb(1, { chosen: huge }), rb(2)]));
  await writeFile(
    path.join(dir, "huge.csv"),
    `prompt,a,b\nq0,first,second\nq1,${huge},second\nq2,first,second\n`,
  );
  await writeFile(
    path.join(dir, "huge.parquet"),
    rewardbenchParquet([good[0]!, { ...good[1]!, chosen: huge }, good[2]!]),
  );

  const tooLarge = (line: number, unit: "line" | "row" = "line"): Where => ({
    reason: "record-too-large",
    line,
    unit,
    message: /record is larger than the limit/,
  });
  const skippedHuge = { pairs: 2, byReason: { "record-too-large": 1 } };
  return {
    "truncated.parquet": { outcome: { error: { reason: "malformed-record", message: /Parquet/ } } },
    "corrupt-pages.parquet": {
      outcome: { error: { reason: "malformed-record", line: 0, unit: "row", message: /unreadable Parquet/ } },
    },
    "invalid-utf8.parquet": {
      outcome: {
        error: {
          reason: "invalid-encoding",
          line: 1,
          unit: "row",
          field: "chosen",
          message: /not valid UTF-8/,
        },
        skipped: { pairs: 2, byReason: { "invalid-encoding": 1 } },
      },
    },
    "empty-responses.parquet": {
      outcome: {
        error: { reason: "empty-response", line: 1, unit: "row", field: "rejected" },
        skipped: { pairs: 1, byReason: { "empty-response": 1, "missing-field": 1 } },
      },
    },
    "duplicate-ids.parquet": {
      outcome: {
        error: { reason: "duplicate-id", line: 2, unit: "row", field: "id", message: /row 0/ },
        skipped: { pairs: 2, byReason: { "duplicate-id": 1 } },
      },
    },
    "wrong-types.parquet": {
      outcome: {
        error: { reason: "wrong-type", line: 0, unit: "row", field: "chosen" },
        skipped: { pairs: 0, byReason: { "wrong-type": 2 } },
      },
    },
    "huge.jsonl": { outcome: { error: tooLarge(2), skipped: skippedHuge } },
    "huge.jsonl.gz": { outcome: { error: tooLarge(2), skipped: skippedHuge } },
    "huge.json": { outcome: { error: tooLarge(1, "row"), skipped: skippedHuge } },
    "huge.parquet": { outcome: { error: tooLarge(1, "row"), skipped: skippedHuge } },
    "huge.csv": { options: { map: "prompt=prompt,a=a,b=b" }, outcome: { error: tooLarge(3) } },
  };
}

async function outcomeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => error,
  );
}

/** What the CLI prints for an error (`reportError` in src/cli/main.ts). */
function printed(error: unknown): string {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    reportError(error);
  } finally {
    spy.mockRestore();
  }
  return chunks.join("");
}

function expectInputError(error: unknown, entry: string, where: Where): void {
  if (!(error instanceof InputError)) {
    const got = error instanceof Error ? error.stack : `a result: ${JSON.stringify(error).slice(0, 300)}`;
    throw new Error(`${entry}: expected an InputError, got ${got}`);
  }
  const { location } = error;
  const file = where.file ? path.join(entry, where.file) : entry;
  expect(location.file).toBe(file);
  expect(error.message.startsWith(file)).toBe(true);
  if (where.reason) expect((error as InvalidRecordError).reason).toBe(where.reason);
  if (where.line !== undefined) {
    const unit = where.unit ?? "line";
    expect(location).toMatchObject({ line: where.line, unit });
    expect(error.message).toContain(`${file}, ${unit} ${where.line}`);
  } else {
    expect(location.line).toBeUndefined();
  }
  if (where.field !== undefined) {
    expect(location.field).toBe(where.field);
    expect(error.message).toContain(`field "${where.field}"`);
  }
  if (where.message) expect(error.message).toMatch(where.message);
  const out = printed(error);
  expect(out.startsWith(`genrm: ${file}`)).toBe(true);
  expect(out).not.toMatch(/unexpected error|\n\s+at /);
}

async function check(entry: string, { options = {}, outcome }: Entry): Promise<void> {
  const strict = await outcomeOf(loadPairs(entry, options));
  const lenient = await outcomeOf(loadPairs(entry, { ...options, skipInvalid: true }));
  if ("ok" in outcome) {
    for (const result of [strict, lenient]) {
      if (!(result as { value?: unknown }).value) throw result;
      const { value } = result as { value: Awaited<ReturnType<typeof loadPairs>> };
      expect(value.pairs).toHaveLength(outcome.ok);
      expect(value.skipped.count).toBe(0);
    }
    return;
  }
  expectInputError(strict, entry, outcome.error);
  if (!outcome.skipped) {
    expectInputError(lenient, entry, outcome.error);
    return;
  }
  if (!(lenient as { value?: unknown }).value) throw lenient;
  const { value } = lenient as { value: Awaited<ReturnType<typeof loadPairs>> };
  expect(value.skipped.byReason).toEqual(outcome.skipped.byReason);
  expect(value.skipped.count).toBe(Object.values(outcome.skipped.byReason).reduce((a, b) => a + b, 0));
  expect(value.pairs).toHaveLength(outcome.skipped.pairs);
  for (const example of value.skipped.examples) expect(example).toContain(entry);
}

describe("the malformed-input corpus", () => {
  it("has an expectation for every committed entry, and every expectation has its entry", () => {
    const entries = readdirSync(corpus).filter(
      (name) => !["biome.json", "README.md", ".gitattributes"].includes(name),
    );
    expect(entries.sort()).toEqual(Object.keys(committed).sort());
  });

  for (const [name, entry] of Object.entries(committed)) {
    it(`answers ${name} with an InputError or a counted skip`, async () => {
      await check(path.join(corpus, name), entry);
    });
  }
});

describe("generated malformed inputs", () => {
  let dir: string;
  let generated: Record<string, Entry>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "genrm-bad-inputs-"));
    generated = await writeGenerated(dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers each with an InputError or a counted skip", async () => {
    for (const [name, entry] of Object.entries(generated)) await check(path.join(dir, name), entry);
  });

  it("stops at a 20 MB line well before reading and parsing it would finish", async () => {
    const file = path.join(dir, "huge.jsonl");
    const timed = async (load: () => Promise<unknown>) => {
      const started = performance.now();
      await load().catch(() => undefined);
      return performance.now() - started;
    };
    const limited = await timed(() => loadPairs(file));
    const raised = await timed(() => loadPairs(file, { maxRecordBytes: 32 * 1024 * 1024 }));
    expect(limited * 3).toBeLessThan(raised);
  });

  it("loads the 20 MB record once the limit is raised, by option or by GENRM_MAX_RECORD_BYTES", async () => {
    const file = path.join(dir, "huge.jsonl");
    const raised = await loadPairs(file, { maxRecordBytes: 32 * 1024 * 1024 });
    expect(raised.pairs[1]!.responseA).toHaveLength(HUGE);
    vi.stubEnv("GENRM_MAX_RECORD_BYTES", String(32 * 1024 * 1024));
    try {
      expect((await loadPairs(file)).pairs).toHaveLength(3);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
