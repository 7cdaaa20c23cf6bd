import { describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import { ConfigError } from "../../../src/errors.js";
import { parseVerdict } from "../../../src/judge/parseVerdict.js";
import type { PairId } from "../../../src/types.js";
import {
  type CorpusRow,
  defaultCorpusMix,
  generatePretrainCorpus,
  generateWorld,
  isWellFormedRationale,
  judgeView,
  parseQuestion,
  resolvePretrainCorpusConfig,
  scoreRationale,
  worldTemplates,
} from "../../../src/world/index.js";
import { binomialTolerance } from "./binomial.js";

const corpus = generatePretrainCorpus({ seed: 3, size: 6000 });

function byKind(rows: readonly CorpusRow[], kind: CorpusRow["kind"]) {
  return rows.filter((r) => r.kind === kind);
}

/** The judge pair a transcript shows (display order is the pair's order). */
function transcriptPair(row: CorpusRow): PreferencePair {
  if (!("messages" in row)) throw new Error("not a transcript");
  const user = row.messages.find((m) => m.role === "user")!.content;
  const match = /^Q: (.*)\nA: (.*)\nB: (.*?)(?:\n\n.*)?$/s.exec(user)!;
  return {
    id: "c" as PairId,
    prompt: [{ role: "user", content: match[1]! }],
    responseA: match[2]!,
    responseB: match[3]!,
    label: "A",
  };
}

function answerOf(row: CorpusRow): string {
  if (!("messages" in row)) throw new Error("not a transcript");
  return row.messages.at(-1)!.content;
}

describe("generatePretrainCorpus", () => {
  it("is deterministic, and a smaller corpus is a prefix of a larger one", () => {
    const again = generatePretrainCorpus({ seed: 3, size: 6000 });
    expect(again.rows).toEqual(corpus.rows);
    expect(generatePretrainCorpus({ seed: 3, size: 500 }).rows).toEqual(corpus.rows.slice(0, 500));
    expect(generatePretrainCorpus({ seed: 4, size: 500 }).rows).not.toEqual(corpus.rows.slice(0, 500));
  });

  it("writes lookup drills: the prompt's question and answers, the last step, quotes that match the answers, a conclusion that follows the step", () => {
    const { rows } = generatePretrainCorpus({
      seed: 5,
      size: 400,
      mix: { lookup: 1, drill: 0, answer: 0, cot: 0, direct: 0, rationalizer: 0 },
    });
    expect(rows.every((r) => r.kind === "lookup")).toBe(true);
    let followed = 0;
    for (const row of rows) {
      if (!("text" in row)) throw new Error("a lookup drill is plain text");
      const m =
        /^Q: What is [\d+-]+\?\nA: .*?(-?\d+)\.?\nB: .*?(-?\d+)\.?\n-?\d+[+-]\d+=(-?\d+)\. A says (-?\d+)\. B says (-?\d+)\. (.*) \[\[([AB])\]\]$/s.exec(
          row.text,
        );
      expect(m, row.text).not.toBeNull();
      const [, a, b, result, quoteA, quoteB, conclusion, verdict] = m!;
      expect([quoteA, quoteB]).toEqual([a, b]);
      if ((result === a) !== (result === b)) {
        expect(conclusion).toBe(`${verdict} is right.`);
        expect(verdict).toBe(result === a ? "A" : "B");
        followed++;
      } else expect(conclusion).toMatch(/^(Neither|Both) is|are right; /);
    }
    expect(followed).toBeGreaterThan(rows.length / 2);
  });

  it("writes every worked step spaced with stepFormat spaced, the same rows otherwise, and says so in its config", () => {
    const mix = { drill: 0.3, cot: 0.3, rationalizer: 0.2, lookup: 0.2, answer: 0, direct: 0 };
    const compact = generatePretrainCorpus({ seed: 6, size: 300, mix });
    const spaced = generatePretrainCorpus({ seed: 6, size: 300, mix, stepFormat: "spaced" });
    expect(compact.config).not.toHaveProperty("stepFormat");
    expect(spaced.config.stepFormat).toBe("spaced");
    const text = (r: CorpusRow) => ("text" in r ? r.text : r.messages.at(-1)!.content);
    const compactStep = /(-?\d+)([+-])(\d+)=(-?\d+)\./g;
    let steps = 0;
    spaced.rows.forEach((row, i) => {
      const c = compact.rows[i]!;
      expect(row.kind).toBe(c.kind);
      // The same draws: only the steps' spacing differs.
      const respaced = text(c)
        .replace(/^(What is [^\n]*\n)?/, "")
        .replace(compactStep, (_m, x, op, y, z) => {
          steps++;
          return `${x} ${op} ${y} = ${z}.`;
        });
      expect(text(row).endsWith(respaced), text(row)).toBe(true);
      expect(text(row).replace(/^What is [^\n]*\n/, "")).not.toMatch(compactStep);
    });
    expect(steps).toBeGreaterThan(300);
    for (const row of spaced.rows.filter((r) => r.kind === "cot")) {
      const pair = transcriptPair(row);
      const score = scoreRationale(answerOf(row), judgeView(pair, "AB"));
      if (score.route === "worked") expect(score.steps.length).toBeGreaterThan(0);
      expect(isWellFormedRationale(answerOf(row)), answerOf(row)).toBe(true);
    }
    expect(() => resolvePretrainCorpusConfig({ stepFormat: "wide" as "spaced" })).toThrow(
      /stepFormat: must be "compact" or "spaced", got "wide"/,
    );
  });

  it("mixes row kinds as configured, in the documented record formats", () => {
    const total = (Object.values(defaultCorpusMix) as number[]).reduce((a, b) => a + b, 0);
    for (const [kind, weight] of Object.entries(defaultCorpusMix)) {
      const share = byKind(corpus.rows, kind as CorpusRow["kind"]).length / corpus.rows.length;
      if (weight === 0) {
        expect(share).toBe(0);
        continue;
      }
      expect(Math.abs(share - weight / total)).toBeLessThan(
        binomialTolerance(weight / total, corpus.rows.length),
      );
    }
    for (const row of corpus.rows) {
      if (row.kind === "drill") {
        expect("text" in row && /^What is [\d+-]+\?\n.*So it is -?\d+\.$/s.test(row.text)).toBe(true);
        continue;
      }
      expect("messages" in row).toBe(true);
      if (!("messages" in row)) continue;
      expect(row.messages.at(-1)!.role).toBe("assistant");
      const template = {
        cot: worldTemplates.cot,
        direct: worldTemplates.direct,
        rationalizer: worldTemplates.rationalizer,
        answer: null,
        lookup: null,
      }[row.kind];
      if (template) expect(row.messages[0]).toEqual({ role: "system", content: template.system });
      if (row.kind === "direct") expect(answerOf(row)).toMatch(/^\[\[[AB]\]\]$/);
      if (row.kind === "rationalizer")
        expect(row.messages[1]!.content).toMatch(/\n\nExplain why [AB] is better than [AB]\.$/);
    }
  });

  it("teaches the arithmetic with the teacher's error rate", () => {
    const noMisconceptions = generatePretrainCorpus({
      seed: 3,
      size: 3000,
      teacher: { stepErrorRate: 0.2, misconceptionShare: 0 },
      mix: { drill: 1, answer: 0, cot: 0, direct: 0, rationalizer: 0 },
    });
    let steps = 0;
    let wrong = 0;
    for (const row of noMisconceptions.rows) {
      if (!("text" in row)) throw new Error("drills are text");
      const [question, work] = row.text.split("\n") as [string, string];
      const score = scoreRationale(work, {
        ...parseQuestion(question)!,
        shown: { A: { text: "", value: null }, B: { text: "", value: null } },
      });
      expect(score.complete).toBe(true);
      steps += score.steps.length;
      wrong += score.steps.filter((s) => !s.correct).length;
    }
    expect(Math.abs(wrong / steps - 0.2)).toBeLessThan(binomialTolerance(0.2, steps));
    expect(wrong).toBeGreaterThan(0);
  });

  it("writes CoT verdicts that follow the teacher's own work, not the truth", () => {
    let worked = 0;
    let consistent = 0;
    let correct = 0;
    let wrongArithmetic = 0;
    const cot = byKind(corpus.rows, "cot");
    for (const row of cot) {
      const view = judgeView(transcriptPair(row));
      const score = scoreRationale(answerOf(row), view);
      if (score.verdictCorrect) correct++;
      if (score.steps.length > 0 && !score.arithmeticCorrect) wrongArithmetic++;
      if (score.route !== "worked") continue;
      worked++;
      if (score.consistent) consistent++;
    }
    expect(consistent).toBe(worked);
    const accuracy = correct / cot.length;
    console.log(
      `corpus CoT transcripts: ${(accuracy * 100).toFixed(1)}% reach the rule's verdict, ${((wrongArithmetic / cot.length) * 100).toFixed(1)}% contain an arithmetic error`,
    );
    expect(accuracy).toBeGreaterThan(0.55);
    expect(accuracy).toBeLessThan(0.85);
    expect(wrongArithmetic / cot.length).toBeGreaterThan(0.2);
  });

  it("carries no surface cue and no signal in direct verdicts beyond the teacher's", () => {
    let longerIsRight = 0;
    let directRight = 0;
    const judged = [...byKind(corpus.rows, "cot"), ...byKind(corpus.rows, "direct")];
    for (const row of judged) {
      const pair = transcriptPair(row);
      const view = judgeView(pair);
      const rule = scoreRationale("", view).ruleVerdict;
      const longer = pair.responseA.length > pair.responseB.length ? "A" : "B";
      if (longer === rule) longerIsRight++;
      if (row.kind === "direct" && parseVerdict(answerOf(row)).verdict === rule) directRight++;
    }
    expect(Math.abs(longerIsRight / judged.length - 0.5)).toBeLessThan(binomialTolerance(0.5, judged.length));
    const direct = byKind(corpus.rows, "direct").length;
    // 60% teacher (~0.7 right) + 40% coin: about 0.62, far from the labels.
    expect(directRight / direct).toBeGreaterThan(0.52);
    expect(directRight / direct).toBeLessThan(0.72);
  });

  it("never contains a test or OOD question, let alone a test pair", () => {
    const world = generateWorld({ seed: 3, sizes: { train: 0, "ood-long": 400 } });
    const evalQuestions = new Set<string>();
    for (const [name, pairs] of Object.entries(world.splits)) {
      if (name === "train") continue;
      for (const pair of pairs) evalQuestions.add(pair.prompt[0]!.content);
    }
    expect(evalQuestions.size).toBeGreaterThan(1000);
    const leaked: string[] = [];
    for (const row of corpus.rows) {
      const text = "text" in row ? row.text : row.messages.map((m) => m.content).join("\n");
      for (const question of text.match(/What is [\d+-]+\?/g) ?? [])
        if (evalQuestions.has(question)) leaked.push(question);
    }
    expect(leaked).toEqual([]);
  });

  it("rationalizer rows always conclude for their hint", () => {
    for (const row of byKind(corpus.rows, "rationalizer")) {
      if (!("messages" in row)) throw new Error("transcript expected");
      const hint = /Explain why ([AB]) is better/.exec(row.messages[1]!.content)![1];
      expect(parseVerdict(answerOf(row)).verdict).toBe(hint);
    }
  });

  it("reports every configuration issue, including the world's", () => {
    let error: unknown;
    try {
      resolvePretrainCorpusConfig({
        size: -2,
        mix: { drill: -1 },
        teacher: { stepErrorRate: 2 },
        terms: [1, 3],
        world: { noise: -1 },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join("\n");
    for (const path of ["size", "mix.drill", "teacher.stepErrorRate", "terms", "world.noise"])
      expect(issues).toContain(`${path}:`);
  });

  it("is fast enough to regenerate on demand", () => {
    const started = performance.now();
    generatePretrainCorpus({ seed: 9, size: 5000 });
    const ms = performance.now() - started;
    console.log(`generatePretrainCorpus: ${Math.round(ms)} ms for 5000 rows`);
    expect(ms).toBeLessThan(2000);
  });
});
