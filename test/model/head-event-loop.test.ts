/**
 * A head judge's forward passes run on a worker thread (issue: native work off the event loop): a
 * server in the same process answers /health within 50 ms while the judge runs forwards that take
 * far longer. Run in the judging thread, as before, every /health waited for the forward to end.
 */

import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreferencePair } from "../../src/data/types.js";
import { writePairsJsonl } from "../../src/data/writePairsJsonl.js";
import { openHeadJudge } from "../../src/heads/openHeadJudge.js";
import type { PairId } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { lengthPairs } from "../helpers/lengthPairs.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let dir: string;
let headFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-head-loop-"));
  // Wide enough that one forward over long answers takes hundreds of milliseconds.
  const model = (await tinyModelOnce({ hidden: 256, layers: 4, heads: 8, kvHeads: 4, ffn: 768, seed: 3 }))
    .path;
  const data = join(dir, "pairs.jsonl");
  await writePairsJsonl(lengthPairs(8), data);
  const r = await runCli([
    "train",
    ...["--method", "bt", "--model", model, "--data", data, "--out", join(dir, "bt")],
    ...["--max-steps", "1", "--batch-size", "4", "--progress", "silent"],
  ]);
  expect(r.code, r.stderr).toBe(0);
  headFile = join(dir, "bt", "head.ckpt");
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("head judge and the event loop", () => {
  it("/health answers within 50 ms while the judge runs long forwards", async () => {
    const judge = await openHeadJudge({ headFile, batchSize: 8 });
    const server = http.createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    try {
      const long = "word ".repeat(400);
      const pairs: PreferencePair[] = Array.from({ length: 8 }, (_, i) => ({
        id: `long:${i}` as PairId,
        prompt: [{ role: "user", content: `question ${i}` }],
        responseA: `${long}${i}`,
        responseB: `${long}${long}${i}`,
        label: "A",
      }));
      const started = Date.now();
      const judging = Promise.all(pairs.map((p) => judge.judge(p)));
      let done = false;
      void judging.then(() => {
        done = true;
      });
      const latencies: number[] = [];
      while (!done) {
        const t0 = performance.now();
        const res = await fetch(url);
        await res.text();
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      const judgments = await judging;
      const judgingMs = Date.now() - started;
      expect(judgments.every((j) => j.verdict !== "error")).toBe(true);
      // The forwards were long: blocking would have held /health for hundreds of milliseconds.
      expect(judgingMs).toBeGreaterThan(400);
      expect(latencies.length).toBeGreaterThan(5);
      expect(median(latencies)).toBeLessThan(50);
    } finally {
      server.close();
      await judge.dispose();
    }
  }, 300_000);
});
