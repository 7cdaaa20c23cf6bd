/**
 * Training checkpoints: one binary file per saved step, in `<runDir>/checkpoints/`, plus a
 * `latest.json` pointer written last (rename, so a kill mid-save leaves the previous checkpoint
 * as latest). The file holds everything a resume needs (nanoGPT): trainable weights, AdamW
 * moments and step, DPO reference log-probs, head weights, the resolved config and the data
 * fingerprint. Shuffling needs no saved RNG state: each epoch's order is a pure function of
 * (seed, epoch), and the step says where in it the run stopped.
 *
 * File layout (little-endian):
 *   0   magic "GENRMCKP" (8 bytes)
 *   8   u32 format version (1)
 *   12  u32 header length H
 *   16  H bytes of JSON: { meta, tensors: [{ name, shape, offset, length }] }  (offset from data start)
 *   ... zero padding to a multiple of 64, then the float32 data of every tensor, in order.
 * Tensors are streamed one at a time, so a full fine-tune's multi-GiB state never sits in one buffer.
 */
import { type FileHandle, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError, UnsupportedError } from "../errors.js";

export const checkpointMagic = "GENRMCKP";
export const checkpointVersion = 1;
const ALIGN = 64;
/** File I/O in pieces: one write or read of more than 2 GiB fails. */
const CHUNK = 1 << 28;

export interface CheckpointTensor {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

export interface CheckpointFile<M> {
  meta: M;
  tensors: Map<string, CheckpointTensor>;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export async function writeCheckpointFile<M>(
  path: string,
  meta: M,
  tensors: readonly CheckpointTensor[],
): Promise<void> {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    entries.push({ name: t.name, shape: [...t.shape], offset, length: t.data.length });
    offset += t.data.length * 4;
  }
  const header = Buffer.from(JSON.stringify({ meta, tensors: entries }), "utf8");
  const prefix = Buffer.alloc(16);
  prefix.write(checkpointMagic, 0, "latin1");
  prefix.writeUInt32LE(checkpointVersion, 8);
  prefix.writeUInt32LE(header.length, 12);
  const pad = Buffer.alloc((ALIGN - ((16 + header.length) % ALIGN)) % ALIGN);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, "w");
  try {
    await writeFully(fh, Buffer.concat([prefix, header, pad]));
    for (const t of tensors) {
      // Float32Array memory is little-endian on every platform Node runs on (x86-64, arm64).
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      for (let at = 0; at < bytes.length; at += CHUNK) await writeFully(fh, bytes.subarray(at, at + CHUNK));
    }
    await fh.sync();
  } catch (error) {
    await fh.close();
    // A partial checkpoint on a full disk only takes the room the rerun needs.
    await rm(tmp, { force: true });
    throw error;
  }
  await fh.close();
  await rename(tmp, path);
}

/**
 * A write may put down part of the bytes (a nearly full disk does, then fails the next write);
 * without the rest the checkpoint would be short yet renamed into place.
 */
async function writeFully(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
}

export async function readCheckpointFile<M>(path: string): Promise<CheckpointFile<M>> {
  const fh = await open(path, "r");
  try {
    const prefix = Buffer.alloc(16);
    await fh.read(prefix, 0, 16, 0);
    if (prefix.toString("latin1", 0, 8) !== checkpointMagic) {
      throw new InputError("not a genrm checkpoint", {
        file: path,
        expected: `magic ${checkpointMagic}`,
        got: JSON.stringify(prefix.toString("latin1", 0, 8)),
      });
    }
    const version = prefix.readUInt32LE(8);
    if (version !== checkpointVersion) {
      throw new UnsupportedError(
        `${path}: checkpoint format version ${version}; this genrm reads version ${checkpointVersion}`,
        {
          hint: "resume it with the genrm version that wrote it",
        },
      );
    }
    const headerLength = prefix.readUInt32LE(12);
    const header = Buffer.alloc(headerLength);
    await fh.read(header, 0, headerLength, 16);
    const { meta, tensors } = JSON.parse(header.toString("utf8")) as { meta: M; tensors: TensorEntry[] };
    const dataStart = 16 + headerLength + ((ALIGN - ((16 + headerLength) % ALIGN)) % ALIGN);
    const out = new Map<string, CheckpointTensor>();
    for (const e of tensors) {
      const data = new Float32Array(e.length);
      const bytes = new Uint8Array(data.buffer);
      let bytesRead = 0;
      while (bytesRead < bytes.length) {
        const n = Math.min(CHUNK, bytes.length - bytesRead);
        const r = await fh.read(bytes, bytesRead, n, dataStart + e.offset + bytesRead);
        if (r.bytesRead === 0) break;
        bytesRead += r.bytesRead;
      }
      if (bytesRead !== bytes.length) {
        throw new InputError("checkpoint is truncated", {
          file: path,
          field: e.name,
          expected: `${bytes.length} bytes`,
          got: `${bytesRead}`,
        });
      }
      out.set(e.name, { name: e.name, shape: e.shape, data });
    }
    return { meta, tensors: out };
  } finally {
    await fh.close();
  }
}

/** `latest.json` in a run's checkpoint folder. */
export interface LatestPointer {
  step: number;
  file: string;
}

export function checkpointDir(runDir: string): string {
  return join(runDir, "checkpoints");
}

export function checkpointFileName(step: number): string {
  return `step-${String(step).padStart(7, "0")}.ckpt`;
}

export async function readLatest(runDir: string): Promise<LatestPointer | null> {
  const file = join(checkpointDir(runDir), "latest.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const pointer = JSON.parse(text) as LatestPointer;
    if (typeof pointer.step === "number" && typeof pointer.file === "string") return pointer;
  } catch {
    // Reported below, with what to do about it.
  }
  // Renamed into place whole, so only damage from outside (a disk fault, an edit) gets here.
  throw new InputError(
    "not a checkpoint pointer",
    { file, expected: '{"step": <n>, "file": "step-<n>.ckpt"}', got: text.slice(0, 60) },
    {
      hint: `point it at the newest step-*.ckpt file in ${checkpointDir(runDir)}, or delete it to start over`,
    },
  );
}

/** Points `latest.json` at `file` and deletes all but the newest `keep` checkpoint files. */
export async function commitLatest(
  runDir: string,
  pointer: LatestPointer,
  history: string[],
  keep: number,
): Promise<string[]> {
  const dir = checkpointDir(runDir);
  const tmp = join(dir, "latest.json.tmp");
  await writeFile(tmp, `${JSON.stringify(pointer)}\n`);
  await rename(tmp, join(dir, "latest.json"));
  const kept = [...history.filter((f) => f !== pointer.file), pointer.file];
  while (kept.length > keep) {
    const old = kept.shift()!;
    await rm(join(dir, old), { force: true });
  }
  return kept;
}
