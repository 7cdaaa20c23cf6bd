/**
 * The engine, sampling and judge flags shared by `eval`, `judge`, `bon` and `serve` (`star` takes
 * the embedded-engine and sampling parts), each declared once, and turned into an Engine and
 * JudgeOptions in one place so every command resolves them the same way.
 *
 * Every default shown or set here is the constant of the library that owns it (`defaultJudgeOptions`,
 * `defaultSampling`, the engine's options), and what the flags leave open `resolveJudgeConfig` fills.
 */
import { type Command, Option } from "commander";
import { defaultLlamaCppEngineOptions } from "../engine/llamacpp/types.js";
import { defaultOpenAIEngineOptions } from "../engine/openai/openAIEngineDefaults.js";
import { type HttpRequestOptions, openEngine } from "../engine/openEngine.js";
import { defaultSampling, type Engine, type SamplingConfig } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import { defaultJudgeOptions, defaultProtocol } from "../judge/judgeDefaults.js";
import type { JudgeOptions } from "../judge/resolveJudgeConfig.js";
import { defaultAdaptive } from "../judge/shouldStop.js";
import type {
  AdaptiveOptions,
  ErrorPolicy,
  JudgeTemplate,
  Order,
  OrderMode,
  Protocol,
  TiePolicy,
} from "../judge/types.js";
import { floatArg, givenOnly, intArg, jsonObjectArg, listArg, withDefault } from "./parseArgs.js";

/** The judge and engine flags `addEngineOptions` / `addJudgeOptions` produce. */
export interface JudgeFlags extends EmbeddedEngineFlags, HttpEngineFlags, SamplingFlags {
  model?: string;
  baseUrl?: string[];
  lora?: string[];
  protocol?: Protocol;
  template?: string;
  k?: number;
  order?: OrderMode;
  adaptive?: true | "decided" | "confidence" | "posterior";
  prior?: number;
  confidence?: number;
  seed?: number;
  tiePolicy?: TiePolicy;
  errorPolicy?: ErrorPolicy;
}

/** --extra-body, --prefill, --samples-per-request, --no-neutral-samplers: how HTTP requests look. */
export interface HttpEngineFlags {
  extraBody?: Record<string, unknown>;
  prefill?: "continue_final_message" | "assistant_message" | "none";
  samplesPerRequest?: number;
  /** Commander sets true unless --no-neutral-samplers. */
  neutralSamplers?: boolean;
}

export interface EmbeddedEngineFlags {
  threads?: number;
  parallel?: number;
  contextSize?: number;
}

export interface SamplingFlags {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
}

/**
 * --threads, --parallel, --context-size: the embedded engine's settings. No commander defaults:
 * `star` merges these over a saved run's, so only flags given may count.
 */
export function addEmbeddedEngineOptions(cmd: Command): Command {
  const d = defaultLlamaCppEngineOptions;
  return cmd
    .option(
      "--threads <n>",
      withDefault("CPU threads for the embedded engine", "real core count"),
      intArg(1, 1024),
    )
    .option(
      "--parallel <n>",
      withDefault("sequences decoded in parallel by the embedded engine", d.parallelSequences),
      intArg(1, 256),
    )
    .option(
      "--context-size <n>",
      withDefault("embedded engine context size in tokens", d.contextSize),
      intArg(64, 1 << 20),
    );
}

/** The HTTP engine's request-shape flags, with the engine's defaults. */
export function addHttpEngineOptions(cmd: Command): Command {
  const d = defaultOpenAIEngineOptions;
  return cmd
    .option(
      "--extra-body <json>",
      "JSON object sent with every request to --base-url servers (e.g. vLLM's chat_template_kwargs)",
      jsonObjectArg,
    )
    .addOption(
      new Option(
        "--prefill <mode>",
        withDefault("how a forced assistant prefix is sent to --base-url servers", d.prefill),
      ).choices(["continue_final_message", "assistant_message", "none"]),
    )
    .option(
      "--samples-per-request <n>",
      withDefault("samples asked for in one request (n) to --base-url servers", d.samplesPerRequest),
      intArg(1, 1024),
    )
    .option(
      "--no-neutral-samplers",
      "do not send top_k -1 / min_p 0 (for APIs that refuse them); by default a sample is drawn with temperature and top-p only",
    );
}

