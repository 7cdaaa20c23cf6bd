/**
 * Our reader on GGUF files written by llama.cpp's own tooling (gguf-py): the vocab-only models that
 * ship in the llama.cpp source node-llama-cpp bundles. Compared with node-llama-cpp's parser.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGgufInfo } from "../../src/model/index.js";

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bundle = join(repoRoot, "node_modules/node-llama-cpp/llama/gitRelease.bundle");
let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-gguf-ref-"));
  const repo = join(dir, "llama.cpp");
  await run("git", ["clone", "-q", "--no-checkout", bundle, repo]);
  for (const name of ["gpt-2", "qwen2", "llama-spm"]) {
    const { stdout } = await run("git", ["-C", repo, "show", `HEAD:models/ggml-vocab-${name}.gguf`], {
      encoding: "buffer",
      maxBuffer: 64 << 20,
    });
    files[name] = join(dir, `${name}.gguf`);
    await writeFile(files[name], stdout);
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("GGUF files written by llama.cpp tooling", () => {
  it.each(["gpt-2", "qwen2", "llama-spm"])(
    "reads ggml-vocab-%s.gguf like node-llama-cpp does",
    async (name) => {
      const path = files[name]!;
      const ours = await readGgufInfo(path);
      const theirs = await readGgufFileInfo(path, { readTensorInfo: true });
      const tokenizer = theirs.metadata.tokenizer.ggml as unknown as Record<string, unknown>;
      expect(ours.version).toBe(theirs.version);
      expect(ours.metadata.get("general.architecture")?.value).toBe(theirs.metadata.general.architecture);
      expect(ours.metadata.get("tokenizer.ggml.model")?.value).toBe(tokenizer.model);
      expect(ours.metadata.get("tokenizer.ggml.tokens")?.value).toEqual(tokenizer.tokens);
      expect(ours.metadata.get("tokenizer.ggml.token_type")?.value).toEqual(tokenizer.token_type);
      if (tokenizer.merges)
        expect(ours.metadata.get("tokenizer.ggml.merges")?.value).toEqual(tokenizer.merges);
      expect(ours.tensors.map((t) => t.name)).toEqual((theirs.tensorInfo ?? []).map((t) => t.name));
    },
  );
});
