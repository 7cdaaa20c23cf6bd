import { copyFile, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelIdentity, ggufValue as v, writeGguf } from "../../src/model/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-identity-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(path: string, name: string | undefined, fill: number): Promise<void> {
  await writeGguf(path, {
    metadata: name === undefined ? [] : [["general.name", v.str(name)]],
    tensors: [{ name: "w", shape: [64], type: "F32", data: new Float32Array(64).fill(fill) }],
  });
}

describe("modelIdentity", () => {
  it("is gguf:<general.name>@sha256:<16 hex> and follows content, not path", async () => {
    await write(join(dir, "a.gguf"), "Tiny Judge v1", 1);
    await copyFile(join(dir, "a.gguf"), join(dir, "copy.gguf"));
    await write(join(dir, "b.gguf"), "Tiny Judge v1", 2);
    const a = await modelIdentity(join(dir, "a.gguf"));
    expect(a).toMatch(/^gguf:Tiny-Judge-v1@sha256:[0-9a-f]{16}$/);
    expect(await modelIdentity(join(dir, "copy.gguf"))).toBe(a);
    expect(await modelIdentity(join(dir, "b.gguf"))).not.toBe(a);
  });

  it("falls back to the file name when general.name is missing", async () => {
    await write(join(dir, "unnamed-model.gguf"), undefined, 3);
    expect(await modelIdentity(join(dir, "unnamed-model.gguf"))).toMatch(/^gguf:unnamed-model@sha256:/);
  });

  it("is cached by path, size and mtime, and recomputed when the mtime changes", async () => {
    const path = join(dir, "cached.gguf");
    await write(path, "cached", 4);
    // A whole-second mtime, so restoring it below is exact (stat has sub-millisecond precision).
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const atime = mtime;
    await utimes(path, atime, mtime);
    const first = await modelIdentity(path);
    // Same size, same mtime, different bytes: the cache answers without rehashing.
    const other = join(dir, "other.gguf");
    await write(other, "cached", 5);
    await writeFile(path, await readFile(other));
    await utimes(path, atime, mtime);
    expect(await modelIdentity(path)).toBe(first);
    await utimes(path, atime, new Date(mtime.getTime() + 5000));
    const second = await modelIdentity(path);
    expect(second).not.toBe(first);
    expect(second).toBe(await modelIdentity(other));
  });

  it("names the file when it is not a GGUF", async () => {
    const path = join(dir, "junk.bin");
    await writeFile(path, "definitely not gguf");
    await expect(modelIdentity(path)).rejects.toThrow(/junk\.bin.*not a GGUF file/);
  });
});
