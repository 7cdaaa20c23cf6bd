/**
 * The SmolLM-135M-shaped random model the benchmarks use (F16, vocab 49152): written in seconds,
 * read back by our reader, loaded and run by node-llama-cpp.
 */
import { rm } from "node:fs/promises";
import os from "node:os";
import { dirname } from "node:path";
import { getLlama, type Token } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { modelIdentity, readGgufInfo } from "../../src/model/index.js";
import { createTinyModel, SMOLLM_135M_SHAPE, type TinyModelResult } from "../helpers/tinyModel.js";

let written: TinyModelResult | undefined;
afterAll(async () => {
  if (written) await rm(dirname(written.path), { recursive: true, force: true });
});

describe("SmolLM-135M-shaped model", () => {
  it("writes quickly, reads back, and runs in node-llama-cpp", async () => {
    const started = performance.now();
    written = await createTinyModel({ ...SMOLLM_135M_SHAPE, seed: 1 });
    const writeSeconds = (performance.now() - started) / 1000;
    // About 3 s on 2 idle cores; the bound leaves room for a busy machine.
    expect(writeSeconds).toBeLessThan(30);
    const params = 49152 * 576 + 30 * (576 * 576 * 2 + 576 * 192 * 2 + 576 * 1536 * 3 + 2 * 576) + 576;
    expect(written.bytes).toBeGreaterThan(params * 2);
    expect(written.bytes).toBeLessThan(params * 2 + 4_000_000);

    const info = await readGgufInfo(written.path);
    expect(info.tensors).toHaveLength(1 + 30 * 9 + 1);
    expect(info.tensors.find((t) => t.name === "blk.29.ffn_down.weight")).toMatchObject({
      shape: [576, 1536],
      typeName: "F16",
    });
    expect(info.metadata.get("tokenizer.ggml.tokens")?.value).toHaveLength(49152);

    expect(await modelIdentity(written.path)).toMatch(/^gguf:tiny-llama-576x30@sha256:[0-9a-f]{16}$/);

    const llama = await getLlama({ gpu: false, logLevel: "error" as never });
    try {
      const model = await llama.loadModel({ modelPath: written.path });
      const context = await model.createContext({ contextSize: 128, threads: os.availableParallelism() });
      const tokens: Token[] = [];
      for await (const token of context
        .getSequence()
        .evaluate(model.tokenize("The answer is"), { temperature: 1, seed: 2 })) {
        tokens.push(token);
        if (tokens.length >= 8) break;
      }
      expect(new Set(tokens).size).toBeGreaterThanOrEqual(4);
      expect(model.detokenize(tokens).length).toBeGreaterThan(8);
    } finally {
      await llama.dispose();
    }
  });
});
