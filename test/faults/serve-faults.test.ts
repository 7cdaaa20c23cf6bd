/**
 * A reward server that dies mid-request: `genrm serve` SIGKILLed while a client waits on
 * /v1/judge. The waiting client gets a connection error (not a hang, not a made-up verdict), a
 * new request is refused, and a restarted server serves again with the same verdict a live one
 * gives for that pair.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, spawnCli } from "../helpers/cli.js";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Starts `genrm serve` on a free port; resolves its URL once it listens. */
async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnCli([
    "serve",
    ...["--model", path.join(repoRoot, "assets/world/base.gguf"), "--template", "world-cot@1"],
    ...["-k", "8", "--max-tokens", "96", "--port", "0", "--threads", "1", "--concurrency", "1"],
  ]);
  children.push(child);
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 120 s:\n${stderr}`)), 120_000);
    child.stderr?.on("data", (d) => {
      stderr += d;
      const m = /genrm serve: (http:\/\/[^\s]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before listening:\n${stderr}`)));
  });
  return { child, url };
}

const judgeBody = JSON.stringify({
  prompt: "Q: 3+4+5",
  response_a: "The answer is 12.",
  response_b: "It is 11.",
});
const judge = (url: string) => fetch(`${url}/v1/judge`, { method: "POST", body: judgeBody });

describe("genrm serve killed mid-request", () => {
  it("the waiting client gets a connection error; a restarted server serves again", async () => {
    const first = await startServe();
    const pending = judge(first.url).then(
      (r) => ({ ok: true as const, status: r.status }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    for (;;) {
      const metrics = await (await fetch(`${first.url}/metrics`)).text();
      if (/^genrm_requests_in_flight 1$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await exited;

    const outcome = await pending;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.err).toBeInstanceOf(TypeError); // fetch's network failure
      const cause = (outcome.err as { cause?: { code?: string } }).cause;
      expect(cause?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET|EPIPE/);
    }
    await expect(judge(first.url)).rejects.toMatchObject({ cause: { code: "ECONNREFUSED" } });

    const second = await startServe();
    const again = await judge(second.url);
    expect(again.status).toBe(200);
    const body = (await again.json()) as { verdict: string; pA: number | null };
    expect(["A", "B", "tie"]).toContain(body.verdict);
    // Seeds come from (seed, pair), so the restarted server judges this pair as any live one does.
    const repeat = (await (await judge(second.url)).json()) as { verdict: string; pA: number | null };
    expect(repeat.verdict).toBe(body.verdict);
    expect(repeat.pA).toBe(body.pA);
    second.child.kill("SIGTERM");
  }, 300_000);
});
