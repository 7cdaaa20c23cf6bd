/**
 * Content identity of a GGUF model file: `gguf:<name>@sha256:<first 16 hex>`, where name is the
 * file's `general.name` (or its base name without `.gguf`). Two copies of one file get the same id;
 * an edited file gets a new one. The hash streams the file and is cached per (path, size, mtime), so
 * asking again for an unchanged file costs one stat.
 */

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { throwIfAborted } from "../errors.js";
import type { ModelId } from "../types.js";
import { readGgufInfo } from "./gguf/openGguf.js";

export interface ModelIdentityOptions {
  signal?: AbortSignal;
  /** Called as the file is hashed, in bytes. */
  onProgress?: (p: { done: number; total: number }) => void;
}

const cache = new Map<string, { key: string; id: Promise<ModelId> }>();

export async function modelIdentity(path: string, options: ModelIdentityOptions = {}): Promise<ModelId> {
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  const full = resolve(path);
  const st = await stat(full);
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = cache.get(full);
  if (hit && hit.key === key) return hit.id;
  const id = computeIdentity(full, st.size, signal, onProgress);
  cache.set(full, { key, id });
  // A failed computation (abort, read error) must not stay cached.
  id.catch(() => {
    if (cache.get(full)?.id === id) cache.delete(full);
  });
  return id;
}

async function computeIdentity(
  path: string,
  size: number,
  signal: AbortSignal | undefined,
  onProgress: ModelIdentityOptions["onProgress"],
): Promise<ModelId> {
  const info = await readGgufInfo(path, { signal });
  const general = info.metadata.get("general.name");
  const raw =
    general?.type === "string" && general.value.trim() !== ""
      ? general.value
      : basename(path).replace(/\.gguf$/i, "");
  const name = raw.trim().replace(/[^A-Za-z0-9._-]+/g, "-");
  const hash = createHash("sha256");
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20, signal })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onProgress?.({ done, total: size });
  }
  return `gguf:${name}@sha256:${hash.digest("hex").slice(0, 16)}` as ModelId;
}
