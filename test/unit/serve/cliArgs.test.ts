import { describe, expect, it } from "vitest";
import { parseArgv } from "../../helpers/parseArgv.js";

const parse = parseArgv;

describe("genrm bon / serve argv → options", () => {
  const table: [string[], string, Record<string, unknown>][] = [
    [
      ["bon", "--data", "x"],
      "bon",
      { data: "x", scheme: "knockout", n: 4, concurrency: 2, judgeConcurrency: 4, policyTemperature: 0.8 },
    ],
    [
      [
        "bon",
        "--data",
        "../shared/data/llmfao",
        "--scheme",
        "bradley-terry",
        "--candidates-per-prompt",
        "8",
        "--max-comparisons",
        "12",
        "--token-budget",
        "5000",
        "--model",
        "j.gguf",
        "--protocol",
        "direct",
        "--out",
        "r.json",
      ],
      "bon",
      {
        scheme: "bradley-terry",
        candidatesPerPrompt: 8,
        maxComparisons: 12,
        tokenBudget: 5000,
        model: "j.gguf",
        protocol: "direct",
        out: "r.json",
      },
    ],
    [
      [
        "bon",
        "--data",
        "x",
        "--policy-model",
        "p.gguf",
        "--n",
        "16",
        "--baseline",
        "length",
        "--format",
        "mt-bench",
      ],
      "bon",
      { policyModel: "p.gguf", n: 16, baseline: "length", format: "mt-bench" },
    ],
    [
      ["serve", "--model", "j.gguf"],
      "serve",
      {
        model: "j.gguf",
        host: "127.0.0.1",
        port: 8000,
        auth: true,
        concurrency: 8,
        maxQueue: 256,
        timeout: 120,
        maxBody: 1048576,
        scheme: "knockout",
        rewardMode: "auto",
        drainTimeout: 30,
        protocol: "cot",
      },
    ],
    [
      [
        "serve",
        "--model",
        "j.gguf",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--no-auth",
        "--token",
        "abcdefgh",
        "--timeout",
        "2.5",
        "--reward-mode",
        "group",
        "--protocol",
        "direct",
      ],
      "serve",
      {
        host: "0.0.0.0",
        port: 0,
        auth: false,
        token: "abcdefgh",
        timeout: 2.5,
        rewardMode: "group",
        protocol: "direct",
      },
    ],
    [
      [
        "serve",
        "--model",
        "j.gguf",
        "--group-size",
        "8",
        "--group-timeout",
        "30000",
        "--max-open-groups",
        "64",
        "--group-scheme",
        "anchor",
        "--group-normalize",
        "grpo",
      ],
      "serve",
      { groupSize: 8, groupTimeout: 30000, maxOpenGroups: 64, groupScheme: "anchor", groupNormalize: "grpo" },
    ],
    [
      ["serve", "--model", "j.gguf", "--listwise", "rating", "-k", "4"],
      "serve",
      { listwise: "rating", k: 4 },
    ],
    [["bon", "--data", "x", "--model", "j.gguf", "--listwise", "rating"], "bon", { listwise: "rating" }],
  ];
  for (const [argv, command, expected] of table) {
    it(argv.join(" "), async () => {
      const calls = await parse(argv);
      expect(calls).toHaveLength(1);
      expect(calls[0].command).toBe(command);
      expect(calls[0].options).toMatchObject(expected);
    });
  }

  it("refuses bad values as usage errors", async () => {
    await expect(parse(["serve", "--model", "m", "--listwise", "ranking"])).rejects.toThrow();
    await expect(parse(["bon", "--data", "x", "--listwise", "ranking"])).rejects.toThrow();
    await expect(parse(["serve", "--model", "m", "--port", "70000"])).rejects.toThrow();
    await expect(parse(["serve", "--model", "m", "--group-size", "1"])).rejects.toThrow();
    await expect(parse(["serve", "--model", "m", "--group-scheme", "swiss"])).rejects.toThrow();
    await expect(parse(["bon", "--data", "x", "--scheme", "elo"])).rejects.toThrow();
    await expect(parse(["bon", "--data", "x", "--max-comparisons", "1.5"])).rejects.toThrow();
  });
});
