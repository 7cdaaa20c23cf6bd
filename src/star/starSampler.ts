/**
 * Where a STaR iteration's samples come from, and how each new model gets there (the hand-off):
 *
 * - embedded: the GGUF (plus its LoRA adapter) in-process through node-llama-cpp;
 * - a server the user runs, with LoRA adapters hot-loaded by name: vLLM's `POST /v1/load_lora_adapter`
 *   (vllm/entrypoints/openai/serving_models.py at 075e9ba8, `load_lora_adapter`) or SGLang's
 *   `POST /load_lora_adapter` (python/sglang/srt/entrypoints/http_server.py at 9c0549b7), both
 *   `{"lora_name", "lora_path"}`; the base model's name is what the server serves first;
 * - a server genrm (re)starts on each model with the user's `--serve-cmd` template (`{model}`,
 *   `{adapter}`), waiting for `/health` (llama-server, vLLM and SGLang all answer it once loaded) and
 *   stopping it when the next model or the end of the run comes.
 *
 * llama-server cannot hot-load an adapter file: its `POST /lora-adapters` only rescales adapters
 * given at start-up (tools/server/README.md at 80fb11a), so with llama-server the hand-off is a
 * restart with `--lora {adapter}`.
 *
 * Engines opened here carry the weights' content identity as their model id, so the sample store
 * never serves one model's samples for another that the server calls by the same name.
 */
import path from "node:path";
import { openLlamaCppEngine } from "../engine/index.js";
import { openOpenAIEngine } from "../engine/openai/index.js";
import type { HttpRequestOptions } from "../engine/openEngine.js";
import type { Engine } from "../engine/types.js";
import {
  ConfigError,
  EngineError,
  ExternalCommandError,
  throwIfAborted,
  UnsupportedError,
} from "../errors.js";
import { fnv1a } from "../random/index.js";
import { fillCommandTemplate, type ShellProcess, startShellCommand } from "../run/shellCommand.js";
import { defaultReadyTimeoutMs } from "./starScaleDefaults.js";
import { modelRefKey, type StarModelRef } from "./trainSpec.js";

export type StarSampler =
  | { kind: "embedded" }
  | {
      kind: "http";
      baseUrls: string[];
      /** The base model's served name. Defaults to the one model the server lists. */
      servedModel?: string;
      /** "lora": hot-load each adapter into the running server; "restart": run `serveCmd` per model. */
      handoff: "lora" | "restart";
      /** Which server's adapter-loading API. Defaults to "vllm". */
      loraApi?: "vllm" | "sglang";
      /** Restart hand-off: the command that serves `{model}` (and `{adapter}`) at `baseUrls`. */
      serveCmd?: string;
      /** Limit for a restarted server to answer `/health`. Defaults to 600000 (10 min: big models load slowly). */
      readyTimeoutMs?: number;
      /** Requests in flight. */
      concurrency?: number;
      request?: HttpRequestOptions;
    };

export interface StarSamplerSession {
  /** An engine sampling with `model`. Dispose it when done; a server stays up for the next call. */
  open(model: StarModelRef, signal?: AbortSignal): Promise<Engine>;
  /** Stops a server genrm started. */
  close(): Promise<void>;
}

export interface StarSamplerContext {
  runDir: string;
  /** Embedded engine settings. */
  engine: { threads?: number; contextSize?: number; parallelSequences?: number };
  log: (line: string) => void;
}

export function startStarSampler(sampler: StarSampler, context: StarSamplerContext): StarSamplerSession {
  if (sampler.kind === "embedded") return embeddedSampler(context);
  if (sampler.handoff === "restart") return restartingSampler(sampler, context);
  return loraSampler(sampler);
}

function embeddedSampler(context: StarSamplerContext): StarSamplerSession {
  return {
    async open(model) {
      if ((model.format ?? "gguf") !== "gguf") {
        throw new UnsupportedError(
          `the embedded engine runs GGUF files; ${model.path} is a ${model.format} model`,
          {
            hint: "have the trainer export GGUF (llama.cpp's convert_hf_to_gguf.py), or sample with --base-url and --serve-cmd",
          },
        );
      }
      return openLlamaCppEngine({
        modelPath: model.path,
        ...context.engine,
        ...(model.adapter ? { lora: [{ path: model.adapter.path }] } : {}),
      });
    },
    async close() {},
  };
}

type HttpSampler = Extract<StarSampler, { kind: "http" }>;

function httpEngine(sampler: HttpSampler, model: string | undefined, modelId: string): Promise<Engine> {
  return openOpenAIEngine({
    baseUrls: sampler.baseUrls,
    ...(model !== undefined ? { model } : {}),
    ...(sampler.concurrency !== undefined ? { concurrency: sampler.concurrency } : {}),
    ...sampler.request,
    modelId,
  });
}

