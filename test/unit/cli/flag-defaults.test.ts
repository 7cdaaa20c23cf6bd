/**
 * The command table shows and sets the defaults of the libraries that own them: what `--help`
 * says is what runs. Each check failed while main.ts restated the defaults by hand.
 */
import type { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { defaultGenerateCandidatesOptions } from "../../../src/bon/generateCandidates.js";
import { defaultRunBonOptions } from "../../../src/bon/runBon.js";
import { buildProgram } from "../../../src/cli/main.js";
import { defaultLlamaCppEngineOptions } from "../../../src/engine/llamacpp/types.js";
import { defaultSampling } from "../../../src/engine/types.js";
import { defaultBootstrap } from "../../../src/eval/bootstrapCI.js";
import { defaultJudgeOptions } from "../../../src/judge/resolveJudgeConfig.js";
import { defaultJudgingConcurrency } from "../../../src/run/runJudging.js";
import { defaultServeOptions } from "../../../src/serve/resolveServeConfig.js";
import { defaultStarOptions, defaultStarTrain } from "../../../src/star/resolveStarConfig.js";
import { trainOptionsSchema } from "../../../src/train/config.js";
import { parseArgv } from "../../helpers/parseArgv.js";

const program = buildProgram(async () => {});
const command = (name: string): Command => program.commands.find((c) => c.name() === name)!;
const option = (cmd: string, flag: string): Option => command(cmd).options.find((o) => o.long === flag)!;

describe("flag defaults come from the libraries", () => {
  it("judge and eval flags set the judge's, the sampler's and eval's defaults", () => {
    for (const cmd of ["eval", "judge", "bon", "serve"]) {
      expect(option(cmd, "--k").defaultValue).toBe(defaultJudgeOptions.k);
      expect(option(cmd, "--order").defaultValue).toBe(defaultJudgeOptions.orderMode);
      expect(option(cmd, "--seed").defaultValue).toBe(defaultJudgeOptions.seed);
      expect(option(cmd, "--temperature").defaultValue).toBe(defaultSampling.temperature);
      expect(option(cmd, "--top-p").defaultValue).toBe(defaultSampling.topP);
      expect(option(cmd, "--max-tokens").defaultValue).toBe(defaultSampling.maxTokens);
      expect(option(cmd, "--parallel").description).toContain(
        `(default: ${defaultLlamaCppEngineOptions.parallelSequences})`,
      );
    }
    expect(option("eval", "--concurrency").defaultValue).toBe(defaultJudgingConcurrency);
    expect(option("eval", "--bootstrap").defaultValue).toBe(defaultBootstrap.resamples);
  });

  it("bon sets the selection's and the policy's defaults", () => {
    expect(option("bon", "--scheme").defaultValue).toBe(defaultRunBonOptions.scheme);
    expect(option("bon", "--concurrency").defaultValue).toBe(defaultRunBonOptions.concurrency);
    expect(option("bon", "--judge-concurrency").defaultValue).toBe(defaultRunBonOptions.judgeConcurrency);
    expect(option("bon", "--n").defaultValue).toBe(defaultGenerateCandidatesOptions.n);
    expect(option("bon", "--policy-temperature").defaultValue).toBe(
      defaultGenerateCandidatesOptions.sampling.temperature,
    );
    expect(option("bon", "--policy-max-tokens").defaultValue).toBe(
      defaultGenerateCandidatesOptions.sampling.maxTokens,
    );
  });

  it("serve sets the server's defaults", () => {
    expect(option("serve", "--concurrency").defaultValue).toBe(defaultServeOptions.concurrency);
    expect(option("serve", "--max-queue").defaultValue).toBe(defaultServeOptions.maxQueue);
    expect(option("serve", "--timeout").defaultValue).toBe(defaultServeOptions.timeoutMs / 1000);
    expect(option("serve", "--max-body").defaultValue).toBe(defaultServeOptions.maxBodyBytes);
    expect(option("serve", "--scheme").defaultValue).toBe(defaultServeOptions.scheme);
    expect(option("serve", "--reward-mode").defaultValue).toBe(defaultServeOptions.rewardMode);
  });

  it("train's help is the trainer schema's descriptions", () => {
    const shape = trainOptionsSchema.shape;
    const lora = (
      shape.lora.unwrap().options[1] as unknown as { shape: Record<string, { description: string }> }
    ).shape;
    const pairs: [string, string | undefined][] = [
      ["--lr", shape.lr.description],
      ["--epochs", shape.epochs.description],
      ["--max-steps", shape.maxSteps.description],
      ["--batch-size", shape.batchSize.description],
      ["--grad-accum", shape.gradAccum.description],
      ["--max-length", shape.maxLength.description],
      ["--warmup", shape.warmupRatio.description],
      ["--min-lr-ratio", shape.minLrRatio.description],
      ["--weight-decay", shape.weightDecay.description],
      ["--grad-clip", shape.gradClip.description],
      ["--seed", shape.seed.description],
      ["--beta", shape.beta.description],
      ["--label-smoothing", shape.labelSmoothing.description],
      ["--center-rewards", shape.centerRewardsCoefficient.description],
      ["--orders", shape.orders.description],
      ["--eval-every", shape.evalEvery.description],
      ["--save-every", shape.saveEvery.description],
      ["--keep-checkpoints", shape.keepCheckpoints.description],
      ["--recompute", shape.recompute.description],
      ["--memory-limit", shape.memoryLimitGiB.description],
      ["--packing", shape.packing.description],
      ["--lora-rank", lora.rank!.description],
      ["--lora-alpha", lora.alpha!.description],
      ["--lora-targets", lora.targets!.description],
    ];
    for (const [flag, description] of pairs) {
      expect(description, flag).toBeTruthy();
      expect(option("train", flag).description, flag).toBe(description);
    }
    expect(option("train", "--beta").description).toContain("(default: 1,");
  });

  it("star shows STaR's defaults and sets none, so --resume keeps the saved options", async () => {
    expect(option("star", "--epochs").description).toContain(
      `(default: ${defaultStarTrain.epochs} per iteration)`,
    );
    expect(option("star", "--save-every").description).toContain(`(default: ${defaultStarTrain.saveEvery})`);
    expect(option("star", "--k").description).toContain(`(default: ${defaultStarOptions.k})`);
    expect(option("star", "--max-tokens").description).toContain(
      `(default: ${defaultStarOptions.sampling.maxTokens})`,
    );
    const [call] = await parseArgv(["star", "--out", "runs/s"]);
    // --no-reject-unparseable is commander's negatable flag: its "true" is the only value it sets.
    expect(call!.options).toEqual({ out: "runs/s", rejectUnparseable: true, neutralSamplers: true });
  });
});
