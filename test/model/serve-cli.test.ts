/**
 * `genrm serve` as a real process: it listens, serves, and on SIGTERM under load finishes every
 * request it admitted before exiting 0. While it drains it keeps listening, so a client that comes
 * late gets a 503 it can act on and a load balancer sees /health turn "draining", rather than a
 * refused connection.
 */

import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyModelOnce } from "../helpers/tinyModel.js";
import { type ServeProcess, startServeProcess } from "./serveProcess.js";

let modelPath: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  modelPath = (await tinyModelOnce({ seed: 11 })).path;
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

async function startServe(extra: string[]): Promise<ServeProcess> {
  const serve = await startServeProcess(modelPath, extra);
  children.push(serve.child);
  return serve;
}

async function waitFor(what: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await what())) await new Promise((r) => setTimeout(r, 10));
}

const inFlight = async (url: string) =>
  Number(/^genrm_requests_in_flight (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);

describe("genrm serve process", () => {
  it("drains in-flight requests on SIGTERM and exits 0", async () => {
    const { child, url, stderr, exited } = await startServe(["--concurrency", "2"]);
    const body = (i: number) =>
      JSON.stringify({ prompt: "Name a colour.", response_a: `Red ${i}.`, response_b: "Blue." });
    const requests = Array.from({ length: 6 }, (_, i) =>
      fetch(`${url}/v1/judge`, { method: "POST", body: body(i) }).then(async (r) => ({
        status: r.status,
        json: (await r.json()) as { verdict?: string },
      })),
    );
    // Wait until the server has admitted all six, then ask it to stop.
    await waitFor(async () => (await inFlight(url)) === 6);
    child.kill("SIGTERM");
    const results = await Promise.all(requests);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(results.every((r) => ["A", "B", "tie"].includes(r.json.verdict!))).toBe(true);
    expect(await exited).toBe(0);
    expect(stderr()).toMatch(/draining/);
    expect(stderr()).toMatch(/stopped/);
  });

  it("while draining: new work gets 503 with Retry-After, /health says draining, the slow request finishes", async () => {
    const { child, url, stderr, exited } = await startServe(["--concurrency", "1"]);
    // 120 games one at a time: seconds of work on the tiny model.
    const candidates = Array.from({ length: 16 }, (_, i) => `candidate number ${i}`);
    const slow = fetch(`${url}/v1/rank`, {
      method: "POST",
      body: JSON.stringify({ prompt: "Name a colour.", candidates, scheme: "copeland" }),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as { ranking?: number[] } }));
    await waitFor(async () => (await inFlight(url)) === 1);
    child.kill("SIGTERM");
    await waitFor(() => /draining/.test(stderr()));

    const late = await fetch(`${url}/v1/judge`, {
      method: "POST",
      body: JSON.stringify({ prompt: "Name a colour.", response_a: "Red.", response_b: "Blue." }),
    });
    expect(late.status).toBe(503);
    expect(Number(late.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe("shutting_down");

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "draining", in_flight: 1 });

    const done = await slow;
    expect(done.status).toBe(200);
    expect(done.json.ranking).toHaveLength(16);
    expect(await exited).toBe(0);
    expect(stderr()).toMatch(/stopped/);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
