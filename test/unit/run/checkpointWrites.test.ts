/**
 * Checkpoint files on a disk that takes part of each write (as a nearly full one does): every
 * byte still reaches the file before it is renamed into place; a write that fails leaves no
 * partial file taking room; a damaged latest.json is an error naming it, not a SyntaxError.
 */
import type { FileHandle } from "node:fs/promises";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InputError } from "../../../src/errors.js";
import { readCheckpointFile, readLatest, writeCheckpointFile } from "../../../src/train/checkpoint.js";

const disk = vi.hoisted(() => ({ maxBytes: Number.POSITIVE_INFINITY, failAfter: Number.POSITIVE_INFINITY }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const open = async (...args: Parameters<typeof real.open>) => {
    const fh = await real.open(...args);
    let writes = 0;
    const write = (async (data: Uint8Array, offset = 0, length = data.length - offset) => {
      if (++writes > disk.failAfter)
        throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      return fh.write(data, offset, Math.min(length, disk.maxBytes));
    }) as FileHandle["write"];
    return new Proxy(fh, { get: (t, k) => (k === "write" ? write : Reflect.get(t, k, t)) });
  };
  return { ...real, open, default: { ...real, open } };
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-ckpt-writes-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tensors = [
  { name: "param/a", shape: [3, 100], data: Float32Array.from({ length: 300 }, (_, i) => i / 7) },
  { name: "adam_m/a", shape: [3, 100], data: Float32Array.from({ length: 300 }, (_, i) => -i) },
];

describe("writeCheckpointFile on a disk with short writes", () => {
  it("writes every byte when each write takes at most 100", async () => {
    disk.maxBytes = 100;
    try {
      const file = join(dir, "short.ckpt");
      await writeCheckpointFile(file, { step: 3 }, tensors);
      const back = await readCheckpointFile<{ step: number }>(file);
      expect(back.meta.step).toBe(3);
      expect(back.tensors.get("adam_m/a")?.data).toEqual(tensors[1]!.data);
    } finally {
      disk.maxBytes = Number.POSITIVE_INFINITY;
    }
  });

  it("a write that fails leaves neither the checkpoint nor its temp file", async () => {
    const sub = join(dir, "fail");
    await mkdir(sub);
    disk.failAfter = 2;
    try {
      await expect(writeCheckpointFile(join(sub, "step.ckpt"), { step: 1 }, tensors)).rejects.toThrow(
        /ENOSPC/,
      );
    } finally {
      disk.failAfter = Number.POSITIVE_INFINITY;
    }
    expect(await readdir(sub)).toEqual([]);
  });
});

describe("readLatest", () => {
  it("a damaged latest.json is an error naming it with a hint", async () => {
    const run = join(dir, "run");
    await mkdir(join(run, "checkpoints"), { recursive: true });
    await writeFile(join(run, "checkpoints", "latest.json"), '{"step": 4, "fi');
    const err = await readLatest(run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain(join(run, "checkpoints", "latest.json"));
    expect((err as InputError).hint).toMatch(/newest step-\*\.ckpt/);
  });
});