function loraSampler(sampler: HttpSampler): StarSamplerSession {
  const loaded = new Set<string>();
  let baseName = sampler.servedModel;
  return {
    async open(model, signal) {
      throwIfAborted(signal);
      if (!model.adapter) {
        const engine = await httpEngine(sampler, baseName, modelRefKey(model));
        baseName ??= engine.info.modelName;
        return engine;
      }
      if (baseName === undefined) {
        // Ask before any adapter is loaded, while the base is the one model listed.
        const probe = await httpEngine(sampler, undefined, "probe");
        baseName = probe.info.modelName;
        await probe.dispose();
      }
      const name = `genrm-${fnv1a(model.adapter.id).toString(16).padStart(8, "0")}`;
      if (!loaded.has(name)) {
        for (const url of sampler.baseUrls)
          await loadAdapter(url, sampler.loraApi ?? "vllm", name, model.adapter.path, signal);
        loaded.add(name);
      }
      return httpEngine(sampler, name, modelRefKey(model));
    },
    async close() {},
  };
}

async function loadAdapter(
  baseUrl: string,
  api: "vllm" | "sglang",
  name: string,
  adapterPath: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const origin = new URL(baseUrl).origin;
  const url = api === "vllm" ? `${origin}/v1/load_lora_adapter` : `${origin}/load_lora_adapter`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ lora_name: name, lora_path: path.resolve(adapterPath) }),
    ...(signal ? { signal } : {}),
  }).catch((cause: unknown) => {
    throw new EngineError(
      `could not reach ${url} to load LoRA adapter ${adapterPath}`,
      { endpoint: baseUrl },
      { cause },
    );
  });
  const text = await res.text();
  // vLLM answers 400 for a name it already holds (a resumed run): that adapter is the one we want.
  if (res.ok || (res.status === 400 && text.includes("has already been loaded"))) return;
  throw new EngineError(
    `${url} refused LoRA adapter ${adapterPath}: HTTP ${res.status}: ${text.slice(0, 300)}`,
    { endpoint: baseUrl, status: res.status },
    {
      hint:
        api === "vllm"
          ? "start vLLM with --enable-lora --max-lora-rank <r> and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True; the path must be readable by the server"
          : "start SGLang with --enable-lora (and --max-lora-rank); the path must be readable by the server",
    },
  );
}

function restartingSampler(sampler: HttpSampler, context: StarSamplerContext): StarSamplerSession {
  if (sampler.serveCmd === undefined) {
    throw new ConfigError(["serveCmd: the restart hand-off needs --serve-cmd (the command serving {model})"]);
  }
  const template = sampler.serveCmd;
  let running: { key: string; proc: ShellProcess } | null = null;
  const logFile = path.join(context.runDir, "server.log");
  return {
    async open(model, signal) {
      const key = modelRefKey(model);
      if (running?.key !== key) {
        if (running !== null) {
          context.log(`stopping the sampling server (pid ${running.proc.pid})`);
          await running.proc.stop();
          running = null;
        }
        if (model.adapter && !template.includes("{adapter}")) {
          throw new ConfigError(
            [
              `serveCmd: the model to serve is ${model.path} with the LoRA adapter ${model.adapter.path}, but --serve-cmd has no {adapter} placeholder`,
            ],
            { hint: "e.g. --serve-cmd 'llama-server -m {model} --lora {adapter} --port 8080'" },
          );
        }
        const command = fillCommandTemplate(
          template,
          { model: model.path, adapter: model.adapter?.path ?? "", model_id: model.id },
          "serveCmd",
        );
        context.log(`starting the sampling server: ${command}`);
        const proc = startShellCommand(command, { logFile });
        running = { key, proc };
        await waitReady(sampler, proc, command, logFile, signal);
      }
      return httpEngine(sampler, sampler.servedModel, key);
    },
    async close() {
      if (running !== null) {
        await running.proc.stop();
        running = null;
      }
    },
  };
}

async function waitReady(
  sampler: HttpSampler,
  proc: ShellProcess,
  command: string,
  logFile: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const limit = sampler.readyTimeoutMs ?? defaultReadyTimeoutMs;
  const deadline = Date.now() + limit;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void proc.exited.then((e) => {
    exited = e;
  });
  const origins = sampler.baseUrls.map((u) => new URL(u).origin);
  while (Date.now() < deadline) {
    if (signal?.aborted) {
      await proc.stop();
      throwIfAborted(signal);
    }
    if (exited !== null) {
      const e = exited as { code: number | null; signal: NodeJS.Signals | null };
      throw new ExternalCommandError(
        `the sampling server exited (${e.signal ?? `code ${e.code}`}) before it was ready`,
        { command, exitCode: e.code, logFile, logTail: proc.tail(15) },
      );
    }
    const ready = await Promise.all(origins.map((o) => healthy(o)));
    if (ready.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  await proc.stop();
  throw new ExternalCommandError(
    `the sampling server did not answer ${origins.map((o) => `${o}/health`).join(", ")} within ${Math.round(limit / 1000)} s`,
    { command, exitCode: null, logFile, logTail: proc.tail(15) },
    { hint: "check that --serve-cmd listens where --base-url points, or raise --serve-ready-timeout" },
  );
}

async function healthy(origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
