/**
 * Listwise runs resume like pairwise ones: a run aborted midway (and its log torn by a kill) keeps
 * the rows it finished and the samples it drew; the rerun judges only the missing rows, generates
 * only the samples the store lacks, and ends where an uninterrupted run ends. Listwise and pairwise
 * samples share one store without ever being served for each other.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isTiesRow, itemsFromPairs } from "../../../src/data/adapters/expandItem.js";
import { rewardbench2 } from "../../../src/data/adapters/rewardbench2.js";
import { AbortedError } from "../../../src/errors.js";
import { createListwiseJudge, type ItemJudgment } from "../../../src/judge/createListwiseJudge.js";
import { createLlmJudge } from "../../../src/judge/createLlmJudge.js";
import { evaluateItemsInDir } from "../../../src/run/evaluateItemsInDir.js";
import { SampleStore } from "../../../src/store/index.js";
import { lengthRatingEngine } from "../../helpers/lengthRatingEngine.js";
import { rewardBench2Rows } from "../eval/benchmarkFixtures.js";

const at = { file: "rb2.jsonl", line: 1, unit: "line" as const };
const pairs = rewardBench2Rows.flatMap((row) => rewardbench2.toPairs(row, at));
const items = itemsFromPairs(pairs);
const K = 2;
/**
 * k samples per distinct rating prompt: the same answer to the same question (rows repeat answers)
 * is one prompt, stored once.
 */
const ratingSamples =
  new Set(items.flatMap((i) => i.responses.map((r) => JSON.stringify([isTiesRow(i), i.prompt, r])))).size * K;
const allSamples = items.reduce((n, i) => n + i.responses.length, 0) * K;

const readLog = (file: string) =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as ItemJudgment);

/** What a judgment says, without how it was obtained (generated or served from the store). */
const verdictOf = (j: ItemJudgment) => ({
  itemId: j.itemId,
  ratings: j.ratings,
  samples: j.samples.map(({ cached: _, ...s }) => s),
});