/** HTTP request options from the flags given. */
export function httpEngineFromFlags(flags: HttpEngineFlags): HttpRequestOptions {
  return givenOnly({
    extraBody: flags.extraBody,
    prefill: flags.prefill,
    samplesPerRequest: flags.samplesPerRequest,
    neutralSamplers: flags.neutralSamplers === false ? false : undefined,
  });
}

export function addEngineOptions(cmd: Command): Command {
  return addHttpEngineOptions(
    addEmbeddedEngineOptions(
      cmd
        .option(
          "--model <model>",
          "GGUF file (embedded, default engine) or served model name (with --base-url)",
        )
        .option(
          "--base-url <url>",
          "OpenAI-compatible server base URL; repeat or comma-separate for several",
          listArg,
        )
        .option("--lora <path>", "GGUF LoRA adapter applied to the embedded model; repeatable", listArg),
    ),
  );
}

export interface SamplingOptionsSpec {
  /** The defaults to show (and to set, with `setDefaults`). */
  defaults: SamplingConfig;
  /** What --max-tokens caps, e.g. "per sample". */
  per: string;
  /** Whether commander sets the defaults; false where a saved run's options are merged under the flags. */
  setDefaults: boolean;
}

/** --temperature, --top-p, --max-tokens. */
export function addSamplingOptions(cmd: Command, spec: SamplingOptionsSpec): Command {
  const { defaults, per, setDefaults } = spec;
  const flag = (flags: string, text: string, parse: (v: string) => number, value: number) =>
    setDefaults ? cmd.option(flags, text, parse, value) : cmd.option(flags, withDefault(text, value), parse);
  flag("--temperature <t>", "sampling temperature", floatArg(0, 10), defaults.temperature);
  flag("--top-p <p>", "nucleus sampling", floatArg(0, 1), defaults.topP);
  return flag("--max-tokens <n>", `max new tokens ${per}`, intArg(1, 1 << 20), defaults.maxTokens);
}

/** The judge flags, with the judge library's defaults set (these commands save no options to resume). */
export function addJudgeOptions(cmd: Command): Command {
  const d = defaultJudgeOptions;
  cmd
    .addOption(
      new Option("--protocol <p>", "cot: rationale then verdict; direct: verdict-token probability")
        .choices(["cot", "direct"])
        .default(defaultProtocol),
    )
    .option(
      "--template <idOrPath>",
      "built-in template id or a JSON template file (see `genrm templates list`)",
    )
    .option("-k, --k <n>", "samples per order (self-consistency / maj@k)", intArg(1, 1024), d.k)
    .addOption(
      new Option("--order <mode>", "A/B order: both orders, one seeded random order per pair, or fixed AB")
        .choices(["both", "random", "fixed"])
        .default(d.orderMode),
    )
    .addOption(
      new Option(
        "--adaptive [mode]",
        withDefault(
          "stop sampling a pair early: decided (never changes the full vote), confidence (Wilson), posterior (Beta-Binomial)",
          defaultAdaptive.mode,
        ),
      ).choices(["decided", "confidence", "posterior"]),
    )
    .option(
      "--confidence <p>",
      withDefault("level for --adaptive confidence / posterior", defaultAdaptive.confidence),
      floatArg(0.5, 0.999999),
    )
    .option(
      "--prior <a>",
      withDefault(
        "Beta(a, a) prior over a pair's vote share for --adaptive posterior",
        defaultAdaptive.prior,
      ),
      floatArg(0.001),
    )
    .option("--seed <n>", "seed for orders and samples", intArg(0, 2 ** 31 - 1), d.seed);
  return addSamplingOptions(cmd, { defaults: d.sampling, per: "per sample", setDefaults: true })
    .addOption(
      new Option("--tie-policy <p>", withDefault("what an even vote becomes", d.tiePolicy)).choices([
        "half",
        "A",
        "B",
        "error",
        "logprob",
      ]),
    )
    .addOption(
      new Option(
        "--error-policy <p>",
        withDefault("what unparseable samples do to the vote", d.errorPolicy),
      ).choices(["ignore", "plurality", "strict"]),
    );
}

