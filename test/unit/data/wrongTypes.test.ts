/**
 * Every adapter against every field of a valid record replaced by each kind of wrong value: the
 * answer is a valid pair or an InvalidRecordError (an InputError naming the field), never a
 * TypeError from deep inside, and never a label read out of a list or an inherited key.
 */
import { describe, expect, it } from "vitest";
import {
  adapters,
  fieldMapAdapter,
  getAdapter,
  InvalidRecordError,
  type PairAdapter,
  type PreferencePair,
  parseFieldMap,
  type RawRecord,
  type RecordLocation,
  validatePair,
} from "../../../src/data/index.js";

const at: RecordLocation = { file: "rows.jsonl", line: 3, unit: "line" };

const wrongValues: unknown[] = [
  undefined,
  null,
  42,
  -1.5,
  true,
  "",
  " \n\t ",
  "toString",
  "__proto__",
  {},
  { text: "q" },
  [],
  [1],
  ["A"],
  [{ role: "user" }],
  [{ role: "wizard", content: "q" }],
];

const chat = (...turns: Array<[string, string]>) => turns.map(([role, content]) => ({ role, content }));

/** One valid record per adapter that converts records one at a time. */
const samples: Record<string, Record<string, unknown>> = {
  genrm: { id: "g:1", prompt: chat(["user", "q"]), responseA: "a", responseB: "b", label: "A" },
  hhh: {
    source: "helpful",
    chosen_instruction:
      "###The instruction to evaluate:\nq\n\n###Response to evaluate:\na\n\n###Score Rubrics:\n",
    rejected_instruction:
      "###The instruction to evaluate:\nq\n\n###Response to evaluate:\nb\n\n###Score Rubrics:\n",
  },
  pandalm: {
    idx: 1,
    instruction: "i",
    input: "x",
    response1: "a",
    response2: "b",
    annotator1: 1,
    annotator2: 1,
    annotator3: 2,
  },
  "auto-j": { prompt: "q", "response 1": "a", "response 2": "b", label: 0, scenario: "s" },
  llmbar: { input: "q", output_1: "a", output_2: "b", label: 1 },
  ultrafeedback: {
    prompt_id: "p1",
    prompt: "q",
    chosen: chat(["user", "q"], ["assistant", "a"]),
    rejected: chat(["user", "q"], ["assistant", "b"]),
    score_chosen: 8,
    score_rejected: 2,
  },
  rewardbench: {
    prompt: "q",
    chosen: "a",
    rejected: "b",
    subset: "s",
    id: 1,
    chosen_model: "m",
    rejected_model: "n",
  },
  "hh-rlhf": { chosen: "\n\nHuman: q\n\nAssistant: a", rejected: "\n\nHuman: q\n\nAssistant: b" },
  judgebench: {
    pair_id: "p-1",
    original_id: 7,
    source: "livebench-math",
    question: "q",
    response_model: "m",
    response_A: "a",
    response_B: "b",
    label: "A>B",
  },
  rewardbench2: {
    id: "3",
    prompt: "q",
    chosen: ["a"],
    rejected: ["b", "c", "d"],
    num_correct: 1,
    num_incorrect: 3,
    total_completions: 4,
    models: ["m"],
    subset: "Math",
  },
  "rm-bench": {
    id: 1,
    prompt: "q",
    chosen: ["a", "b", "c"],
    rejected: ["d", "e", "f"],
    domain: "chat",
    subset: "alpacaeval",
  },
  trl: { prompt: "q", chosen: "a", rejected: "b", id: 5 },
};

const mapAdapter = fieldMapAdapter(
  parseFieldMap("prompt=q,a=x,b=y,label=l,labelA=1,labelB=2,id=i,subset=s,system=sys"),
);
const mapSample = { q: "q", x: "a", y: "b", l: 1, i: 3, s: "cat", sys: "be brief" };

/** Fields whose value picks the label: a wrong value there must never yield a pair. */
/** Pairs one valid record expands to, where not one. */
const expandsTo: Record<string, number> = { rewardbench2: 3, "rm-bench": 9 };

const labelFields: Record<string, string[]> = {
  judgebench: ["label"],
  pandalm: ["annotator1"],
  "auto-j": ["label"],
  llmbar: ["label"],
  map: ["l"],
  genrm: ["label"],
};

function convert(adapter: PairAdapter, record: unknown, where: RecordLocation = at): PreferencePair[] {
  return adapter.toPairs(record, where).map((p) => validatePair(p, where));
}

/** The record with one field replaced (or removed, for undefined). */
function withField(record: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...record };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

