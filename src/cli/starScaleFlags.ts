/**
 * `genrm star`'s flags for running at scale: an external trainer (`--trainer command`) and sampling
 * servers with a model hand-off (`--base-url`, `--handoff`, `--serve-cmd`); docs/star-at-scale.md.
 */
import { type Command, Option } from "commander";
import { ConfigError } from "../errors.js";
import type { CommandTrainer } from "../star/runCommandTrainer.js";
import type { StarSampler } from "../star/starSampler.js";
import { defaultReadyTimeoutMs, trainerPlaceholders } from "../star/starScaleDefaults.js";
import { addHttpEngineOptions, type HttpEngineFlags, httpEngineFromFlags } from "./judgeFlags.js";
import { intArg, listArg, withDefault } from "./parseArgs.js";

export interface StarScaleFlags extends HttpEngineFlags {
  trainer?: "embedded" | "command";
  trainerCmd?: string;
  trainerTimeout?: number;
  baseUrl?: string[];
  servedModel?: string;
  handoff?: "lora" | "restart";
  loraApi?: "vllm" | "sglang";
  serveCmd?: string;
  serveReadyTimeout?: number;
}

export function addStarScaleOptions(cmd: Command): Command {
  return addHttpEngineOptions(
    cmd
      .addOption(
        new Option("--trainer <kind>", withDefault("who trains each iteration", "embedded")).choices([
          "embedded",
          "command",
        ]),
      )
      .option(
        "--trainer-cmd <template>",
        `--trainer command: the trainer's command line; placeholders ${trainerPlaceholders.map((p) => `{${p}}`).join(" ")}`,
      )
      .option(
        "--trainer-timeout <s>",
        "--trainer command: stop a training run after this many seconds",
        intArg(1),
      )
      .option(
        "--base-url <url>",
        "sample from OpenAI-compatible servers (vLLM, SGLang, llama-server) instead of in-process; repeatable",
        listArg,
      )
      .option("--served-model <name>", "the base model's name on the server (default: the one it lists)")
      .addOption(
        new Option(
          "--handoff <how>",
          "how a new model reaches the server: hot-load its LoRA adapter, or restart the server with --serve-cmd (default: restart with --serve-cmd, else lora)",
        ).choices(["lora", "restart"]),
      )
      .addOption(
        new Option(
          "--lora-api <server>",
          withDefault("--handoff lora: the adapter-loading API", "vllm"),
        ).choices(["vllm", "sglang"]),
      )
      .option(
        "--serve-cmd <template>",
        "command that serves {model} (and {adapter}) where --base-url points; genrm starts it per model and stops it at the end",
      )
      .option(
        "--serve-ready-timeout <s>",
        withDefault("seconds a started server has to answer /health", defaultReadyTimeoutMs / 1000),
        intArg(1),
      ),
  );
}

export function starScaleFromFlags(o: StarScaleFlags): { trainer?: CommandTrainer; sampler?: StarSampler } {
  const issues: string[] = [];
  const kind = o.trainer ?? (o.trainerCmd !== undefined ? "command" : "embedded");
  if (kind === "command" && o.trainerCmd === undefined)
    issues.push("trainerCmd: --trainer command needs --trainer-cmd '<command template>'");
  if (kind === "embedded" && o.trainerCmd !== undefined)
    issues.push("trainerCmd: --trainer-cmd goes with --trainer command");
  const remote = o.baseUrl !== undefined && o.baseUrl.length > 0;
  if (!remote) {
    for (const [flag, value] of [
      ["served-model", o.servedModel],
      ["handoff", o.handoff],
      ["lora-api", o.loraApi],
      ["serve-cmd", o.serveCmd],
      ["serve-ready-timeout", o.serveReadyTimeout],
    ] as const) {
      if (value !== undefined) issues.push(`${flag}: applies to sampling servers; add --base-url`);
    }
    for (const key of Object.keys(httpEngineFromFlags(o)))
      issues.push(`${key}: applies to sampling servers; add --base-url`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const trainer: CommandTrainer | undefined =
    kind === "command"
      ? {
          kind: "command",
          command: o.trainerCmd!,
          ...(o.trainerTimeout !== undefined ? { timeoutMs: o.trainerTimeout * 1000 } : {}),
        }
      : undefined;
  if (!remote) return trainer ? { trainer } : {};
  const request = httpEngineFromFlags(o);
  const sampler: StarSampler = {
    kind: "http",
    baseUrls: o.baseUrl!,
    handoff: o.handoff ?? (o.serveCmd !== undefined ? "restart" : "lora"),
    ...(o.servedModel !== undefined ? { servedModel: o.servedModel } : {}),
    ...(o.loraApi !== undefined ? { loraApi: o.loraApi } : {}),
    ...(o.serveCmd !== undefined ? { serveCmd: o.serveCmd } : {}),
    ...(o.serveReadyTimeout !== undefined ? { readyTimeoutMs: o.serveReadyTimeout * 1000 } : {}),
    ...(Object.keys(request).length > 0 ? { request } : {}),
  };
  return { ...(trainer ? { trainer } : {}), sampler };
}
