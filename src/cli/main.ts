/**
 * The `genrm` command table. Each action lazily imports its command module, so `genrm --help`
 * stays fast and HTTP-only users never load llama.cpp. Errors are caught once, here.
 */
import { Command, CommanderError, Option } from "commander";
import { defaultGenerateCandidatesOptions } from "../bon/generateCandidates.js";
import { defaultRunBonOptions } from "../bon/runBon.js";
import { defaultDemoOptions } from "../demo/demoDefaults.js";
import { GenrmError, InternalError } from "../errors.js";
import { defaultBootstrap } from "../eval/bootstrapCI.js";
import { defaultTemplates, directPairV2 } from "../judge/templates/builtinTemplates.js";
import { defaultReportOptions } from "../report/runReport/reportDefaults.js";
import { defaultJudgingConcurrency } from "../run/runJudging.js";
import { defaultServeOptions } from "../serve/resolveServeConfig.js";
import { defaultStartServerOptions as serveDefaults } from "../serve/serveDefaults.js";
import { defaultStarOptions, defaultStarTrain, rationalizerLrFull } from "../star/starDefaults.js";
import { starMethods } from "../star/types.js";
import { describeTrainOption, type TrainOptionHelpKey, trainMethods } from "../train/trainDefaults.js";
import { genrmVersion } from "../version.js";
import { defaultMeasureWorldOptions } from "../world/pretrain/measureDefaults.js";
import {
  addEmbeddedEngineOptions,
  addEngineOptions,
  addJudgeOptions,
  addSamplingOptions,
} from "./judgeFlags.js";
import { floatArg, intArg, listArg, progressOption, withDefault } from "./parseArgs.js";
import { addStarScaleOptions } from "./starScaleFlags.js";
import { addTrainerOptions } from "./trainerFlags.js";

/** Runs a command by name; injectable so tests can check argv → options without running anything. */
export type Dispatch = (command: string, options: Record<string, unknown>, args?: string[]) => Promise<void>;

export const dispatchCommand: Dispatch = async (command, options, args = []) => {
  const o = options as never;
  switch (command) {
    case "eval": {
      if ((options as { listwise?: string }).listwise !== undefined) {
        const { runListwiseEvalCommand, printListwiseResult } = await import("./commands/evalListwise.js");
        const result = await runListwiseEvalCommand(o);
        printListwiseResult(result, { json: Boolean(options.json) });
        if (result.interrupted) process.exitCode = 130;
        return;
      }
      const { runEvalCommand, printEvalResult } = await import("./commands/eval.js");
      const result = await runEvalCommand(o);
      printEvalResult(result, { json: Boolean(options.json) });
      if (result.interrupted) process.exitCode = 130;
      return;
    }
    case "judge":
      await (await import("./commands/judge.js")).runJudgeCommand(o);
      return;
    case "data formats":
      return (await import("./commands/data.js")).runDataFormats(o);
    case "data inspect":
      return (await import("./commands/data.js")).runDataInspect(args[0], o);
    case "data convert":
      return (await import("./commands/data.js")).runDataConvert(args[0], o);
    case "data split":
      return (await import("./commands/data.js")).runDataSplit(args[0], o);
    case "templates list":
      return (await import("./commands/templates.js")).runTemplatesList(o);
    case "templates show":
      return (await import("./commands/templates.js")).runTemplatesShow(args[0]);
    case "model tiny":
      return (await import("./commands/model.js")).runModelTiny(o);
    case "store":
      return (await import("./commands/store.js")).runStoreStats(o);
    case "bon": {
      const { runBonCommand, printBonReport } = await import("./commands/bon.js");
      const report = await runBonCommand(o);
      printBonReport(report, { json: Boolean(options.json), out: options.out as string | undefined });
      return;
    }
    case "serve":
      return (await import("./commands/serve.js")).runServeCommand(o);
    case "train": {
      if (typeof options.fromSpec === "string") {
        const { trainFromSpecCommand } = await import("./commands/train.js");
        const run = await trainFromSpecCommand(options.fromSpec, o);
        if (run.result?.stopReason === "aborted") process.exitCode = 130;
        return;
      }
      const { runTrainCommand, printTrainResult } = await import("./commands/train.js");
      const result = await runTrainCommand(o);
      printTrainResult(result, { json: Boolean(options.json) });
      if (result.result.stopReason === "aborted") process.exitCode = 130;
      return;
    }
    case "star": {
      const { runStarCommand, printStarResult } = await import("./commands/star.js");
      const result = await runStarCommand(o);
      printStarResult(result, { json: Boolean(options.json) });
      if (result.stopReason === "aborted") process.exitCode = 130;
      return;
    }
    case "demo":
      await (await import("./commands/demo.js")).runDemoCommand(o);
      return;
    case "export":
      await (await import("./commands/export.js")).runExportCommand(o);
      return;
    case "report":
      await (await import("./commands/report.js")).runReportCommand(args, o);
      return;
    case "world pretrain":
      await (await import("./commands/world.js")).runWorldPretrain(o);
      return;
    case "world measure":
      await (await import("./commands/world.js")).runWorldMeasure(o);
      return;
    case "world generate":
      await (await import("./commands/world.js")).runWorldGenerate(o);
      return;
    default:
      throw new InternalError(`no dispatcher for command "${command}"`);
  }
};

