/**
 * Oversized samples against the embedded engine: llama.cpp tokenizes on the event loop, so a
 * sample far beyond the context must be refused by its length, before tokenizing, or a handful of
 * them stall every other request (/health included) for seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLlamaCppEngine } from "../../src/engine/llamacpp/index.js";
import type { LlamaCppEngine } from "../../src/engine/llamacpp/types.js";
import { type RunningServer, startServer } from "../../src/serve/index.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let engine: LlamaCppEngine;
let server: RunningServer;

beforeAll(async () => {
  const model = await tinyModelOnce({ seed: 11 });
  engine = await openLlamaCppEngine({
    modelPath: model.path,
    threads: 1,
    parallelSequences: 4,
    contextSize: 1024,
  });
  server = await startServer(engine, { port: 0, judge: { protocol: "direct" } });
});

afterAll(async () => {
  await server?.close();
  await engine?.dispose();
});

/** ~900 KB of varied words: what a runaway rollout looks like, and slow to tokenize. */
function bigText(seed: number): string {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const words: string[] = [];
  for (let n = 0; n < 900_000; ) {
    const w = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () =>
      String.fromCharCode(97 + Math.floor(rnd() * 26)),
    ).join("");
    words.push(w);
    n += w.length + 1;
  }
  return words.join(" ").slice(0, 900_000);
}

describe("oversized samples", () => {
  it("8 concurrent ~900 KB requests are refused by size, and /health keeps answering fast meanwhile", async () => {
    const before = engine.stats();
    const requests = Array.from({ length: 8 }, (_, i) =>
      fetch(`${server.url}/v1/judge`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "Summarise.", response_a: bigText(i + 1), response_b: "Short." }),
      }).then(async (r) => ({
        status: r.status,
        json: (await r.json()) as { error?: { code: string; field?: string } },
      })),
    );
    let settled = false;
    const all = Promise.all(requests).finally(() => {
      settled = true;
    });
    const latencies: number[] = [];
    // Probe while the big requests are in flight (at least a few probes, even if they settle fast).
    while (!settled || latencies.length < 3) {
      const startedAt = performance.now();
      const health = await fetch(`${server.url}/health`);
      latencies.push(performance.now() - startedAt);
      expect(health.status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await all;
    expect(results.map((r) => r.status)).toEqual(new Array(8).fill(413));
    for (const r of results)
      expect(r.json.error).toMatchObject({ code: "payload_too_large", field: "response_a" });
    // Refused before the engine: nothing was tokenized or judged (tokenizing one such sample holds
    // the event loop for ~0.3–0.5 s on a 2-core machine, eight of them for seconds).
    expect(engine.stats()).toEqual(before);
    // A loose bound a loaded machine still meets; eight samples tokenized in a row (seconds) miss it.
    expect(Math.max(...latencies)).toBeLessThan(2000);
  });

  it("/get_reward flags the oversized rollout and rewards the rest of the batch", async () => {
    const head = "<|im_start|>user\nName a primary colour.<|im_end|>\n<|im_start|>assistant\n";
    const res = await fetch(`${server.url}/get_reward`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: [`${head}${bigText(9)}`, `${head}Red.`, `${head}Blue.`] }),
    });
    expect(res.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: JSON from the wire.
    const json = (await res.json()) as any;
    expect(json.extra_logs.genrm_failed).toEqual([1, 0, 0]);
    expect(json.extra_logs.genrm_comparisons).toEqual([0, 1, 1]);
    expect(json.genrm_errors[0]).toMatchObject({ code: "too_long" });
    expect(json.rewards[0]).toBe(0);
  });
});