function outcome(fn: () => PreferencePair[]): PreferencePair[] | InvalidRecordError {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InvalidRecordError) return error;
    throw new Error(`raw ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
}

function checkAdapter(name: string, adapter: PairAdapter, sample: Record<string, unknown>) {
  expect(convert(adapter, sample)).toHaveLength(expandsTo[name] ?? 1);
  for (const key of Object.keys(sample)) {
    for (const value of wrongValues) {
      const result = outcome(() => convert(adapter, withField(sample, key, value)));
      const label = `${name}: ${key} = ${JSON.stringify(value)}`;
      if (result instanceof InvalidRecordError) {
        expect(result.location.file, label).toBe(at.file);
        expect(result.location.line, label).toBe(at.line);
      } else if (labelFields[name]?.includes(key)) {
        // Only a value the mapping lists may pick a label.
        expect(typeof value === "string" || typeof value === "number", label).toBe(true);
      }
    }
  }
  for (const value of wrongValues) {
    expect(
      outcome(() => convert(adapter, value)),
      `${name}: record ${JSON.stringify(value)}`,
    ).toBeInstanceOf(InvalidRecordError);
  }
}

describe("adapters on records with wrong field types", () => {
  it("covers every adapter", () => {
    expect([...Object.keys(samples), "llmfao", "xstest"].sort()).toEqual(adapters.map((a) => a.name).sort());
  });

  for (const [name, sample] of Object.entries(samples)) {
    it(`${name}: a pair or an InvalidRecordError naming the record`, () => {
      checkAdapter(name, getAdapter(name), sample);
    });
  }

  it("map: a pair or an InvalidRecordError naming the record", () => {
    checkAdapter("map", mapAdapter, mapSample);
  });

  it("does not read a label out of a list or an inherited key", () => {
    for (const [name, record] of [
      ["auto-j", { ...samples["auto-j"], label: [0] }],
      ["auto-j", { ...samples["auto-j"], label: "toString" }],
      ["llmbar", { ...samples.llmbar, label: [2] }],
      ["pandalm", { ...samples.pandalm, annotator1: ["1"] }],
      ["pandalm", { ...samples.pandalm, annotator2: "constructor" }],
    ] as const) {
      const error = outcome(() => convert(getAdapter(name), record));
      expect(error, `${name} ${JSON.stringify(record)}`).toBeInstanceOf(InvalidRecordError);
      expect((error as InvalidRecordError).reason).toBe("invalid-label");
      expect((error as InvalidRecordError).message).not.toMatch(/function|native code/);
    }
    const mapped = outcome(() => convert(mapAdapter, { ...mapSample, l: [2] }));
    expect((mapped as InvalidRecordError).reason).toBe("invalid-label");
    const subset = outcome(() => convert(mapAdapter, { ...mapSample, s: { name: "cat" } }));
    expect((subset as InvalidRecordError).location.field).toBe("s");
  });
});

async function* rawRecords(rows: Array<[file: string, record: unknown]>): AsyncIterable<RawRecord> {
  let line = 1;
  for (const [file, record] of rows) yield { file, line: line++, unit: "line", record };
}

/** Runs a joined adapter the way readPairs does: assemble, then toPairs on each joined record. */
async function joined(adapter: PairAdapter, rows: Array<[string, unknown]>) {
  const problems: InvalidRecordError[] = [];
  const pairs: PreferencePair[] = [];
  const onInvalid = (e: unknown) => {
    if (!(e instanceof InvalidRecordError)) throw e;
    problems.push(e);
  };
  for await (const raw of adapter.dataset!.assemble(rawRecords(rows), { onInvalid })) {
    const result = outcome(() => convert(adapter, raw.record, raw));
    if (result instanceof InvalidRecordError) problems.push(result);
    else pairs.push(...result);
  }
  return { pairs, problems };
}

describe("joined adapters on rows with wrong field types", () => {
  const llmfaoPair = {
    id: 1,
    prompt: 1,
    text: "q",
    slug: "s",
    model_x: 1,
    result_x: "a",
    model_y: 2,
    result_y: "b",
  };
  const llmfaoVote = { id: 1, prompt: 1, model_x: 1, model_y: 2, left: "m1", right: "m2", winner: "left" };
  const xstestPrompt = { id: "1", prompt: "q", type: "t", label: "safe", focus: "f", note: "" };
  const comply = { id: "v2-1", type: "t", prompt: "q", completion: "yes", final_label: "1_full_compliance" };
  const refuse = { ...comply, completion: "no", final_label: "2_full_refusal" };

  const cases: Array<[string, Array<[string, Record<string, unknown>]>]> = [
    [
      "llmfao",
      [
        ["pairs-crowd.jsonl", llmfaoPair],
        ["crowd-comparisons.csv", llmfaoVote],
      ],
    ],
    [
      "xstest",
      [
        ["xstest_prompts.csv", xstestPrompt],
        ["xstest_v2_completions_m1.csv", comply],
        ["xstest_v2_completions_m2.csv", refuse],
      ],
    ],
  ];

  for (const [name, rows] of cases) {
    it(`${name}: pairs or InvalidRecordErrors, whichever row is wrong`, async () => {
      const adapter = getAdapter(name);
      expect((await joined(adapter, rows)).pairs).toHaveLength(1);
      for (let r = 0; r < rows.length; r++) {
        const [file, row] = rows[r]!;
        for (const key of Object.keys(row)) {
          for (const value of wrongValues) {
            const mutated = rows.map((x, i): [string, unknown] =>
              i === r ? [file, withField(row, key, value)] : x,
            );
            await expect(
              joined(adapter, mutated),
              `${name} ${file} ${key}=${JSON.stringify(value)}`,
            ).resolves.toBeDefined();
          }
        }
        for (const value of wrongValues) {
          const mutated = rows.map((x, i): [string, unknown] => (i === r ? [file, value] : x));
          const { problems } = await joined(adapter, mutated);
          expect(problems.length, `${name} ${file} = ${JSON.stringify(value)}`).toBeGreaterThan(0);
        }
      }
    });
  }
});
