/**
 * Adapters on rows constructed in each public schema (no RewardBench, UltraFeedback or TRL file is
 * in shared/data). The rows follow the field names and shapes documented by each dataset.
 */
import { describe, expect, it } from "vitest";
import {
  detectAdapter,
  fieldMapAdapter,
  getAdapter,
  InvalidRecordError,
  listAdapters,
  parseFieldMap,
  type RecordLocation,
  validatePair,
} from "../../../src/data/index.js";
import { ConfigError } from "../../../src/errors.js";

const at: RecordLocation = { file: "rows.jsonl", line: 7, unit: "line" };

function failure(fn: () => unknown): InvalidRecordError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRecordError);
    return e as InvalidRecordError;
  }
  throw new Error("expected the adapter to throw");
}

const rewardbenchRow = {
  prompt: "How do I sort a list in Python?",
  chosen: "Use sorted(xs) for a new list or xs.sort() in place.",
  chosen_model: "gpt-4",
  rejected: "You cannot sort lists in Python.",
  rejected_model: "llama-2-7b-chat",
  subset: "alpacaeval-easy",
  id: 3021,
};

describe("rewardbench", () => {
  const rb = getAdapter("rewardbench");

  it("puts chosen in A, keeps subset, prefixes the source id and keeps model names in meta", () => {
    const [pair, ...rest] = rb.toPairs(rewardbenchRow, at);
    expect(rest).toHaveLength(0);
    expect(pair).toEqual({
      id: "rewardbench:3021",
      source: "rewardbench",
      subset: "alpacaeval-easy",
      prompt: [{ role: "user", content: rewardbenchRow.prompt }],
      responseA: rewardbenchRow.chosen,
      responseB: rewardbenchRow.rejected,
      label: "A",
      meta: { chosen_model: "gpt-4", rejected_model: "llama-2-7b-chat" },
    });
    expect(validatePair(pair, at)).toEqual(pair);
  });

  it("accepts a message-list prompt (prior sets) and rejects one that ends with the assistant", () => {
    const prompt = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "Tell me a joke." },
    ];
    const [pair] = rb.toPairs({ ...rewardbenchRow, subset: "anthropic_helpful", prompt }, at);
    expect(pair!.prompt).toEqual(prompt);
    const e = failure(() => rb.toPairs({ ...rewardbenchRow, prompt: prompt.slice(0, 2) }, at));
    expect(e.reason).toBe("invalid-prompt");
    expect(e.location).toMatchObject({ file: "rows.jsonl", line: 7, field: "prompt" });
  });

  it("expands a RewardBench 2 row given to it as rewardbench2 does: the chosen answer against each rejected one", () => {
    const pairs = rb.toPairs(
      {
        prompt: "2+2?",
        chosen: ["4"],
        rejected: ["5", "22", "four-ish"],
        num_correct: 1,
        subset: "Math",
        id: "17",
      },
      at,
    );
    expect(pairs.map((p) => [p.id, p.responseA, p.responseB, p.label, p.item?.b])).toEqual([
      ["rewardbench2:17:0-1", "4", "5", "A", 1],
      ["rewardbench2:17:0-2", "4", "22", "A", 2],
      ["rewardbench2:17:0-3", "4", "four-ish", "A", 3],
    ]);
  });

  it("names the missing or empty field", () => {
    const { chosen: _, ...noChosen } = rewardbenchRow;
    const missing = failure(() => rb.toPairs(noChosen, at));
    expect(missing.reason).toBe("missing-field");
    expect(missing.message).toContain('rows.jsonl, line 7, field "chosen"');
    const empty = failure(() => rb.toPairs({ ...rewardbenchRow, rejected: "  \n" }, at));
    expect(empty.reason).toBe("empty-response");
    expect(empty.location.field).toBe("rejected");
  });
});