describe("evaluateItemsInDir: abort, torn log and resume", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-items-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps finished rows and stored samples, and judges and generates only what is missing", async () => {
    const store = SampleStore.open(path.join(dir, "store.db"));
    const run = path.join(dir, "run");
    const controller = new AbortController();
    // The 9th engine call is aborted in flight: rows 1–2 are done (4 answers each), row 3's first
    // answer (with two rows in flight, some of row 4's too) is in the store, the rest is not.
    const first = lengthRatingEngine({
      onCall: (call) => {
        if (call === 9) controller.abort(new Error("kill"));
      },
    });
    const judge1 = createListwiseJudge(first, "rating", { k: K, cache: store.sampleCache() });
    const stopped = await evaluateItemsInDir(judge1, items, run, {
      concurrency: 2,
      signal: controller.signal,
      onStop: "summarize",
    });
    expect(stopped.outcome.interrupted).toBe(true);
    const finished = stopped.outcome.judged;
    expect(finished).toBeGreaterThanOrEqual(1);
    expect(finished).toBeLessThan(items.length);
    const log = path.join(run, "item-judgments.jsonl");
    // Appended as judged (in the order they finished): the log already holds every finished row.
    expect(
      readLog(log)
        .map((j) => j.itemId)
        .sort(),
    ).toEqual(stopped.judgments.map((j) => j.itemId).sort());
    const storedAtStop = store.countSamples();
    expect(storedAtStop).toBe(first.generated());
    // Samples of rows that did not finish are in the store too.
    const finishedGenerated = stopped.judgments.reduce(
      (n, j) => n + j.samples.length - j.usage.cachedSamples,
      0,
    );
    expect(storedAtStop).toBeGreaterThan(finishedGenerated);

    // A kill in the middle of the next append leaves a torn last line.
    fs.appendFileSync(log, JSON.stringify(stopped.judgments[0]).slice(0, 40));

    const second = lengthRatingEngine();
    const judge2 = createListwiseJudge(second, "rating", { k: K, cache: store.sampleCache() });
    const resumed = await evaluateItemsInDir(judge2, items, run, { concurrency: 2 });
    expect(resumed.outcome).toMatchObject({ resumed: finished, judged: items.length - finished });
    // No finished row is judged again: none of their prompts reaches the engine.
    const finishedQuestions = stopped.judgments.map(
      (j) => `[Query]\n${items.find((i) => i.id === j.itemId)!.prompt.at(-1)!.content}\n\n[Response]`,
    );
    expect(second.calls.length).toBeGreaterThan(0);
    for (const call of second.calls) {
      for (const question of finishedQuestions) expect(call.prompt.includes(question)).toBe(false);
    }
    // No stored sample is generated again: every sample was generated exactly once over both runs.
    expect(store.countSamples()).toBe(ratingSamples);
    expect(first.generated() + second.generated()).toBe(ratingSamples);
    const seen = new Set<string>();
    for (const call of [...first.calls, ...second.calls]) {
      for (const seed of call.seeds) {
        const key = `${call.prompt}\u0000${seed}`;
        expect(seen.has(key), "generated twice").toBe(false);
        seen.add(key);
      }
    }
    // The log holds every row once, in row order, and the run ends where an uninterrupted one does.
    const judged = readLog(log);
    expect(judged.map((j) => j.itemId)).toEqual(items.map((i) => i.id));
    const whole = await evaluateItemsInDir(
      createListwiseJudge(lengthRatingEngine(), "rating", { k: K }),
      items,
      path.join(dir, "whole"),
    );
    expect(judged.map(verdictOf)).toEqual(whole.judgments.map(verdictOf));
    expect(resumed.summary.benchmarks).toEqual(whole.summary.benchmarks);
    expect(JSON.parse(fs.readFileSync(path.join(run, "summary.json"), "utf8")).benchmarks).toEqual(
      whole.summary.benchmarks,
    );
    store.close();
  });

  it("onStop 'throw' rethrows the abort after keeping the finished rows", async () => {
    const controller = new AbortController();
    const engine = lengthRatingEngine({
      onCall: (call) => {
        if (call === 5) controller.abort(new Error("stop"));
      },
    });
    const run = path.join(dir, "run");
    await expect(
      evaluateItemsInDir(createListwiseJudge(engine, "rating"), items, run, {
        concurrency: 1,
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(readLog(path.join(run, "item-judgments.jsonl")).map((j) => j.itemId)).toEqual(["101"]);
  });

  it("a row that fails stops the run with its error instead of judging every other row first", async () => {
    const bad = {
      ...items[0]!,
      id: "multi",
      prompt: [
        { role: "user" as const, content: "q1" },
        { role: "assistant" as const, content: "a1" },
        { role: "user" as const, content: "q2" },
      ],
    };
    const engine = lengthRatingEngine();
    await expect(
      evaluateItemsInDir(createListwiseJudge(engine, "rating"), [bad, ...items], path.join(dir, "r"), {
        concurrency: 1,
      }),
    ).rejects.toThrow(/row multi has a multi-turn prompt/);
    expect(engine.calls).toHaveLength(0);
  });
});

describe("one store for pairwise and listwise samples", () => {
  it("neither protocol is ever served the other's samples", async () => {
    const store = SampleStore.open(":memory:");
    const cache = store.sampleCache();
    const pairwise = lengthRatingEngine();
    const pairJudge = createLlmJudge(pairwise, { k: K, orderMode: "fixed", cache });
    const before = await Promise.all(pairs.map((p) => pairJudge.judge(p)));
    const pairSamples = store.countSamples();
    expect(pairSamples).toBe(pairs.length * K);

    // Same model id, same store: every rating sample is generated, none comes from the pairwise ones.
    const rating = lengthRatingEngine();
    const ratingJudge = createListwiseJudge(rating, "rating", { k: K, cache });
    const rated = await Promise.all(items.map((i) => ratingJudge.judgeItem(i)));
    expect(rating.generated()).toBe(ratingSamples);
    expect(ratingSamples).toBeLessThan(allSamples);
    expect(rated.reduce((n, j) => n + j.usage.cachedSamples, 0)).toBe(allSamples - ratingSamples);
    expect(store.countSamples()).toBe(pairSamples + ratingSamples);

    // Rerun both: each is served entirely from its own samples, with the same verdicts.
    const pairAgain = lengthRatingEngine();
    const again = await Promise.all(
      pairs.map((p) => createLlmJudge(pairAgain, { k: K, orderMode: "fixed", cache }).judge(p)),
    );
    expect(pairAgain.generated()).toBe(0);
    expect(again.map((j) => j.verdict)).toEqual(before.map((j) => j.verdict));
    expect(again.every((j) => j.verdict === "A")).toBe(true);
    const ratingAgain = lengthRatingEngine();
    const reRated = await Promise.all(
      items.map((i) => createListwiseJudge(ratingAgain, "rating", { k: K, cache }).judgeItem(i)),
    );
    expect(ratingAgain.generated()).toBe(0);
    expect(reRated.map((j) => j.ratings)).toEqual(rated.map((j) => j.ratings));
    store.close();
  });
});
