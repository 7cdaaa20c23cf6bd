/**
 * `genrm bon --listwise rating` and `genrm serve --listwise rating` as commands, on an HTTP engine:
 * a local OpenAI-compatible server that answers genrm's judge prompts by length (the rating is the
 * answer's length, capped at 10). The flags reach the rating judge (k, seed, sampling), the store
 * serves a rerun, and the served rewards are the ratings.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBonCommand } from "../../../src/cli/commands/bon.js";
import { runServeCommand } from "../../../src/cli/commands/serve.js";
import { runCli, spawnCli } from "../../helpers/cli.js";
import { lengthReply } from "../../helpers/lengthRatingEngine.js";

interface Completion {
  messages: { role: string; content: string }[];
  n?: number;
  seed?: number;
}

let server: http.Server;
let baseUrl: string;
const requests: Completion[] = [];
let dir: string;
/** Milliseconds each completion waits before it is answered (a run slow enough to be killed midway). */
let delayMs = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-listwise-cmd-"));
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url === "/v1/models") return res.end(JSON.stringify({ data: [{ id: "length" }] }));
      const body = JSON.parse(raw) as Completion;
      requests.push(body);
      const text = lengthReply(body.messages.at(-1)!.content);
      setTimeout(
        () =>
          res.end(
            JSON.stringify({
              choices: Array.from({ length: body.n ?? 1 }, (_, index) => ({
                index,
                message: { role: "assistant", content: text },
                finish_reason: "stop",
              })),
              usage: { prompt_tokens: 20, completion_tokens: 3 * (body.n ?? 1) },
            }),
          ),
        delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

const x = (n: number) => "x".repeat(n);

describe("genrm bon --listwise rating", () => {
  it("rates every candidate through the engine, splits a tie at the top, and reuses the store", async () => {
    const data = path.join(dir, "bon.jsonl");
    fs.writeFileSync(
      data,
      [
        {
          id: "a",
          prompt: "Q a?",
          candidates: [
            { text: x(3), score: 0 },
            { text: x(8), score: 1 },
          ],
        },
        {
          id: "b",
          prompt: "Q b?",
          candidates: [
            { text: x(12), score: 1 },
            { text: x(10), score: 0 },
          ],
        },
      ]
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    );
    const options = {
      data,
      listwise: "rating" as const,
      baseUrl: [baseUrl],
      model: "length",
      k: 2,
      seed: 5,
      temperature: 0.5,
      store: path.join(dir, "store.db"),
      progress: "silent" as const,
    };
    const before = requests.length;
    const report = await runBonCommand(options);
    const rated = requests
      .slice(before)
      .filter((r) => r.messages.at(-1)!.content.includes("[Your judgement]"));
    // Two candidates per prompt, k = 2 samples each (one request per sample or per prompt).
    expect(rated.reduce((n, r) => n + (r.n ?? 1), 0)).toBe(8);
    expect(report.provenance).toMatchObject({
      scheme: "scalar",
      judge: {
        protocol: "rating",
        k: 2,
        seed: 5,
        templateId: "rating-rb2@1",
        sampling: { temperature: 0.5 },
      },
    });
    // a: ratings [3, 8] → candidate 1, the human best. b: [10, 10] → a tie worth ½.
    expect(report.items.map((i) => [i.scores, i.selected, i.tiedTop])).toEqual([
      [[3, 8], 1, { candidates: [1], hit: 1, humanRank: 1 }],
      [[10, 10], 0, { candidates: [0, 1], hit: 0.5, humanRank: 1.5 }],
    ]);
    expect(report.summary.selection.hitRate!.estimate).toBe(0.75);
    expect(report.summary.tokens.completion).toBeGreaterThan(0);

    const again = requests.length;
    const second = await runBonCommand(options);
    expect(requests.length).toBe(again);
    expect(second.items.map((i) => i.scores)).toEqual(report.items.map((i) => i.scores));
  });
});

describe("genrm serve --listwise rating", () => {
  it("serves the ratings as rewards over HTTP", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const stop = new AbortController();
    const serving = runServeCommand({
      baseUrl: [baseUrl],
      model: "length",
      listwise: "rating",
      k: 2,
      port,
      signal: stop.signal,
    });
    try {
      let res: Response | undefined;
      for (let i = 0; i < 100 && !res; i++) {
        res = await fetch(`http://127.0.0.1:${port}/get_reward`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: ["<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>"],
            labels: [null],
          }),
        }).catch(() => undefined);
        if (!res) await new Promise((r) => setTimeout(r, 50));
      }
      const body = (await res!.json()) as { rewards: number[]; scores: number[] };
      expect(body.rewards).toEqual([6]);
      expect(body.scores).toEqual([5 / 9]);
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { reward: unknown };
      expect(health.reward).toEqual({ judge: "rating", template_id: "rating-rb2@1", k: 2 });
    } finally {
      stop.abort();
      await serving;
    }
  });
});