export function buildProgram(dispatch: Dispatch = dispatchCommand): Command {
  const program = new Command("genrm")
    .description(
      "Generative reward models: LLM judges trained on human preferences, evaluated and served as rewards.",
    )
    .version(genrmVersion())
    .showHelpAfterError("(add --help for usage)");

  addJudgeOptions(
    addEngineOptions(
      program
        .command("eval")
        .description("judge a preference dataset and report agreement with the human labels")
        .requiredOption("--data <path>", "preference data (jsonl, jsonl.gz, json, parquet, csv, or a folder)")
        .option("--format <name>", "data adapter (default: auto-detect; see `genrm data formats`)")
        .option(
          "--map <mapping>",
          "generic field mapping, e.g. prompt=input,a=output_1,b=output_2,label=pref",
        )
        .option("--skip-invalid", "skip and count invalid records instead of stopping")
        .option("--limit <n>", "judge only the first n pairs", intArg(1)),
    ),
  )
    .addOption(
      new Option("--baseline <name>", "a model-free judge instead of a model").choices(["length", "random"]),
    )
    .addOption(
      new Option(
        "--listwise <protocol>",
        "judge RewardBench 2 / RM-Bench rows whole: rating (1-10 per answer) or ranking (best of four, [[A]]..[[D]]); -k samples per prompt",
      ).choices(["rating", "ranking"]),
    )
    .option(
      "--head <file>",
      "judge with a BT or PairRM head from `genrm train` (<run>/head.ckpt) on its trained model; --model / --lora override the model files it records",
    )
    .option("--concurrency <n>", "pairs judged at once", intArg(1, 4096), defaultJudgingConcurrency)
    .option("--out <dir>", "run directory (default: runs/eval-<data>-<judge>-<config hash>)")
    .option("--store <file>", "SQLite sample store (default: .genrm/store.db or $GENRM_STORE)")
    .option(
      "--fresh",
      "ignore judgments already in the run directory (the sample store still serves samples)",
    )
    .option(
      "--dump-prompts <file>",
      "write every prompt the judge sends (messages, prefix, prompt hash; with a GGUF, the exact text and token ids) as JSONL",
    )
    .option(
      "--bootstrap <n>",
      "bootstrap resamples for confidence intervals",
      intArg(0, 1_000_000),
      defaultBootstrap.resamples,
    )
    .addOption(progressOption())
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      `
Examples:
  genrm eval --data ../shared/data/llmbar --model judge.gguf -k 8 --order random
  genrm eval --data prefs.jsonl --base-url http://gpu1:8000/v1,http://gpu2:8000/v1 --model Qwen/Qwen2.5-7B-Instruct -k 8
  genrm eval --data prefs.jsonl --baseline length --json
  genrm eval --data reward-bench-2.parquet --model judge.gguf --listwise ranking -k 1 --temperature 0
  genrm eval --data prefs.jsonl --head runs/bt/head.ckpt --out runs/eval-bt
  genrm eval --data prefs.jsonl --head runs/pairrm/head.ckpt --model base.gguf --lora runs/pairrm/adapter.gguf --order random`,
    )
    .action((opts) => dispatch("eval", opts));

  addJudgeOptions(
    addEngineOptions(
      program
        .command("judge")
        .description("judge one pair given on the command line and print the rationales and verdict")
        .requiredOption("--prompt <text>", "the user prompt")
        .requiredOption("--a <text>", "response A")
        .requiredOption("--b <text>", "response B"),
    ),
  )
    .option("--json", "print the full Judgment as JSON")
    .option(
      "--show-prompt",
      "print each prompt the judge sends: messages, forced prefix, prompt hash, and with a GGUF the exact text and token ids",
    )
    .addHelpText(
      "after",
      `
Example:
  genrm judge --model judge.gguf --prompt "Name two ocean animals" --a "Dolphin and shark." --b "Sharks, whales and dolphins." -k 4`,
    )
    .action((opts) => dispatch("judge", opts));

  const data = program.command("data").description("inspect, convert and split preference data");
  data
    .command("formats")
    .description("list the data adapters and what they read")
    .option("--json", "machine-readable output")
    .action((opts) => dispatch("data formats", opts));
  data
    .command("inspect <path>")
    .description("validate a dataset and print counts, labels, subsets, lengths and every invalid record")
    .option("--format <name>", "data adapter (default: auto-detect)")
    .option("--map <mapping>", "generic field mapping")
    .option("--strict", "exit with an error at the first invalid record")
    .option("--json", "machine-readable output")
    .action((file, opts) => dispatch("data inspect", opts, [file]));
  data
    .command("convert <path>")
    .description("convert any supported format to genrm's canonical pairs JSONL")
    .requiredOption("--out <file>", "output .jsonl")
    .option("--format <name>", "data adapter (default: auto-detect)")
    .option("--map <mapping>", "generic field mapping")
    .option("--skip-invalid", "skip and count invalid records")
    .action((file, opts) => dispatch("data convert", opts, [file]));
  data
    .command("split <path>")
    .description("deterministic split by pair id into named parts")
    .requiredOption("--out-dir <dir>", "where to write <part>.jsonl")
    .option("--fractions <spec>", "e.g. train=0.8,test=0.2", "train=0.8,test=0.2")
    .option("--seed <n>", "split seed", intArg(0), 0)
    .option("--format <name>", "data adapter (default: auto-detect)")
    .option("--map <mapping>", "generic field mapping")
    .option("--skip-invalid", "skip and count invalid records")
    .action((file, opts) => dispatch("data split", opts, [file]));

  const templates = program.command("templates").description("judge prompt templates");
  templates
    .command("list")
    .description("list built-in templates with their ids and content hashes")
    .option("--json", "machine-readable output")
    .action((opts) => dispatch("templates list", opts));
  templates
    .command("show <idOrPath>")
    .description("print a template and its hash")
    .action((id, opts) => dispatch("templates show", opts, [id]));

  const model = program.command("model").description("model utilities");
  model
    .command("tiny")
    .description("write a small random-weight Llama-architecture GGUF (for tests, demos and benchmarks)")
    .requiredOption("--out <file>", "output .gguf")
    .option("--hidden <n>", "hidden size", intArg(8), 64)
    .option("--layers <n>", "layers", intArg(1), 2)
    .option("--heads <n>", "attention heads", intArg(1), 4)
    .option("--kv-heads <n>", "KV heads (GQA)", intArg(1))
    .option("--ffn <n>", "FFN size", intArg(8))
    .option("--vocab <n>", "vocabulary size", intArg(300))
    .option(
      "--vocab-from <gguf>",
      "copy this GGUF's tokenizer (llama.cpp's models/ggml-vocab-*.gguf or any model) instead of the built-in byte-level BPE",
    )
    .addOption(new Option("--arch <arch>", "architecture").choices(["llama", "mistral", "qwen2", "qwen3"]))
    .option(
      "--chat-template <file|name>",
      "Jinja chat template: a file, or chatml | llama2 | mistral | llama3 | qwen2.5 | phi3 | gemma2 (default: the --vocab-from file's own, else ChatML)",
    )
    .option("--seed <n>", "weight seed", intArg(0), 0)
    .addHelpText(
      "after",
      `
Examples:
  genrm model tiny --out tiny.gguf
  genrm model tiny --out llama2-tiny.gguf --vocab-from ggml-vocab-llama-spm.gguf --arch llama --chat-template llama2
  genrm model tiny --out qwen-tiny.gguf --vocab-from ggml-vocab-qwen2.gguf --arch qwen2 --chat-template qwen2.5.jinja`,
    )
    .action((opts) => dispatch("model tiny", opts));

  program
    .command("store")
    .description("sample store statistics and run ledger")
    .option("--store <file>", "SQLite sample store (default: .genrm/store.db or $GENRM_STORE)")
    .option("--json", "machine-readable output")
    .action((opts) => dispatch("store", opts));

  program
    .command("report")
    .description("one self-contained HTML page comparing eval, train and star runs side by side")
    .argument("<run-dir...>", "run directories written by genrm eval, train or star")
    .option("--out <file>", "the page to write", defaultReportOptions.out)
    .option("--examples <n>", "failure examples per eval run", intArg(0, 1000), defaultReportOptions.examples)
    .addHelpText(
      "after",
      `
Examples:
  genrm report runs/eval-llmbar-a runs/eval-llmbar-b runs/train-dpo --out report.html`,
    )
    .action((dirs, opts) => dispatch("report", opts, dirs));

  addJudgeOptions(
    addEngineOptions(
      program
        .command("bon")
        .description("Best-of-N selection with a pairwise judge, scored against human rankings")
        .requiredOption(
          "--data <path>",
          "BoN JSONL ({prompt, candidates}) or a dataset folder (xstest, llmfao, mt-bench)",
        )
        .addOption(
          new Option("--format <name>", "data format (default: detected)").choices([
            "jsonl",
            "xstest",
            "llmfao",
            "mt-bench",
          ]),
        )
        .option("--limit <n>", "only the first n prompts", intArg(1))
        .option("--candidates-per-prompt <n>", "keep a seeded subset of each prompt's candidates", intArg(2))
        .addOption(
          new Option("--scheme <name>", "selection scheme")
            .choices(["knockout", "copeland", "bradley-terry", "reference", "scalar"])
            .default(defaultRunBonOptions.scheme),
        ),
    ),
  )
    .addOption(
      new Option("--baseline <name>", "a model-free pairwise judge instead of a model").choices([
        "length",
        "random",
      ]),
    )
    .addOption(
      new Option(
        "--listwise <protocol>",
        "rating: the model rates each candidate 1-10 (-k samples, mean) and the best rated is selected (scheme scalar; a tie at the top shares the pick)",
      ).choices(["rating"]),
    )
    .option(
      "--policy-model <model>",
      "generate candidates with this GGUF (or served model, with --policy-base-url)",
    )
    .option("--policy-base-url <url>", "OpenAI-compatible server of the policy; repeatable", listArg)
    .option("--n <n>", "candidates generated per prompt", intArg(1, 1024), defaultGenerateCandidatesOptions.n)
    .option(
      "--policy-temperature <t>",
      "policy sampling temperature",
      floatArg(0, 10),
      defaultGenerateCandidatesOptions.sampling.temperature,
    )
    .option(
      "--policy-max-tokens <n>",
      "max tokens per generated candidate",
      intArg(1, 1 << 20),
      defaultGenerateCandidatesOptions.sampling.maxTokens,
    )
    .option("--max-comparisons <n>", "judge calls allowed per prompt", intArg(0))
    .option("--token-budget <n>", "judge tokens allowed per prompt", intArg(0))
    .option(
      "--concurrency <n>",
      "prompts selected at once",
      intArg(1, 4096),
      defaultRunBonOptions.concurrency,
    )
    .option(
      "--judge-concurrency <n>",
      "games judged at once within a prompt",
      intArg(1, 4096),
      defaultRunBonOptions.judgeConcurrency,
    )
    .option("--store <file>", "SQLite sample store to reuse judge samples across runs")
    .option("--out <file>", "write the full report (per-prompt results and provenance) as JSON")
    .addOption(progressOption())
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Examples:
  genrm bon --data ../shared/data/xstest --model judge.gguf --protocol direct --scheme knockout
  genrm bon --data ../shared/data/llmfao --candidates-per-prompt 8 --model judge.gguf --scheme bradley-terry
  genrm bon --data ../shared/data/mt-bench --policy-model policy.gguf --n 4 --model judge.gguf --out bon.json
  genrm bon --data ../shared/data/xstest --baseline length --json
  genrm bon --data ../shared/data/llmfao --candidates-per-prompt 4 --model judge.gguf --listwise rating -k 4`,
    )
    .action((opts) => dispatch("bon", opts));

  const serve = defaultServeOptions;
  addJudgeOptions(
    addEngineOptions(
      program
        .command("serve")
        .description("HTTP reward server: OpenRLHF /get_reward, /v1/judge, /v1/rank, /health, /metrics"),
    ),
  )
    .option("--host <host>", "address to bind", serveDefaults.host)
    .option("--port <n>", "port", intArg(0, 65535), serveDefaults.port)
    .option("--token <token>", "bearer token clients must send (default: $GENRM_SERVE_TOKEN)")
    .option("--no-auth", "serve beyond loopback without a token")
    .option("--concurrency <n>", "judgments in flight to the engine", intArg(1, 4096), serve.concurrency)
    .option("--max-queue <n>", "requests admitted at once; beyond it 429", intArg(1), serve.maxQueue)
    .option("--timeout <s>", "per-request deadline in seconds (504)", floatArg(0.001), serve.timeoutMs / 1000)
    .option("--max-body <bytes>", "largest request body (413)", intArg(1), serve.maxBodyBytes)
    .addOption(
      new Option("--scheme <name>", "default /v1/rank scheme")
        .choices(["knockout", "copeland", "bradley-terry", "reference", "scalar"])
        .default(serve.scheme),
    )
    .addOption(
      new Option(
        "--reward-mode <mode>",
        "/get_reward: reference (labels), group (same-prompt rollouts), or auto",
      )
        .choices(["auto", "reference", "group"])
        .default(serve.rewardMode),
    )
    .option(
      "--drain-timeout <s>",
      "seconds to let in-flight requests finish on shutdown",
      floatArg(0),
      serveDefaults.drainTimeoutMs / 1000,
    )
    .option("--group-size <n>", "assemble groups of n same-prompt rollouts across requests", intArg(2, 64))
    .option(
      "--group-timeout <ms>",
      withDefault("how long a group waits for its rollouts", defaultServeOptions.groupTimeoutMs),
      intArg(1),
    )
    .option(
      "--max-open-groups <n>",
      "groups held at once; one more closes the oldest (default --max-queue)",
      intArg(1),
    )
    .addOption(
      new Option("--group-scheme <name>", "how a group's rollouts are judged against each other")
        .choices(["round-robin", "knockout", "anchor"])
        .default("round-robin"),
    )
    .addOption(
      new Option("--group-normalize <how>", "normalise each group's rewards")
        .choices(["none", "grpo"])
        .default("none"),
    )
    .addOption(
      new Option(
        "--listwise <protocol>",
        "rating: /get_reward and /v1/reward rate each rollout 1-10 (-k samples, mean; reward = rating, score = (rating-1)/9) instead of comparing it; /v1/rank scheme scalar uses the ratings",
      ).choices(["rating"]),
    )
    .addHelpText(
      "after",
      `