export async function openJudgeEngine(flags: JudgeFlags): Promise<Engine> {
  if (!flags.baseUrl) {
    const given = Object.keys(httpEngineFromFlags(flags));
    if (given.length > 0) {
      throw new ConfigError(
        given.map((k) => `${k}: applies to --base-url servers only; the embedded engine has no such setting`),
      );
    }
  }
  return openEngine({
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.baseUrl ? { baseUrls: flags.baseUrl } : {}),
    ...embeddedEngineFromFlags(flags),
    ...(flags.lora ? { lora: flags.lora.map((p) => ({ path: p })) } : {}),
    ...(flags.baseUrl ? { http: httpEngineFromFlags(flags) } : {}),
  });
}

export function embeddedEngineFromFlags(flags: EmbeddedEngineFlags): {
  threads?: number;
  parallelSequences?: number;
  contextSize?: number;
} {
  return givenOnly({
    threads: flags.threads,
    parallelSequences: flags.parallel,
    contextSize: flags.contextSize,
  });
}

/** The sampling flags given, over `defaults`. */
export function samplingFromFlags(
  flags: SamplingFlags,
  defaults: SamplingConfig = defaultSampling,
): SamplingConfig {
  return {
    ...defaults,
    ...givenOnly({ temperature: flags.temperature, topP: flags.topP, maxTokens: flags.maxTokens }),
  };
}

/** JudgeOptions with every setting resolved: what the judge will use, to record and to hash. */
export interface ResolvedJudgeOptions extends JudgeOptions {
  protocol: Protocol;
  template: JudgeTemplate;
  k: number;
  orderMode: OrderMode;
  fixedOrder: Order;
  seed: number;
  sampling: SamplingConfig;
  adaptive: false | Required<AdaptiveOptions>;
  chunkSize: number;
  tiePolicy: TiePolicy;
  errorPolicy: ErrorPolicy;
  smoothing: "none" | "laplace";
}

/** The flags given, resolved by `resolveJudgeConfig` (so a bad combination fails before any engine opens). */
export async function judgeOptionsFromFlags(flags: JudgeFlags): Promise<ResolvedJudgeOptions> {
  // Imported here: the command table loads this module for its flags, and must stay light.
  const [{ loadTemplate }, { resolveJudgeConfig }] = await Promise.all([
    import("../judge/templates/loadTemplate.js"),
    import("../judge/resolveJudgeConfig.js"),
  ]);
  const template = flags.template ? await loadTemplate(flags.template) : undefined;
  const c = resolveJudgeConfig({
    ...givenOnly({
      protocol: flags.protocol,
      template,
      k: flags.k,
      orderMode: flags.order,
      seed: flags.seed,
      tiePolicy: flags.tiePolicy,
      errorPolicy: flags.errorPolicy,
    }),
    sampling: samplingFromFlags(flags),
    ...(flags.adaptive
      ? {
          adaptive: {
            mode: flags.adaptive === true ? defaultAdaptive.mode : flags.adaptive,
            ...givenOnly({ confidence: flags.confidence, prior: flags.prior }),
          },
        }
      : {}),
  });
  return {
    protocol: c.protocol,
    template: c.template,
    k: c.k,
    orderMode: c.orderMode,
    fixedOrder: c.fixedOrder,
    seed: c.seed,
    sampling: c.sampling,
    adaptive: c.adaptive ?? false,
    chunkSize: c.chunkSize,
    tiePolicy: c.tiePolicy,
    errorPolicy: c.errorPolicy,
    smoothing: c.smoothing,
  };
}

/** The resolved settings as JSON (the template by id and hash, in the judge's info), for run records. */
export function judgeSettings(o: ResolvedJudgeOptions) {
  return {
    protocol: o.protocol,
    k: o.k,
    orderMode: o.orderMode,
    fixedOrder: o.fixedOrder,
    seed: o.seed,
    sampling: o.sampling,
    adaptive: o.adaptive === false ? null : o.adaptive,
    chunkSize: o.chunkSize,
    tiePolicy: o.tiePolicy,
    errorPolicy: o.errorPolicy,
    smoothing: o.smoothing,
  };
}
