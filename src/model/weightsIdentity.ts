/**
 * Content identity of any weights a run names, for lineage and sample caching: a GGUF file gets
 * `modelIdentity`'s id; another file (a safetensors adapter) or a directory (a Hugging Face model or
 * PEFT adapter) gets `<kind>:<name>@sha256:<16 hex>` over its files' relative paths and contents; a
 * name that is no local path (a served model, a Hub id) is `name:<name>`, since genrm cannot see
 * its weights.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { throwIfAborted } from "../errors.js";
import { modelIdentity } from "./modelIdentity.js";

export async function weightsIdentity(target: string, signal?: AbortSignal): Promise<string> {
  const full = path.resolve(target);
  const st = await stat(full).catch(() => null);
  if (st === null) return `name:${target}`;
  const name = path.basename(full).replace(/[^A-Za-z0-9._-]+/g, "-");
  if (st.isFile()) {
    if (await isGguf(full)) return modelIdentity(full, signal ? { signal } : {});
    const hash = createHash("sha256");
    await hashFile(hash, full, signal);
    return `file:${name}@sha256:${hash.digest("hex").slice(0, 16)}`;
  }
  const hash = createHash("sha256");
  for (const rel of await listFiles(full)) {
    throwIfAborted(signal);
    hash.update(`${rel}\0`);
    await hashFile(hash, path.join(full, rel), signal);
  }
  return `dir:${name}@sha256:${hash.digest("hex").slice(0, 16)}`;
}

async function isGguf(file: string): Promise<boolean> {
  for await (const chunk of createReadStream(file, { start: 0, end: 3 })) {
    return (chunk as Buffer).toString("latin1") === "GGUF";
  }
  return false;
}

async function hashFile(hash: ReturnType<typeof createHash>, file: string, signal?: AbortSignal) {
  for await (const chunk of createReadStream(file, {
    highWaterMark: 4 << 20,
    ...(signal ? { signal } : {}),
  })) {
    hash.update(chunk as Buffer);
  }
}

/** Every file under `dir`, relative, sorted, so the same tree always hashes the same. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