describe("ultrafeedback", () => {
  const uf = getAdapter("ultrafeedback");
  const row = {
    prompt: "Write a haiku about rain.",
    prompt_id: "a1b2c3",
    chosen: [
      { role: "user", content: "Write a haiku about rain." },
      {
        role: "assistant",
        content: "Soft rain on the roof\nwhispers to the sleeping town\npuddles hold the sky",
      },
    ],
    rejected: [
      { role: "user", content: "Write a haiku about rain." },
      { role: "assistant", content: "Rain is water." },
    ],
    messages: [],
    score_chosen: 8.5,
    score_rejected: 3,
  };

  it("takes the prompt from the conversation and the replies from the last turns", () => {
    const [pair] = uf.toPairs(row, at);
    expect(pair).toMatchObject({
      id: "ultrafeedback:a1b2c3",
      prompt: [{ role: "user", content: "Write a haiku about rain." }],
      responseA: row.chosen[1]!.content,
      responseB: "Rain is water.",
      label: "A",
      meta: { score_chosen: 8.5, score_rejected: 3 },
    });
  });

  it("rejects conversations that disagree on the prompt", () => {
    const other = { ...row, rejected: [{ role: "user", content: "Something else" }, row.rejected[1]] };
    const e = failure(() => uf.toPairs(other, at));
    expect(e.reason).toBe("prompt-mismatch");
    expect(e.location.field).toBe("rejected");
  });
});

describe("trl", () => {
  const trl = getAdapter("trl");

  it("reads the standard string form", () => {
    const [pair] = trl.toPairs({ prompt: "The sky is", chosen: " blue.", rejected: " green." }, at);
    expect(pair).toMatchObject({
      source: "trl",
      prompt: [{ role: "user", content: "The sky is" }],
      responseA: " blue.",
      responseB: " green.",
      label: "A",
    });
    expect(pair!.id).toMatch(/^trl:[0-9a-f]{16}$/);
  });

  it("reads the conversational form", () => {
    const [pair] = trl.toPairs(
      {
        prompt: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "What color is the sky?" },
        ],
        chosen: [{ role: "assistant", content: "Blue." }],
        rejected: [{ role: "assistant", content: "Green." }],
      },
      at,
    );
    expect(pair!.prompt).toHaveLength(2);
    expect([pair!.responseA, pair!.responseB]).toEqual(["Blue.", "Green."]);
  });

  it("finds the implicit prompt as the common prefix of two conversations", () => {
    const shared = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "What color is the sky?" },
    ];
    const [pair] = trl.toPairs(
      {
        chosen: [...shared, { role: "assistant", content: "It is blue." }],
        rejected: [...shared, { role: "assistant", content: "It is green." }],
      },
      at,
    );
    expect(pair!.prompt).toEqual(shared);
    expect([pair!.responseA, pair!.responseB]).toEqual(["It is blue.", "It is green."]);
  });

  it("finds the implicit prompt of two plain texts at a word boundary", () => {
    const [pair] = trl.toPairs({ chosen: "The sky is blue.", rejected: "The sky is bright." }, at);
    expect(pair!.prompt).toEqual([{ role: "user", content: "The sky is" }]);
    expect([pair!.responseA, pair!.responseB]).toEqual(["blue.", "bright."]);
  });

  it("rejects a completion of several messages", () => {
    const e = failure(() =>
      trl.toPairs(
        {
          prompt: "Hi",
          chosen: [
            { role: "assistant", content: "a" },
            { role: "user", content: "b" },
          ],
          rejected: [{ role: "assistant", content: "c" }],
        },
        at,
      ),
    );
    expect(e.reason).toBe("wrong-type");
    expect(e.location.field).toBe("chosen");
  });
});

describe("detectAdapter", () => {
  it("tells the formats apart, specific before generic", () => {
    const cases: Array<[unknown, string | undefined]> = [
      [rewardbenchRow, "rewardbench"],
      [{ prompt: "p", chosen: "c", rejected: "r" }, "trl"],
      [{ chosen: "\n\nHuman: hi\n\nAssistant: a", rejected: "\n\nHuman: hi\n\nAssistant: b" }, "hh-rlhf"],
      [
        { prompt: "p", prompt_id: "x", chosen: [{ role: "user", content: "p" }], rejected: [] },
        "ultrafeedback",
      ],
      [{ input: "i", output_1: "a", output_2: "b", label: 1 }, "llmbar"],
      [{ scenario: "s", label: 0, prompt: "p", "response 1": "a", "response 2": "b" }, "auto-j"],
      [{ instruction: "i", input: "", response1: "a", response2: "b", annotator1: 1 }, "pandalm"],
      [{ source: "harmless", chosen_instruction: "x", rejected_instruction: "y" }, "hhh"],
      [{ id: "0", prompt: "8", model_x: "97", model_y: "98", worker: "1", winner: "tie" }, "llmfao"],
      [{ id: "v2-1", type: "t", prompt: "p", completion: "c", final_label: "1_full_compliance" }, "xstest"],
      [
        { id: "x", prompt: [{ role: "user", content: "p" }], responseA: "a", responseB: "b", label: "A" },
        "genrm",
      ],
      [{ question: "q", answer: "a" }, undefined],
    ];
    for (const [record, name] of cases)
      expect(detectAdapter(record)?.name, JSON.stringify(record)).toBe(name);
  });

  it("lists every adapter with a description, and refuses an unknown name listing the known ones", () => {
    const names = listAdapters().map((a) => a.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "rewardbench",
        "ultrafeedback",
        "trl",
        "hh-rlhf",
        "pandalm",
        "auto-j",
        "llmbar",
        "hhh",
      ]),
    );
    expect(names).toEqual(expect.arrayContaining(["xstest", "llmfao", "genrm"]));
    expect(listAdapters().every((a) => a.description.length > 10)).toBe(true);
    expect(() => getAdapter("nope")).toThrow(/unknown format "nope".*rewardbench/);
  });
});