function storedSamples(db: string): number {
  if (!fs.existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare("SELECT COUNT(*) AS n FROM samples").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    conn.close();
  }
}

describe("genrm eval --listwise rating: SIGKILL and resume", () => {
  it("keeps the rows and samples of a killed run; the rerun draws only what the store lacks", async () => {
    const rows = [1, 2, 3, 4, 5, 6].map((i) => ({
      id: i,
      prompt: `Question ${i}?`,
      chosen: [x(i + 3)],
      rejected: [x(1), x(2), `answer ${i}`],
      num_correct: 1,
      num_incorrect: 3,
      total_completions: 4,
      models: ["m1", "m2", "m3", "m4"],
      subset: i % 2 ? "Factuality" : "Math",
      additional_metadata: {},
    }));
    const data = path.join(dir, "rb2.jsonl");
    fs.writeFileSync(data, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const db = path.join(dir, "kill.db");
    const out = path.join(dir, "kill-run");
    const args = [
      ...["eval", "--data", data, "--listwise", "rating", "--base-url", baseUrl, "--model", "length"],
      ...["-k", "2", "--concurrency", "1", "--store", db, "--out", out, "--progress", "silent", "--json"],
    ];
    // Distinct rating prompts: the same answer to the same question is one (x(1), x(2) repeat across
    // rows, but under another question).
    const total = rows.length * 4 * 2;
    delayMs = 40;
    try {
      const child = spawnCli(args, { cwd: dir });
      const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
      const deadline = Date.now() + 60_000;
      while (storedSamples(db) < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      child.kill("SIGKILL");
      await exited;
    } finally {
      delayMs = 0;
    }
    const atKill = storedSamples(db);
    expect(atKill).toBeGreaterThanOrEqual(10);
    expect(atKill).toBeLessThan(total);
    const log = path.join(out, "item-judgments.jsonl");
    const linesAtKill = fs.existsSync(log)
      ? fs
          .readFileSync(log, "utf8")
          .split("\n")
          .filter((l) => l.endsWith("}")).length
      : 0;
    expect(linesAtKill).toBeGreaterThanOrEqual(1);
    expect(linesAtKill).toBeLessThan(rows.length);

    const before = requests.length;
    const rerun = await runCli(args, { cwd: dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.run).toMatchObject({ resumed: linesAtKill, judged: rows.length - linesAtKill });
    // Only the samples the store lacked were asked for, and now the store holds every one once.
    const asked = requests.slice(before).reduce((n, r) => n + (r.n ?? 1), 0);
    expect(asked).toBe(total - atKill);
    expect(storedSamples(db)).toBe(total);
    const judged = fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { itemId: string; ratings: number[] });
    expect(judged.map((j) => j.itemId)).toEqual(rows.map((r) => String(r.id)));
    // Ratings are the lengths: chosen i + 3 characters, then 1, 2 and "answer i" (8).
    expect(judged.map((j) => j.ratings)).toEqual(rows.map((r) => [Math.min(10, r.id + 3), 1, 2, 8]));
  }, 120_000);
});
