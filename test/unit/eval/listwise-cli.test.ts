/**
 * `genrm eval --listwise rating` end to end: the CLI in a child process against an
 * OpenAI-compatible server that rates an answer by its length, on RewardBench 2 rows in the real
 * schema; the printed official scores equal the hand-worked ones.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { jsonl, rewardBench2Rows } from "./benchmarkFixtures.js";

let dir: string;
let server: http.Server;
let url: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-listwise-"));
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.method !== "POST") {
        res.end(JSON.stringify({ data: [{ id: "m" }] }));
        return;
      }
      const body = JSON.parse(raw) as { messages: { content: string }[] };
      const user = body.messages.at(-1)!.content;
      const answer = /\[Response\]\n([\s\S]*)\n\n\[Your judgement\]$/.exec(user)?.[1] ?? "";
      const text = `Looks fine.\n\n${Math.min(10, answer.length)}`;
      res.end(
        JSON.stringify({
          choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
          usage: { prompt_tokens: 7, completion_tokens: 3 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("genrm eval --listwise rating", () => {
  it("prints RewardBench 2's six subsets and score from per-answer ratings", async () => {
    const data = path.join(dir, "rb2.jsonl");
    fs.writeFileSync(data, jsonl(rewardBench2Rows));
    const out = path.join(dir, "run");
    const args = ["eval", "--data", data, "--base-url", url, "--model", "m", "--listwise", "rating"];
    const res = await runCli([...args, "-k", "1", "--out", out, "--store", path.join(dir, "store.db")], {
      cwd: dir,
    });
    expect(res.code, res.stderr).toBe(0);
    // Ratings = lengths: outside Ties as the length games (75, 25, 16.7, 100, 0); Ties on ratings
    // 0.3·½ + 0.3 + 0.2·½ + 0.2·½ + 0.01·(tanh(−1) + tanh(6))/2 (see listwise.test.ts).
    const ties = 0.65 + (0.01 * (Math.tanh(-1) + Math.tanh(6))) / 2;
    const score = (0.75 + 0.25 + 1 / 6 + 1 + 0 + ties) / 6;
    expect(res.stdout).toMatch(/ {2}Factuality\s+75\.0% {2}\(2 rows\)/);
    expect(res.stdout).toMatch(/ {2}Math\s+16\.7% {2}\(2 rows\)/);
    expect(res.stdout).toContain(`Ties       ${`${(ties * 100).toFixed(1)}%`.padStart(6)}`);
    expect(res.stdout).toMatch(new RegExp(`Score\\s+${(score * 100).toFixed(1).replace(".", "\\.")}%`));
    expect(res.stdout).toContain("rating rating-rb2@1");
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    expect(summary.metrics["rewardbench2/score"]).toBeCloseTo(score, 12);
    const judged = fs.readFileSync(path.join(out, "item-judgments.jsonl"), "utf8").trim().split("\n");
    expect(judged).toHaveLength(rewardBench2Rows.length);
  });
});