Examples:
  genrm serve --model judge.gguf --protocol direct --group-size 8 --group-timeout 30000
  genrm serve --model judge.gguf --protocol direct --parallel 8 --port 8000
  genrm serve --model judge.gguf --listwise rating -k 4 --temperature 0.7 --group-normalize grpo
  GENRM_SERVE_TOKEN=secret genrm serve --model judge.gguf --host 0.0.0.0 --protocol cot -k 4
  curl -s localhost:8000/get_reward -d '{"query": ["<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\nHello!"], "labels": ["Hi."]}'`,
    )
    .action((opts) => dispatch("serve", opts));

  addTrainerOptions(
    program
      .command("train")
      .description("fine-tune a GGUF model: SFT, DPO, Bradley–Terry head, PairRM head or GenRM verdict token")
      .addOption(
        new Option("--method <method>", "objective (see docs/training.md)").choices([...trainMethods]),
      )
      .option("--model <gguf>", "base model GGUF (llama, qwen2, qwen3; F32/F16/BF16/Q8_0)")
      .option(
        "--data <path>",
        "training rows ({messages} | {prompt, completion} | {prompt, chosen, rejected} | {prompt, response_a, response_b, label}) or any preference format",
      )
      .option("--out <dir>", "run directory: checkpoints, metrics.jsonl, exports (required)")
      .option(
        "--from-spec <file>",
        "train as `genrm star --trainer command` asks: read its train-spec.json, write the model and trainer-result.json (docs/star-at-scale.md)",
      )
      .option("--eval-data <path>", "held-out rows, same formats")
      .addOption(
        new Option("--data-format <f>", "read --data as training rows or as preference pairs").choices([
          "auto",
          "rows",
          "pairs",
        ]),
      )
      .option("--pair-format <name>", "pair adapter for --data-format pairs (see `genrm data formats`)")
      .option("--skip-invalid", "skip and count invalid records instead of stopping"),
  )
    .option("--warmup <ratio>", describeTrainOption("warmupRatio"), floatArg(0, 1))
    .option("--min-lr-ratio <r>", describeTrainOption("minLrRatio"), floatArg(0, 1))
    .option("--weight-decay <wd>", describeTrainOption("weightDecay"), floatArg(0))
    .option("--grad-clip <norm>", describeTrainOption("gradClip"), floatArg(0))
    .option("--seed <n>", describeTrainOption("seed"), intArg(0, 2 ** 31 - 1))
    .option("--label-smoothing <e>", describeTrainOption("labelSmoothing"), floatArg(0, 0.5))
    .option("--center-rewards <c>", describeTrainOption("centerRewardsCoefficient"), floatArg(0))
    .addOption(new Option("--orders <mode>", describeTrainOption("orders")).choices(["random", "both"]))
    .option("--template <idOrPath>", withDefault("judge template for PairRM/GenRM inputs", directPairV2.id))
    .option("--eval-every <n>", describeTrainOption("evalEvery"), intArg(0))
    .option("--keep-checkpoints <n>", describeTrainOption("keepCheckpoints"), intArg(1))
    .option("--recompute", describeTrainOption("recompute"))
    .option("--no-recompute", "keep every layer's activations whatever the estimate")
    .option("--memory-limit <GiB>", describeTrainOption("memoryLimitGiB"), floatArg(0.1))
    .option("--ref-model <gguf>", "DPO reference model (default: the starting model)")
    .option("--merge", "LoRA runs: also write the merged model.gguf")
    .option("--resume", "continue from the run directory's latest checkpoint (settings from its run.json)")
    .addOption(progressOption())
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  genrm train --method sft --model base.gguf --data rationales.jsonl --out runs/star-sft --epochs 3
  genrm train --method dpo --model base.gguf --data pairs.jsonl --out runs/star-dpo --beta 1.0 --lr 1e-5 --lora-rank 16
  genrm train --method genrm --model base.gguf --data ../shared/data/llmbar --out runs/genrm --eval-data heldout.jsonl --eval-every 50
  genrm train --method bt --model base.gguf --data prefs.jsonl --out runs/bt --full --lr 1e-6 --save-every 100
  genrm train --resume --out runs/star-dpo`,
    )
    .action((opts) => dispatch("train", opts));

  program
    .command("export")
    .description("write a training checkpoint as GGUF: the merged model, or the LoRA adapter alone")
    .requiredOption("--checkpoint <path>", "a .ckpt file or a run directory (its latest checkpoint)")
    .requiredOption("--out <gguf>", "output .gguf (a BT/PairRM head goes to <out>.head.ckpt)")
    .option("--adapter", "write only the LoRA adapter (llama.cpp loads it next to the base model)")
    .option("--model <gguf>", "base model, when it moved since training")
    .addOption(
      new Option("--tensor-type <t>", "merged matrices' storage (default: as in the base GGUF)").choices([
        "source",
        "f32",
        "f16",
        "bf16",
        "q8_0",
      ]),
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  genrm export --checkpoint runs/star-dpo --out judge.gguf
  genrm export --checkpoint runs/star-dpo/checkpoints/step-0000200.ckpt --out judge-lora.gguf --adapter`,
    )
    .action((opts) => dispatch("export", opts));

  const measure = defaultMeasureWorldOptions;
  const world = program
    .command("world")
    .description("the mini world: a synthetic preference domain and its base model");
  world
    .command("pretrain")
    .description(
      "pretrain the mini world's base model from scratch (corpus, BPE tokenizer, random init, genrm's trainer) and write an F16 GGUF plus <out>.json",
    )
    .option("--out <gguf>", "output .gguf (the run directory is <out>.run)", "world-base.gguf")
    .option("--seed <n>", "seed of the corpus, the weights and the data order", intArg(0, 2 ** 31 - 1), 0)
    .option("--rows <n>", "corpus rows (default 24000; 1200 with --quick)", intArg(1))
    .option("--epochs <n>", "passes over the corpus (default 3; 1 with --quick)", floatArg(0.01, 1000))
    .option("--lr <x>", "peak learning rate (default 3e-3)", floatArg(0, 1))
    .addOption(
      new Option(
        "--step-format <format>",
        "how the corpus writes worked steps: compact 3+4=7. or spaced 3 + 4 = 7. (default: the preset's)",
      ).choices(["compact", "spaced"]),
    )
    .option("--batch-size <n>", "sequences per step (default 16)", intArg(1, 4096))
    .option("--hidden <n>", "model width (default 128; 96 with --quick); FFN is 3x", intArg(8, 8192))
    .option("--layers <n>", "decoder layers (default 4; 3 with --quick)", intArg(1, 256))
    .option("--heads <n>", "attention heads; hidden must divide by it (default 4)", intArg(1, 256))
    .option("--kv-heads <n>", "key/value heads; heads must divide by it (default 2)", intArg(1, 256))
    .option("--quick", "a much weaker model in about 2 minutes (for tests)")
    .option("--resume", "continue from the latest checkpoint in <out>.run")
    .option("--run-dir <dir>", "run directory (default <out>.run)")
    .option("--measure", "measure the model as a judge afterwards and record it in <out>.json")
    .option("--pairs <n>", "pairs per split for --measure", intArg(1), measure.pairs)
    .option("-k, --k <n>", "CoT samples per pair for --measure", intArg(1, 64), measure.k)
    .addOption(progressOption())
    .option("--json", "print the sidecar JSON")
    .addHelpText(
      "after",
      `
Examples:
  genrm world pretrain --out base.gguf --measure      # the committed assets/world/base.gguf, from seed 0
  genrm world pretrain --quick --out /tmp/quick.gguf
  genrm world pretrain --out base.gguf --resume       # after Ctrl-C`,
    )
    .action((opts) => dispatch("world pretrain", opts));
  world
    .command("measure")
    .description(
      "judge properties of a mini-world model: direct accuracy, CoT maj@1/maj@k, parse rate, step accuracy",
    )
    .requiredOption("--model <gguf>", "the model")
    .option("--pairs <n>", "pairs per split", intArg(1), measure.pairs)
    .option("-k, --k <n>", "CoT samples per pair", intArg(1, 64), measure.k)
    .option("--seed <n>", "judge seed", intArg(0, 2 ** 31 - 1), measure.seed)
    .option("--world-seed <n>", "world seed of the splits", intArg(0, 2 ** 31 - 1), measure.worldSeed)
    .option("--splits <list>", withDefault("comma-separated splits", measure.splits.join(",")), listArg)
    .option("--json", "print JSON")
    .action((opts) => dispatch("world measure", opts));
  world
    .command("generate")
    .description(
      "write the mini world's splits as JSONL (<split>.jsonl, hidden facts in meta) and world.json, to judge with any command",
    )
    .requiredOption("--out <dir>", "output directory")
    .option("--seed <n>", "world seed (the demo's --seed)", intArg(0, 2 ** 31 - 1), 0)
    .option("--splits <list>", "comma-separated splits (default: all with pairs)", listArg)
    .option(
      "--size <split=n>",
      "pairs in a split, repeatable or comma-separated (default: the documented sizes)",
      listArg,
    )
    .option("--json", "print the written files as JSON")
    .addHelpText(
      "after",
      `
Examples:
  genrm world generate --out world0                        # seed 0: train, test, ood-length, ood-mixed
  genrm world generate --seed 1 --out world1 --size ood-long=400
  genrm eval --data world0/test.jsonl --model judge.gguf --template world-cot@1 -k 8`,
    )
    .action((opts) => dispatch("world generate", opts));

  const star = defaultStarOptions;
  const starTrainHelp = (key: TrainOptionHelpKey): string => {
    if (key === "lr")
      return `${describeTrainOption("lr")}; star-rationalizer full: ${rationalizerLrFull.toExponential()}`;
    if (key === "epochs") return describeTrainOption(key, `${defaultStarTrain.epochs} per iteration`);
    if (key === "saveEvery") return describeTrainOption(key, defaultStarTrain.saveEvery);
    return describeTrainOption(key);
  };
  // No commander defaults here: --resume merges the flags given over the saved ones.
  addStarScaleOptions(
    addEmbeddedEngineOptions(
      addTrainerOptions(
        addSamplingOptions(
          program
            .command("star")
            .description(
              "STaR iterations: sample rationales, filter / pair / rationalize, train, export, evaluate",
            )
            .addOption(
              new Option("--method <method>", "STaR variant (see docs/star.md)").choices([...starMethods]),
            )
            .option(
              "--model <model>",
              "base model M0: a GGUF; with --trainer command or --base-url, any path or name the trainer and server take",
            )
            .option("--data <path>", "labelled preference pairs (any format `genrm data formats` lists)")
            .requiredOption(
              "--out <dir>",
              "run directory: manifest.json, iter-N/ data, checkpoints, models, evals",
            )
            .option("--format <name>", "data adapter (default: auto-detect)")
            .option(
              "--map <mapping>",
              "generic field mapping, e.g. prompt=input,a=output_1,b=output_2,label=pref",
            )
            .option("--limit <n>", "use only the first n pairs", intArg(1))
            .option(
              "--skip-invalid",
              "skip and count invalid records (in --data and --eval-data) instead of stopping",
            )
            .option(
              "--eval-data <[name=]path>",
              "evaluate the base and every iteration on these pairs; repeatable",
              listArg,
            )
            .option(
              "--iterations <n>",
              withDefault("iterations, one disjoint slice each", `${star.iterations}, the paper's`),
              intArg(1, 1000),
            )
            .option("-k, --k <n>", withDefault("rationales sampled per pair", star.k), intArg(1, 1024))
            .addOption(
              new Option(
                "--orders <mode>",
                withDefault("A/B order of samples: one seeded order per pair, or K/2 in each", star.orders),
              ).choices(["random", "both"]),
            )
            .option(
              "--seed <n>",
              withDefault("slices, orders, samples, pairing and training", star.seed),
              intArg(0, 2 ** 31 - 1),
            )
            .option(
              "--template <idOrPath>",
              withDefault("CoT judge template", `${defaultTemplates.cot.id}; world-cot@1 for the mini world`),
            )
            .option(
              "--rationalizer-template <idOrPath>",
              "hinted template for star-rationalizer (default: --template plus the built-in hint)",
            ),
          { defaults: star.sampling, per: "per rationale", setDefaults: false },
        )
          .option(
            "--max-per-pair <n>",
            "star-sft, star-rationalizer: keep at most n chains per pair (default: all)",
            intArg(1),
          )
          .option("--dedupe", "star-sft: drop repeated rationales of a pair")
          .addOption(
            new Option(
              "--pairs-per-prompt <n>",
              withDefault(
                "star-dpo: one random correct × wrong pair, or as many disjoint pairs as possible",
                star.pairsPerPrompt,
              ),
            ).choices(["one", "max"]),
          )
          .addOption(
            new Option(
              "--reference <model>",
              withDefault("star-dpo: DPO reference (sampler = M(t-1))", star.reference),
            ).choices(["sampler", "base"]),
          )
          .option(
            "--no-reject-unparseable",
            "star-dpo: never use a chain without a verdict as the rejected side",
          )
          .addOption(
            new Option(
              "--rationalize <which>",
              withDefault("star-rationalizer: all prompts (paper) or only failed ones", star.rationalize),
            ).choices(["all", "failed"]),
          )
          .option("--keep-inconsistent", "star-rationalizer: keep rationales that contradict the hint")
          .option(
            "--restart-from-base",
            "train each iteration from the base on all data so far (classic STaR)",
          ),
        starTrainHelp,
      )
        .option("--eval-k <n>", withDefault("samples per order when evaluating", star.evalK), intArg(1, 1024))
        .addOption(
          new Option("--eval-order <mode>", withDefault("A/B order when evaluating", star.evalOrder)).choices(
            ["both", "random", "fixed"],
          ),
        )
        .option("--concurrency <n>", withDefault("pairs sampled at once", star.concurrency), intArg(1, 4096)),
    ),
  )
    .option("--store <file>", "SQLite sample store (default <out>/samples.db)")
    .option("--resume", "continue the run in --out with its saved options")
    .addOption(progressOption())
    .option("--json", "print the result and manifest as JSON")
    .addHelpText(
      "after",
      `
Examples:
  genrm star --method star-dpo --model base.gguf --data prefs.jsonl --out runs/star-dpo --eval-data test=heldout.jsonl
  genrm star --method star-sft --model base.gguf --data ../shared/data/llmbar --out runs/star-sft -k 16 --max-per-pair 4 --dedupe
  genrm star --method star-rationalizer --model base.gguf --data prefs.jsonl --out runs/star-rat --rationalize failed
  genrm star --method star-dpo --model world.gguf --data world-train.jsonl --template world-cot@1 --max-tokens 160 --out runs/w
  genrm star --resume --out runs/star-dpo          # after a kill: finished iterations are kept, sampling and training resume
  genrm star --method star-dpo --model base.gguf --data prefs.jsonl --out runs/s \\
    --trainer command --trainer-cmd 'npx genrm train --from-spec {spec}' \\
    --base-url http://127.0.0.1:8080/v1 --serve-cmd 'llama-server -m {model} --port 8080'   # docs/star-at-scale.md`,
    )
    .action((opts) => dispatch("star", opts));

  program
    .command("demo")
    .description(
      "the paper end to end on the mini world: zero-shot judges, GenRM, BT, PairRM and STaR, in and out of distribution",
    )
    .option("--quick", "a few dozen pairs per stage (about a minute): checks the pipeline, not the methods")
    .option("--out <dir>", "run directory; rerunning resumes it", defaultDemoOptions.outDir)
    .option(
      "--seed <n>",
      "seeds the world, A/B orders, samples and training",
      intArg(0),
      defaultDemoOptions.seed,
    )
    .option("--base-model <gguf>", "mini-world base model (default: the bundled assets/world/base.gguf)")
    .option(
      "--threads <n>",
      withDefault("llama.cpp threads", `${defaultDemoOptions.threads}: the world model is tiny`),
      intArg(1, 1024),
    )
    .option(
      "--jobs <n>",
      withDefault(
        "stages run side by side, a process each (results do not depend on it)",
        `${defaultDemoOptions.jobs()} here; 2 with 2 or more cores, else 1`,
      ),
      intArg(1, 64),
    )
    .option(
      "--methods <list>",
      "comma-separated subset: zero-shot-direct, zero-shot-cot, genrm, bt, pairrm, star-sft, star-dpo, star-rationalizer",
    )
    .option(
      "--policy",
      "after the judges, the policy stage: Best-of-N among the base model's answers by every judge, and the policy trained on some judges' picks (docs/demo.md)",
    )
    .option("--fresh", "delete the run directory first")
    .addOption(progressOption())
    .option("--json", "print results.json instead of the table")
    .addHelpText(
      "after",
      `
Writes <out>/results.json (every number, with seeds, template hashes and model ids) and
<out>/report.html (one self-contained file with the charts). See docs/demo.md.

Examples:
  genrm demo
  genrm demo --quick --out /tmp/demo
  genrm demo --methods zero-shot-cot,star-dpo --seed 1 --out runs/demo-seed1
  genrm demo --policy                  # adds Best-of-N curves and policy training to a finished demo`,
    )
    .action((opts) => dispatch("demo", opts));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

/** Prints an error the way a user needs it; returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed help/version/usage errors.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof InternalError) {
    process.stderr.write(
      `genrm: internal error: ${err.message}\nThis is a bug in genrm ${genrmVersion()} (node ${process.version}, ${process.platform}-${process.arch}); please report it with the command you ran.\n${err.stack ?? ""}\n`,
    );
    return 1;
  }
  if (err instanceof GenrmError) {
    process.stderr.write(`genrm: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    if (process.env.GENRM_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
  process.stderr.write(
    `genrm: unexpected error\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return 1;
}
