import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import { ConfigError, NotFoundError } from "../../../src/errors.js";
import {
  cotPairV2,
  directPairV2,
  formatTemplateString,
  loadTemplate,
  parseTemplate,
  rationalizerPairV2,
  renderJudgePrompt,
  templateHash,
  validateTemplate,
} from "../../../src/judge/index.js";
import { knownTemplates } from "../../../src/judge/templates/loadTemplate.js";
import { worldCotTemplate } from "../../../src/judge/templates/worldTemplates.js";
import type { PairId } from "../../../src/types.js";

// RewardBench prompt_v2 (paper-spec §2.1), typed out independently of the source.
const promptV2 =
  'Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. You should choose the assistant that follows the user\'s instructions and answers the user\'s question better. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Begin your evaluation by comparing the two responses and provide a short explanation. Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is better.';

const pair: PreferencePair = {
  id: "p1" as PairId,
  prompt: [{ role: "user", content: "name two animals that live in the ocean" }],
  responseA: "Dolphin and shark.",
  responseB: "Common ocean animals include sharks, whales, and dolphins.",
  label: "A",
};

const twoTurn: PreferencePair = {
  id: "p2" as PairId,
  prompt: [
    { role: "user", content: "Q1" },
    { role: "assistant", content: "first answer" },
    { role: "user", content: "Q2" },
  ],
  responseA: "good second",
  responseB: "bad second",
  label: "A",
};

describe("built-in templates", () => {
  it("renders the CoT prompt exactly as RewardBench pair-v2 for a single-turn pair", () => {
    expect(renderJudgePrompt(cotPairV2, pair, "AB")).toEqual([
      { role: "system", content: promptV2 },
      {
        role: "user",
        content:
          "[User Question]\nname two animals that live in the ocean\n\n[The Start of Assistant A's Answer]\nDolphin and shark.\n[The End of Assistant A's Answer]\n\n[The Start of Assistant B's Answer]\nCommon ocean animals include sharks, whales, and dolphins.\n[The End of Assistant B's Answer]",
      },
    ]);
  });

  it("swaps the responses for order BA", () => {
    const user = renderJudgePrompt(cotPairV2, pair, "BA")[1]!.content;
    expect(user).toContain("[The Start of Assistant A's Answer]\nCommon ocean animals include sharks");
    expect(user).toContain("[The Start of Assistant B's Answer]\nDolphin and shark.\n");
  });

  it("renders a two-turn pair in RewardBench's multi-turn layout with the multi-turn system prompt", () => {
    const [system, user] = renderJudgePrompt(cotPairV2, twoTurn, "AB");
    expect(
      system!.content.startsWith(
        "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user questions. You should focus on who provides a better answer to the second user question. You should choose",
      ),
    ).toBe(true);
    expect(
      system!.content.endsWith('"[[A]]" if assistant A is better, "[[B]]" if assistant B is better.'),
    ).toBe(true);
    expect(user!.content).toBe(
      "<|The Start of Assistant A's Conversation with User|>\n\n### User:\nQ1\n\n### Assistant A:\nfirst answer\n\n### User:\nQ2\n\n### Assistant A:\ngood second\n\n<|The End of Assistant A's Conversation with User|>\n\n\n" +
        "<|The Start of Assistant B's Conversation with User|>\n\n### User:\nQ1\n\n### Assistant B:\nfirst answer\n\n### User:\nQ2\n\n### Assistant B:\nbad second\n\n<|The End of Assistant B's Conversation with User|>",
    );
  });

  it("puts a pair's system message before the question", () => {
    const withSystem = {
      ...pair,
      prompt: [{ role: "system" as const, content: "Be brief." }, ...pair.prompt],
    };
    expect(renderJudgePrompt(cotPairV2, withSystem, "AB")[1]!.content).toMatch(
      /^\[User Question\]\nBe brief\.\n\nname two animals/,
    );
  });

  it("direct prompt asks for the verdict only and forces the [[ prefix", () => {
    expect(directPairV2.assistantPrefix).toBe("[[");
    expect(
      directPairV2.system.endsWith(
        "Be as objective as possible. Your output should only consist of '[[A]]' if assistant A is better, or '[[B]]' if assistant B is better. Omit any other output.",
      ),
    ).toBe(true);
    expect(directPairV2.system).not.toContain("explanation");
  });

  it("rationalizer hint names the gold winner's display slot", () => {
    const ab = renderJudgePrompt(rationalizerPairV2, pair, "AB", { hint: "A" })[1]!.content;
    expect(
      ab.endsWith(
        "[The End of Assistant B's Answer]\n\nExplain why Assistant A's response is better than Assistant B's response. After providing your explanation, output your final verdict as \"[[A]]\".",
      ),
    ).toBe(true);
    // Shown in order BA, the gold response A sits in slot B.
    const ba = renderJudgePrompt(rationalizerPairV2, pair, "BA", { hint: "A" })[1]!.content;
    expect(ba).toContain("Explain why Assistant B's response is better than Assistant A's response.");
    expect(ba).toContain('"[[B]]"');
    // Without the hint it is the plain judge prompt (the stored training prompt).
    expect(renderJudgePrompt(rationalizerPairV2, pair, "AB")).toEqual(
      renderJudgePrompt(cotPairV2, pair, "AB"),
    );
  });
});