describe("parseFieldMap / fieldMapAdapter", () => {
  it("parses keys, dot paths and label values", () => {
    const map = parseFieldMap(
      "prompt=input,a=output_1,b=output_2,label=preference,labelA=1,labelB=2,id=idx,subset=cat",
    );
    expect(map).toMatchObject({
      prompt: "input",
      a: "output_1",
      b: "output_2",
      label: "preference",
      labelA: ["1"],
      labelB: ["2"],
      labelTie: ["tie"],
      id: "idx",
      subset: "cat",
    });
  });

  it("reports every problem at once: unknown keys, repeats, missing required keys", () => {
    let error: unknown;
    try {
      parseFieldMap("prompt=q,prompt=r,answer=x,labelA=1");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join("\n");
    expect(issues).toContain("map.prompt: given twice");
    expect(issues).toContain("map.answer: unknown key; expected one of prompt, a, b");
    expect(issues).toContain("map.a: required");
    expect(issues).toContain("map.b: required");
    expect(issues).toContain("map.labelA: only meaningful with label=<field>");
  });

  it("maps a record through dot paths and label alternatives", () => {
    const adapter = fieldMapAdapter(
      parseFieldMap(
        "prompt=q.text,system=q.sys,a=responses.0,b=responses.1,label=pref,labelA=first|1,labelB=second|2,labelTie=same,id=uid",
      ),
    );
    const record = {
      uid: 9,
      q: { text: "Why?", sys: "Be kind." },
      responses: ["Because.", "No."],
      pref: "second",
    };
    const [pair] = adapter.toPairs(record, at);
    expect(pair).toMatchObject({
      id: "map:9",
      prompt: [
        { role: "system", content: "Be kind." },
        { role: "user", content: "Why?" },
      ],
      responseA: "Because.",
      responseB: "No.",
      label: "B",
    });
    expect(adapter.toPairs({ ...record, pref: "same" }, at)[0]!.label).toBe("tie");
    expect(adapter.toPairs({ ...record, pref: 1 }, at)[0]!.label).toBe("A");
    const e = failure(() => adapter.toPairs({ ...record, pref: "neither" }, at));
    expect(e.reason).toBe("invalid-label");
    expect(e.message).toContain('field "pref"');
    expect(e.message).toContain("first|1 (A), second|2 (B) or same (tie)");
    expect(e.message).toContain('got "neither"');
  });

  it("labels every pair A when no label field is mapped", () => {
    const adapter = fieldMapAdapter(parseFieldMap("prompt=p,a=good,b=bad"));
    expect(adapter.toPairs({ p: "x", good: "y", bad: "z" }, at)[0]!.label).toBe("A");
  });
});

describe("validatePair", () => {
  const good = {
    id: "x:1",
    prompt: [{ role: "user", content: "p" }],
    responseA: "a",
    responseB: "b",
    label: "A",
  };

  it("names the pair field, what was expected and what was found", () => {
    const label = failure(() => validatePair({ ...good, label: "C" }, at));
    expect(label.reason).toBe("invalid-label");
    expect(label.location).toMatchObject({ field: "label", expected: '"A" | "B" | "tie"', got: '"C"' });
    const missing = failure(() => validatePair({ ...good, responseB: undefined }, at));
    expect(missing.reason).toBe("missing-field");
    expect(missing.location.field).toBe("responseB");
    const blank = failure(() => validatePair({ ...good, responseA: " \t" }, at));
    expect(blank.reason).toBe("empty-response");
    const role = failure(() => validatePair({ ...good, prompt: [{ role: "assistant", content: "p" }] }, at));
    expect(role.reason).toBe("invalid-prompt");
  });
});
