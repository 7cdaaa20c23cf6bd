import { describe, expect, it } from "vitest";
import { parseArgv } from "../../helpers/parseArgv.js";

const parse = parseArgv;

describe("genrm argv → command options", () => {
  const table: [string[], string, Record<string, unknown>, string[]?][] = [
    [
      ["eval", "--data", "d.jsonl", "--model", "m.gguf"],
      "eval",
      {
        data: "d.jsonl",
        model: "m.gguf",
        protocol: "cot",
        k: 1,
        order: "both",
        seed: 0,
        temperature: 1,
        topP: 0.95,
      },
    ],
    [
      [
        "eval",
        "--data",
        "d.jsonl",
        "--model",
        "m.gguf",
        "-k",
        "8",
        "--order",
        "random",
        "--adaptive",
        "decided",
      ],
      "eval",
      { k: 8, order: "random", adaptive: "decided" },
    ],
    [
      [
        "eval",
        "--data",
        "d",
        "--base-url",
        "http://a:1/v1,http://b:2/v1",
        "--base-url",
        "http://c:3/v1",
        "--model",
        "q",
      ],
      "eval",
      { baseUrl: ["http://a:1/v1", "http://b:2/v1", "http://c:3/v1"], model: "q" },
    ],
    [["eval", "--data", "d", "--baseline", "length", "--json"], "eval", { baseline: "length", json: true }],
    [["data", "inspect", "x.json", "--format", "pandalm"], "data inspect", { format: "pandalm" }, ["x.json"]],
    [["report", "runs/a", "runs/b"], "report", { out: "report.html", examples: 5 }, ["runs/a", "runs/b"]],
    [["report", "r", "--out", "p.html", "--examples", "0"], "report", { out: "p.html", examples: 0 }, ["r"]],
    [
      ["data", "split", "x.json", "--out-dir", "o", "--seed", "3"],
      "data split",
      { outDir: "o", seed: 3, fractions: "train=0.8,test=0.2" },
      ["x.json"],
    ],
    [["templates", "show", "cot-pair-v2@1"], "templates show", {}, ["cot-pair-v2@1"]],
    [
      ["model", "tiny", "--out", "t.gguf", "--hidden", "32"],
      "model tiny",
      { out: "t.gguf", hidden: 32, layers: 2 },
    ],
    [["demo"], "demo", { out: "genrm-demo", seed: 0 }],
    [
      [
        "demo",
        "--quick",
        "--out",
        "/tmp/d",
        "--seed",
        "2",
        "--methods",
        "zero-shot-cot,star-dpo",
        "--threads",
        "2",
      ],
      "demo",
      { quick: true, out: "/tmp/d", seed: 2, methods: "zero-shot-cot,star-dpo", threads: 2 },
    ],
  ];
  for (const [argv, command, expected, args] of table) {
    it(argv.join(" "), async () => {
      const calls = await parse(argv);
      expect(calls).toHaveLength(1);
      expect(calls[0].command).toBe(command);
      expect(calls[0].options).toMatchObject(expected);
      if (args) expect(calls[0].args).toEqual(args);
    });
  }

  it("numbers are parsed explicitly and bad values are usage errors", async () => {
    await expect(parse(["eval", "--data", "d", "-k", "eight"])).rejects.toThrow(/expected an integer/);
    await expect(parse(["eval", "--data", "d", "--top-p", "1.5"])).rejects.toThrow(/\[0, 1\]/);
    await expect(parse(["eval", "--data", "d", "--order", "sideways"])).rejects.toThrow(/Allowed choices/);
    await expect(parse(["eval"])).rejects.toThrow(/--data/);
  });
});
