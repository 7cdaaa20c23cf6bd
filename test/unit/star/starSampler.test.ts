/**
 * The LoRA hot-load hand-off against servers that answer as vLLM and SGLang do. No vLLM or SGLang
 * runs on these machines, so the servers here are scripted at the HTTP boundary from their code:
 * vLLM's `POST /v1/load_lora_adapter` and its 400 for a name already loaded, and the adapter listed
 * by `GET /v1/models` beside the base (vllm/entrypoints/openai/serving_models.py at 075e9ba8);
 * SGLang's `POST /load_lora_adapter` (python/sglang/srt/entrypoints/http_server.py at 9c0549b7).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EngineError } from "../../../src/errors.js";
import { startStarSampler } from "../../../src/star/starSampler.js";

interface Seen {
  method: string;
  url: string;
  body: Record<string, unknown> | null;
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function fakeServer(api: "vllm" | "sglang", options: { refuse?: boolean } = {}) {
  const seen: Seen[] = [];
  const adapters: string[] = [];
  const loadPath = api === "vllm" ? "/v1/load_lora_adapter" : "/load_lora_adapter";
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => {
      raw += d;
    });
    req.on("end", () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      seen.push({ method: req.method!, url: req.url!, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.url === "/v1/models") {
        return json(200, {
          object: "list",
          data: [{ id: "base-model" }, ...adapters.map((id) => ({ id, parent: "base-model" }))],
        });
      }
      if (req.url === loadPath) {
        if (options.refuse) return json(400, { message: "LoRA rank 64 is greater than max_lora_rank 16." });
        const name = String(body?.lora_name);
        if (adapters.includes(name)) {
          return json(400, { message: `The lora adapter '${name}' has already been loaded.`, code: 400 });
        }
        adapters.push(name);
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end(`Success: LoRA adapter '${name}' added successfully.`);
      }
      if (req.url === "/v1/chat/completions") {
        return json(200, {
          choices: [{ index: 0, message: { content: "[[A]]" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 5, completion_tokens: 2 },
        });
      }
      json(404, { message: "not found" });
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

const base = { path: "/models/base", id: "dir:base@sha256:1111" };
const withAdapter = (n: number) => ({
  ...base,
  adapter: { path: `/runs/s/iter-${n}/trainer-out/adapter`, id: `dir:adapter@sha256:${n}${n}${n}${n}` },
});
const generate = {
  messages: [{ role: "user" as const, content: "which?" }],
  sampling: { temperature: 1, topP: 0.95, maxTokens: 4 },
  seeds: [7],
};

describe("LoRA hot-load hand-off", () => {
  it("vLLM: samples the base by its served name, loads each adapter once under a content-named alias, samples by it", async () => {
    const { url, seen } = await fakeServer("vllm");
    const session = startStarSampler(
      { kind: "http", baseUrls: [url], handoff: "lora" },
      { runDir: "/tmp", engine: {}, log: () => {} },
    );
    const e0 = await session.open(base);
    await e0.generate(generate);
    expect(e0.info.modelId).toBe(base.id);
    await e0.dispose();

    const e1 = await session.open(withAdapter(1));
    const loads = seen.filter((s) => s.url === "/v1/load_lora_adapter");
    expect(loads).toHaveLength(1);
    const name = loads[0]!.body!.lora_name as string;
    expect(name).toMatch(/^genrm-[0-9a-f]{8}$/);
    expect(loads[0]!.body).toEqual({ lora_name: name, lora_path: withAdapter(1).adapter.path });
    await e1.generate(generate);
    const chat = seen.filter((s) => s.url === "/v1/chat/completions");
    expect(chat.map((c) => c.body!.model)).toEqual(["base-model", name]);
    expect(e1.info.modelId).toBe(`${base.id}+lora:${withAdapter(1).adapter.id}`);
    await e1.dispose();

    // Same adapter again (e.g. evaluating it after sampling): no second load.
    await (await session.open(withAdapter(1))).dispose();
    expect(seen.filter((s) => s.url === "/v1/load_lora_adapter")).toHaveLength(1);
    // A resumed run loads it again and vLLM says it already has it: that is success.
    const resumed = startStarSampler(
      { kind: "http", baseUrls: [url], handoff: "lora", servedModel: "base-model" },
      { runDir: "/tmp", engine: {}, log: () => {} },
    );
    await (await resumed.open(withAdapter(1))).dispose();
    expect(seen.filter((s) => s.url === "/v1/load_lora_adapter")).toHaveLength(2);
    // A different adapter gets a different name.
    const e2 = await resumed.open(withAdapter(2));
    expect(e2.info.modelName).not.toBe(name);
    await e2.dispose();
  });

  it("SGLang: posts to /load_lora_adapter on every endpoint", async () => {
    const a = await fakeServer("sglang");
    const b = await fakeServer("sglang");
    const session = startStarSampler(
      {
        kind: "http",
        baseUrls: [a.url, b.url],
        handoff: "lora",
        loraApi: "sglang",
        servedModel: "base-model",
      },
      { runDir: "/tmp", engine: {}, log: () => {} },
    );
    await (await session.open(withAdapter(3))).dispose();
    for (const s of [a, b]) {
      expect(s.seen.filter((x) => x.url === "/load_lora_adapter").map((x) => x.body!.lora_path)).toEqual([
        withAdapter(3).adapter.path,
      ]);
    }
  });

  it("a refused adapter is an engine error with the server's reason and how to enable loading", async () => {
    const { url } = await fakeServer("vllm", { refuse: true });
    const session = startStarSampler(
      { kind: "http", baseUrls: [url], handoff: "lora", servedModel: "base-model" },
      { runDir: "/tmp", engine: {}, log: () => {} },
    );
    const error = await session.open(withAdapter(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/HTTP 400: .*max_lora_rank/);
    expect((error as EngineError).hint).toMatch(/VLLM_ALLOW_RUNTIME_LORA_UPDATING/);
  });
});
