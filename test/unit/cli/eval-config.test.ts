/**
 * What `genrm eval` hashes into its run directory's config: the settings the judge resolved, so an
 * unchanged command keeps its hash, a default spelled out hashes as its absence does, and a setting
 * that changes the judgments changes it. Baseline and head configs hash as they did before the
 * config recorded resolved settings (their run directories stay valid).
 */
import { describe, expect, it } from "vitest";
import { type EvalCommandOptions, evalRunConfig } from "../../../src/cli/commands/eval.js";
import { judgeOptionsFromFlags } from "../../../src/cli/judgeFlags.js";
import type { JudgeInfo } from "../../../src/judge/types.js";
import { configHash } from "../../../src/run/runDir.js";
import { parseArgv } from "../../helpers/parseArgv.js";

const data = { path: "/data/pairs.jsonl", format: "genrm", pairs: 4, limit: null };
const llmInfo = {
  name: "m.gguf cot cot-pair-v2@1",
  modelId: "sha256:0123",
  modelName: "m.gguf",
  protocol: "cot",
  templateId: "cot-pair-v2@1",
  templateHash: "abcd",
} as unknown as JudgeInfo;

/** The config hash `genrm eval <args>` gives an LLM judge, from the argv alone. */
async function llmHash(args: string[]): Promise<string> {
  const [call] = await parseArgv(["eval", "--data", "d.jsonl", "--model", "m.gguf", ...args]);
  const options = await judgeOptionsFromFlags(call!.options as unknown as EvalCommandOptions);
  return configHash(evalRunConfig(data, llmInfo, { kind: "llm", options }));
}

describe("genrm eval config hash", () => {
  it("is the same for the same command", async () => {
    expect(await llmHash(["-k", "4"])).toBe(await llmHash(["-k", "4"]));
  });

  it("is the same with every default spelled out (tie and error policy were null when left out)", async () => {
    const spelled = [
      ...["--protocol", "cot", "-k", "1", "--order", "both", "--seed", "0"],
      ...["--temperature", "1", "--top-p", "0.95", "--max-tokens", "1024"],
      ...["--tie-policy", "half", "--error-policy", "ignore"],
    ];
    expect(await llmHash(spelled)).toBe(await llmHash([]));
    expect(await llmHash(["--adaptive", "confidence", "--confidence", "0.95"])).toBe(
      await llmHash(["--adaptive", "confidence"]),
    );
  });

  it("--adaptive alone is the default rule (posterior), spelled out or not", async () => {
    const bare = await llmHash(["--adaptive"]);
    expect(bare).toBe(await llmHash(["--adaptive", "posterior", "--confidence", "0.95", "--prior", "0.5"]));
    expect(await llmHash(["--adaptive", "posterior", "--prior", "1"])).not.toBe(bare);
    expect(await llmHash(["--adaptive", "decided"])).not.toBe(bare);
  });

  it("changes with a setting that changes the judgments (--confidence was not recorded)", async () => {
    const base = await llmHash(["--adaptive", "confidence", "--confidence", "0.9"]);
    expect(await llmHash(["--adaptive", "confidence", "--confidence", "0.99"])).not.toBe(base);
    expect(await llmHash(["--tie-policy", "A"])).not.toBe(await llmHash([]));
    expect(await llmHash(["--max-tokens", "64"])).not.toBe(await llmHash([]));
  });

  it("records the resolved settings", async () => {
    const [call] = await parseArgv(["eval", "--data", "d", "--model", "m"]);
    const options = await judgeOptionsFromFlags(call!.options as unknown as EvalCommandOptions);
    expect(evalRunConfig(data, llmInfo, { kind: "llm", options })).toMatchObject({
      protocol: "cot",
      k: 1,
      order: "both",
      seed: 0,
      sampling: { temperature: 1, topP: 0.95, maxTokens: 1024 },
      adaptive: null,
      tiePolicy: "half",
      errorPolicy: "ignore",
    });
  });

  it("keeps the hashes baseline and head run directories were made with", () => {
    const length = {
      name: "length baseline",
      modelId: "baseline:length",
      modelName: "length baseline",
      protocol: "direct",
      templateId: "baseline:length@1",
      templateHash: "5ee0be5532cfd020",
      baseline: "length",
    } as unknown as JudgeInfo;
    // Hashes of the configs genrm wrote before it recorded resolved settings.
    expect(configHash(evalRunConfig(data, length, { kind: "baseline", seed: 0 }))).toBe("2fa27b2f19f520b3");
    const files = { head: "/h/head.ckpt", model: "/h/model.gguf", adapter: null };
    const head = {
      name: "h",
      modelId: "m",
      modelName: "h",
      protocol: "direct",
      templateId: "t",
      templateHash: "x",
    } as unknown as JudgeInfo;
    expect(configHash(evalRunConfig(data, head, { kind: "head", files, order: "both", seed: 0 }))).toBe(
      "aad21308e24bfa2e",
    );
  });
});
