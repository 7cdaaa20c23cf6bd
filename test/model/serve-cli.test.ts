/**
 * `genrm serve` as a real process: it listens, serves, and on SIGTERM under load finishes every
 * request it admitted before exiting 0.
 */

import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let modelPath: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  modelPath = (await tinyModelOnce({ seed: 11 })).path;
});

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
});

describe("genrm serve process", () => {
  it("drains in-flight requests on SIGTERM and exits 0", async () => {
    child = spawnCli([
      "serve",
      "--model",
      modelPath,
      "--protocol",
      "direct",
      "--port",
      "0",
      "--threads",
      "1",
      "--parallel",
      "4",
      "--context-size",
      "1024",
      "--concurrency",
      "2",
    ]);
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL after 60 s:\n${stderr}`)), 60_000);
      child!.stderr!.on("data", (d) => {
        stderr += d;
        const m = /genrm serve: (http:\/\/[^\s]+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child!.once("exit", (code) => reject(new Error(`exited ${code} before listening:\n${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));

    const body = (i: number) =>
      JSON.stringify({ prompt: "Name a colour.", response_a: `Red ${i}.`, response_b: "Blue." });
    const requests = Array.from({ length: 6 }, (_, i) =>
      fetch(`${url}/v1/judge`, { method: "POST", body: body(i) }).then(async (r) => ({
        status: r.status,
        json: (await r.json()) as { verdict?: string },
      })),
    );
    // Wait until the server has admitted all six, then ask it to stop.
    for (;;) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      if (/^genrm_requests_in_flight 6$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGTERM");
    const results = await Promise.all(requests);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(results.every((r) => ["A", "B", "tie"].includes(r.json.verdict!))).toBe(true);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/draining/);
    expect(stderr).toMatch(/stopped/);
  });
});
