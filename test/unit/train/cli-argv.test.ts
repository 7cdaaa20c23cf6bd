/** argv → options for `genrm train` and `genrm export` (no command runs). */
import { describe, expect, it } from "vitest";
import { toTrainOptions } from "../../../src/cli/commands/train.js";
import { defaultTrainConfig, resolveTrainConfig } from "../../../src/train/config.js";
import { parseArgv } from "../../helpers/parseArgv.js";

const parse = parseArgv;

describe("genrm train argv", () => {
  it("parses flags to typed options with no implicit defaults", async () => {
    const [call] = await parse([
      "train",
      ...["--method", "dpo", "--model", "m.gguf", "--data", "d.jsonl", "--out", "runs/x"],
      ...["--lora-rank", "16", "--lora-targets", "attn_q,attn_v", "--lr", "1e-5", "--beta", "0.5"],
      ...["--batch-size", "2", "--grad-accum", "4", "--max-length", "2048", "--truncate", "--warmup", "0.05"],
      ...["--eval-every", "50", "--save-every", "100", "--resume"],
    ]);
    expect(call).toEqual({
      args: [],
      command: "train",
      options: {
        method: "dpo",
        model: "m.gguf",
        data: "d.jsonl",
        out: "runs/x",
        loraRank: 16,
        loraTargets: ["attn_q", "attn_v"],
        lr: 1e-5,
        beta: 0.5,
        batchSize: 2,
        gradAccum: 4,
        maxLength: 2048,
        truncate: true,
        warmup: 0.05,
        evalEvery: 50,
        saveEvery: 100,
        resume: true,
      },
    });
    const config = resolveTrainConfig(toTrainOptions(call!.options as never));
    expect(config).toMatchObject({
      method: "dpo",
      lr: 1e-5,
      beta: 0.5,
      batchSize: 2,
      gradAccum: 4,
      maxLength: 2048,
      lengthPolicy: "truncate",
      warmupRatio: 0.05,
      lora: { rank: 16, alpha: 32, targets: ["attn_q", "attn_v"] },
    });
  });

  it("--full turns LoRA off and conflicts with --lora-*", async () => {
    const [call] = await parse(["train", "--method", "sft", "--out", "o", "--full"]);
    expect(resolveTrainConfig(toTrainOptions(call!.options as never)).lora).toBeNull();
    expect(() => toTrainOptions({ method: "sft", out: "o", full: true, loraRank: 4 })).toThrow(
      /exclude each other/,
    );
  });

  it("--packing / --no-packing set packing; neither leaves the trainer's default", async () => {
    const packing = async (...flags: string[]) => {
      const [call] = await parse(["train", "--method", "sft", "--out", "o", ...flags]);
      return {
        given: toTrainOptions(call!.options as never).packing,
        resolved: resolveTrainConfig(toTrainOptions(call!.options as never)).packing,
      };
    };
    expect(await packing("--no-packing")).toEqual({ given: false, resolved: false });
    expect(await packing("--packing")).toEqual({ given: true, resolved: true });
    expect(await packing()).toEqual({ given: undefined, resolved: defaultTrainConfig.packing });
    const [star] = await parse(["star", "--out", "runs/s", "--no-packing"]);
    expect((star!.options as { packing?: boolean }).packing).toBe(false);
  });

  it("rejects bad values as usage errors", async () => {
    await expect(parse(["train", "--method", "ppo", "--out", "o"])).rejects.toThrow();
    await expect(parse(["train", "--method", "sft", "--out", "o", "--batch-size", "0"])).rejects.toThrow();
    await expect(parse(["train", "--method", "sft", "--out", "o", "--lr", "fast"])).rejects.toThrow();
  });

  it("parses export", async () => {
    const [call] = await parse(["export", "--checkpoint", "runs/x", "--out", "j.gguf", "--adapter"]);
    expect(call).toEqual({
      args: [],
      command: "export",
      options: { checkpoint: "runs/x", out: "j.gguf", adapter: true },
    });
  });
});
