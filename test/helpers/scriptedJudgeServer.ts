/**
 * A model-free OpenAI-compatible chat server that answers judge prompts the way a flawed judge
 * would, so `genrm eval --base-url` runs in tests produce everything a sampled judge writes
 * (rationales, k samples per order, both orders, token usage) without a model. Each answer is a
 * deterministic function of the request's seed and the two answers shown: the judge names the
 * answer that contains `goodMarker` 35% of the time, the longer answer 40% of the time and the
 * first-shown answer otherwise, so it has both a length bias and a position bias.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fnv1a } from "../../src/random/index.js";

export const goodMarker = "correct";

export interface ScriptedJudgeServer {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

const answerPattern =
  /\[The Start of Assistant A's Answer\]\n([\s\S]*?)\n\[The End of Assistant A's Answer\][\s\S]*\[The Start of Assistant B's Answer\]\n([\s\S]*?)\n\[The End of Assistant B's Answer\]/;

/** The verdict and rationale the scripted judge writes for one prompt and seed. */
export function scriptedVerdict(a: string, b: string, seed: number): { slot: "A" | "B"; text: string } {
  const u = fnv1a(`${seed}\u0000${a}\u0000${b}`) / 2 ** 32;
  let slot: "A" | "B";
  let why: string;
  if (u < 0.35 && a.includes(goodMarker) !== b.includes(goodMarker)) {
    slot = a.includes(goodMarker) ? "A" : "B";
    why = `Assistant ${slot}'s answer is the correct one.`;
  } else if (u < 0.75 && a.length !== b.length) {
    slot = a.length > b.length ? "A" : "B";
    why = `Assistant ${slot}'s answer is longer and more detailed (${Math.max(a.length, b.length)} vs ${Math.min(a.length, b.length)} characters).`;
  } else {
    slot = "A";
    why = "Assistant A's answer comes first and reads well.";
  }
  return { slot, text: `Comparing the two answers. ${why} Final verdict: [[${slot}]]` };
}

export async function startScriptedJudgeServer(): Promise<ScriptedJudgeServer> {
  let count = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      count++;
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const messages = body.messages as { role: string; content: string }[];
      const user = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
      const m = user.match(answerPattern);
      const seed = typeof body.seed === "number" ? body.seed : 0;
      const n = typeof body.n === "number" ? body.n : 1;
      const choices = Array.from({ length: n }, (_, i) => {
        const { text } = m ? scriptedVerdict(m[1]!, m[2]!, seed + i) : { text: "I cannot tell." };
        return { index: i, message: { role: "assistant", content: text }, finish_reason: "stop" };
      });
      const promptTokens = Math.ceil(messages.reduce((s, x) => s + x.content.length, 0) / 4);
      const completionTokens = choices.reduce((s, c) => s + Math.ceil(c.message.content.length / 4), 0);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `scripted-${count}`,
          object: "chat.completion",
          model: body.model,
          choices,
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: () => count,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
