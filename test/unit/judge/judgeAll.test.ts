import { describe, expect, it } from "vitest";
import type { PreferencePair } from "../../../src/data/types.js";
import { createLengthJudge, type Judge, type Judgment, judgeAll } from "../../../src/judge/index.js";
import type { PairId } from "../../../src/types.js";

const pairs: PreferencePair[] = [30, 5, 20, 1, 10].map((ms, i) => ({
  id: `p${i}` as PairId,
  prompt: [{ role: "user", content: "q" }],
  responseA: "x".repeat(ms),
  responseB: "y",
  label: "A",
}));

/** Wraps the length judge with a delay per pair (responseA's length in ms) and tracks concurrency. */
function slowJudge() {
  const inner = createLengthJudge();
  const state = { inFlight: 0, maxInFlight: 0 };
  const judge: Judge = {
    info: inner.info,
    judge: async (pair) => {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((resolve) => setTimeout(resolve, pair.responseA.length));
      state.inFlight--;
      return inner.judge(pair);
    },
  };
  return { judge, state };
}

describe("judgeAll", () => {
  it("judges every pair with at most `concurrency` in flight, yielding as they finish", async () => {
    const { judge, state } = slowJudge();
    const progress: number[] = [];
    const out: Judgment[] = [];
    for await (const j of judgeAll(judge, pairs, {
      concurrency: 2,
      onProgress: (p) => progress.push(p.done),
    })) {
      out.push(j);
    }
    expect(state.maxInFlight).toBe(2);
    const ids: string[] = out.map((j) => j.pairId);
    expect([...ids].sort()).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    // p1 (5 ms) finishes before p0 (30 ms), which started with it.
    expect(ids.indexOf("p1")).toBeLessThan(ids.indexOf("p0"));
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it("pulls pairs lazily from an async iterable", async () => {
    const pulled: string[] = [];
    async function* source() {
      for (const p of pairs) {
        pulled.push(p.id);
        yield p;
      }
    }
    const { judge } = slowJudge();
    const it = judgeAll(judge, source(), { concurrency: 1 });
    await it.next();
    // The next pair is pulled only when the consumer asks for more.
    expect(pulled).toEqual(["p0"]);
    await it.next();
    expect(pulled).toEqual(["p0", "p1"]);
    await it.return(undefined);
  });

  it("surfaces a judge failure", async () => {
    const failing: Judge = {
      info: createLengthJudge().info,
      judge: async () => {
        throw new Error("disposed");
      },
    };
    const run = async () => {
      for await (const _ of judgeAll(failing, pairs)) {
        // unreachable
      }
    };
    await expect(run()).rejects.toThrow("disposed");
  });
});
