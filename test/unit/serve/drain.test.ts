/**
 * Graceful drain in process, over real HTTP: after close() the server keeps listening until what it
 * admitted has finished; meanwhile new work is a 503 with Retry-After and /health says "draining".
 * (test/model/serve-cli.test.ts checks the same through SIGTERM on a real `genrm serve` process.)
 */
import { describe, expect, it } from "vitest";
import { startServer } from "../../../src/serve/index.js";
import { lengthEngine } from "./lengthEngine.js";

const judgeBody = JSON.stringify({
  prompt: "Name a colour.",
  response_a: "Red.",
  response_b: "Blue, or red.",
});
const postJudge = (url: string) =>
  fetch(`${url}/v1/judge`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: judgeBody,
  });

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe("graceful drain", () => {
  it("keeps listening while draining: 503 + Retry-After for new work, draining health, admitted work finishes", async () => {
    const s = await startServer(lengthEngine({ delayMs: 400 }), { port: 0, judge: { protocol: "direct" } });
    const slow = postJudge(s.url);
    await until(() => s.serveApp.admission.inFlight === 1);
    const closed = s.close();

    const late = await postJudge(s.url);
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).toBe("5");
    expect(late.headers.get("connection")).toBe("close");
    expect(await late.json()).toMatchObject({ error: { code: "shutting_down" } });
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "draining", in_flight: 1 });

    const done = await slow;
    expect(done.status).toBe(200);
    expect(((await done.json()) as { verdict: string }).verdict).toBe("B");
    await closed;
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });

  it("past the drain timeout, what is left is aborted and the server closes", async () => {
    const s = await startServer(lengthEngine({ delayMs: 60_000 }), {
      port: 0,
      judge: { protocol: "direct" },
      drainTimeoutMs: 100,
    });
    const stuck = postJudge(s.url);
    await until(() => s.serveApp.admission.inFlight === 1);
    const startedAt = performance.now();
    await s.close();
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect((await stuck).status).toBe(503);
  });
});