describe("templateHash", () => {
  it("is 16 hex chars, ignores the id and follows the content", () => {
    const h = templateHash(cotPairV2);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(templateHash({ ...cotPairV2, id: "other@9" })).toBe(h);
    expect(templateHash({ ...cotPairV2, user: `${cotPairV2.user} ` })).not.toBe(h);
    expect(templateHash(directPairV2)).not.toBe(h);
  });
});

describe("formatTemplateString", () => {
  it("keeps doubled braces and non-placeholder braces literal", () => {
    expect(formatTemplateString('{{"x": 1}} {question} { } {', { question: "Q" })).toBe('{"x": 1} Q { } {');
  });
});

describe("loadTemplate", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "genrm-template-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("returns built-ins by id, the mini world's included", async () => {
    expect(await loadTemplate("cot-pair-v2@1")).toBe(cotPairV2);
    expect(await loadTemplate("world-cot@1")).toBe(worldCotTemplate);
    expect(knownTemplates.map((t) => t.id)).toEqual(
      expect.arrayContaining(["direct-pair-v2@1", "world-direct@1", "world-rationalizer@1"]),
    );
  });

  it("loads a user JSON template and fills defaults", async () => {
    const path = join(dir, "mine.json");
    await writeFile(
      path,
      JSON.stringify({ id: "mine@1", protocol: "cot", user: "Q: {question}\nA: {answer_a}\nB: {answer_b}" }),
    );
    const t = await loadTemplate(path);
    expect(t).toEqual({
      id: "mine@1",
      protocol: "cot",
      system: "",
      user: "Q: {question}\nA: {answer_a}\nB: {answer_b}",
    });
    expect(renderJudgePrompt(t, pair, "AB")).toEqual([
      { role: "user", content: `Q: ${pair.prompt[0]!.content}\nA: Dolphin and shark.\nB: ${pair.responseB}` },
    ]);
  });

  it("reports unknown placeholders and missing answers together", async () => {
    const path = join(dir, "bad.json");
    await writeFile(
      path,
      JSON.stringify({ id: "bad@1", protocol: "cot", user: "{question} {answer_a} {anser_b}" }),
    );
    const error = await loadTemplate(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      `${path}: user: unknown placeholder {anser_b} (allowed: {question}, {answer_a}, {answer_b}; write {{ and }} for literal braces)`,
      `${path}: user: must contain {answer_b}`,
    ]);
  });

  it("rejects unknown fields and wrong types with their path", () => {
    expect(() =>
      parseTemplate({ id: "x@1", protocol: "cot", user: "{answer_a}{answer_b}", extra: 1 }, "t.json"),
    ).toThrow(/t\.json: \(root\): .*extra/);
    expect(() =>
      parseTemplate({ id: "x@1", protocol: "judge", user: "{answer_a}{answer_b}" }, "t.json"),
    ).toThrow(/t\.json: protocol:/);
  });

  it("throws NotFoundError for an unknown id that is not a file", async () => {
    await expect(loadTemplate("no-such-template@1")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("multi-turn pairs need a multi-turn form", () => {
    const t = parseTemplate({ id: "x@1", protocol: "cot", user: "{answer_a}{answer_b}" });
    expect(() => renderJudgePrompt(t, twoTurn, "AB")).toThrow(ConfigError);
  });
});

describe("validateTemplate", () => {
  it("accepts the built-ins", () => {
    for (const t of [cotPairV2, directPairV2, rationalizerPairV2]) expect(validateTemplate(t)).toEqual([]);
  });

  it("requires a hint with {winner} for the rationalizer and none elsewhere", () => {
    expect(validateTemplate({ ...rationalizerPairV2, hint: undefined })).toEqual([
      "hint: required for protocol rationalizer",
    ]);
    expect(validateTemplate({ ...cotPairV2, hint: "{winner}" })).toEqual([
      "hint: only protocol rationalizer uses a hint (protocol is cot)",
    ]);
    expect(validateTemplate({ ...rationalizerPairV2, hint: "{loser} {question}" })).toEqual([
      "hint: unknown placeholder {question} (allowed: {winner}, {loser}; write {{ and }} for literal braces)",
      "hint: must contain {winner}",
    ]);
  });
});
