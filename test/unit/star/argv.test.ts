/** `genrm star` argv → the options object its command receives (no flag is cast on its own). */
import { describe, expect, it } from "vitest";
import { parseArgv } from "../../helpers/parseArgv.js";

const parse = parseArgv;

describe("genrm star argv", () => {
  it("maps every flag to its option", async () => {
    const calls = await parse([
      "star",
      ...["--method", "star-dpo", "--model", "m.gguf", "--data", "d.jsonl", "--out", "runs/x"],
      ...["--iterations", "2", "-k", "16", "--orders", "both", "--seed", "3", "--template", "world-cot@1"],
      ...[
        "--max-tokens",
        "160",
        "--pairs-per-prompt",
        "max",
        "--reference",
        "base",
        "--no-reject-unparseable",
      ],
      ...["--restart-from-base", "--lr", "5e-5", "--epochs", "1", "--beta", "0.5", "--save-every", "5"],
      ...["--eval-data", "id=a.jsonl", "--eval-data", "ood=b.jsonl", "--eval-k", "4", "--threads", "2"],
      "--skip-invalid",
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.command).toBe("star");
    expect(calls[0]!.options).toEqual({
      method: "star-dpo",
      model: "m.gguf",
      data: "d.jsonl",
      out: "runs/x",
      iterations: 2,
      k: 16,
      orders: "both",
      seed: 3,
      template: "world-cot@1",
      maxTokens: 160,
      pairsPerPrompt: "max",
      reference: "base",
      rejectUnparseable: false,
      neutralSamplers: true,
      skipInvalid: true,
      restartFromBase: true,
      lr: 5e-5,
      epochs: 1,
      beta: 0.5,
      saveEvery: 5,
      evalData: ["id=a.jsonl", "ood=b.jsonl"],
      evalK: 4,
      threads: 2,
    });
  });

  it("--resume needs only --out; bad choices are usage errors", async () => {
    const calls = await parse(["star", "--resume", "--out", "runs/x"]);
    expect(calls[0]!.options).toEqual({
      resume: true,
      out: "runs/x",
      rejectUnparseable: true,
      neutralSamplers: true,
    });
    await expect(parse(["star", "--out", "x", "--method", "star-ppo"])).rejects.toThrow(/star-ppo/);
  });
});
