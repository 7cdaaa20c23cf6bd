/**
 * Streaming GGUF v3 writer. Header, metadata and tensor infos are built in memory (they are small);
 * tensor data is encoded chunk by chunk into one reusable buffer and appended, so a model of any size
 * is written without holding it in memory. The file is written under a temporary name and renamed
 * into place, so readers never see a half-written model.
 *
 * Layout (llama.cpp `gguf.cpp`): magic, version, tensor count, kv count, key/value pairs, tensor infos
 * (name, n_dims, ne[] innermost first, type, offset), zero padding to `general.alignment`, then each
 * tensor's bytes at an aligned offset relative to the start of the data section.
 */

import { open, rename, rm } from "node:fs/promises";
import { InputError, throwIfAborted } from "../../errors.js";
import {
  GGML_TYPE_IDS,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_IDS,
  GGUF_VERSION,
  type GgmlTensorType,
} from "./ggmlTypes.js";
import type { GgufMetadata, GgufValue } from "./ggufValue.js";
import { encodedByteLength, encodeTensorInto, Q8_0_BLOCK } from "./tensorCodec.js";

/** Float32 chunks of a tensor in row-major order; their lengths may be anything, they are re-blocked. */
export type TensorChunkSource = () => Iterable<Float32Array> | AsyncIterable<Float32Array>;

export interface GgufTensorSpec {
  /** At most 63 bytes (ggml's `GGML_MAX_NAME` is 64 with the terminator). */
  name: string;
  /**
   * Row-major shape, outermost first (PyTorch/numpy order), e.g. `[vocab, hidden]` for `token_embd`.
   * The file stores it reversed as ggml `ne` (innermost first). 1 to 4 dims.
   */
  shape: readonly number[];
  type: GgmlTensorType;
  /**
   * Float32 values (encoded to `type` on write), bytes already encoded as `type`, or a source of
   * Float32 chunks for tensors too large to hold.
   */
  data: Float32Array | Uint8Array | TensorChunkSource;
}

export interface WriteGgufOptions {
  /** Key/value metadata in the order to write it. Defaults to none. */
  metadata?: GgufMetadata | Iterable<readonly [string, GgufValue]>;
  /** Defaults to none. */
  tensors?: readonly GgufTensorSpec[];
  /**
   * Data alignment in bytes; written as `general.alignment` when not the GGUF default. Must agree with
   * a `general.alignment` in `metadata`. Defaults to 32.
   */
  alignment?: number;
  signal?: AbortSignal;
  /** Called after each chunk of tensor data with bytes written so far and the total. */
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface WriteGgufResult {
  path: string;
  /** File size in bytes. */
  bytes: number;
  /** Where the tensor data section starts. */
  dataOffset: number;
}

const FLUSH_BYTES = 8 << 20;
const MAX_NAME_BYTES = 63;

export async function writeGguf(path: string, options: WriteGgufOptions = {}): Promise<WriteGgufResult> {
  const { tensors = [], signal, onProgress } = options;
  const metadata = new Map(options.metadata ?? []);
  const alignment = resolveAlignment(path, metadata, options.alignment);

  const planned = planTensors(path, tensors, alignment);
  const header = new ByteWriter();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(BigInt(tensors.length));
  header.u64(BigInt(metadata.size));
  for (const [key, value] of metadata) {
    header.str(key);
    writeValue(header, key, value);
  }
  for (const t of planned) {
    header.str(t.spec.name);
    header.u32(t.ne.length);
    for (const d of t.ne) header.u64(BigInt(d));
    header.u32(GGML_TYPE_IDS[t.spec.type]);
    header.u64(BigInt(t.offset));
  }
  const dataOffset = alignUp(header.length, alignment);
  const dataBytes =
    planned.length > 0 ? planned[planned.length - 1]!.offset + planned[planned.length - 1]!.paddedBytes : 0;

  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const handle = await open(tmp, "w");
  let ok = false;
  try {
    const out = new OutputBuffer(handle);
    await out.write(header.bytes());
    await out.zeros(dataOffset - header.length);
    let done = 0;
    for (const t of planned) {
      throwIfAborted(signal);
      await writeTensorData(out, t, path, (n) => {
        done += n;
        onProgress?.({ done, total: dataBytes });
      });
      await out.zeros(t.paddedBytes - t.bytes);
    }
    await out.flush();
    await handle.close();
    await rename(tmp, path);
    ok = true;
    return { path, bytes: dataOffset + dataBytes, dataOffset };
  } finally {
    if (!ok) {
      await handle.close().catch(() => {});
      await rm(tmp, { force: true });
    }
  }
}

function resolveAlignment(
  path: string,
  metadata: Map<string, GgufValue>,
  requested: number | undefined,
): number {
  const existing = metadata.get("general.alignment");
  if (existing !== undefined && (existing.type !== "uint32" || !isValidAlignment(existing.value))) {
    throw new InputError("bad general.alignment", {
      file: path,
      field: "general.alignment",
      expected: "a uint32 power of two",
      got: JSON.stringify(existing),
    });
  }
  const fromMeta = existing?.type === "uint32" ? existing.value : undefined;
  if (requested !== undefined && !isValidAlignment(requested)) {
    throw new InputError("bad alignment option", {
      file: path,
      field: "alignment",
      expected: "a power of two",
      got: String(requested),
    });
  }
  if (fromMeta !== undefined && requested !== undefined && fromMeta !== requested) {
    throw new InputError("alignment option disagrees with general.alignment", {
      file: path,
      field: "alignment",
      expected: String(fromMeta),
      got: String(requested),
    });
  }
  const alignment = fromMeta ?? requested ?? GGUF_DEFAULT_ALIGNMENT;
  if (fromMeta === undefined && alignment !== GGUF_DEFAULT_ALIGNMENT) {
    metadata.set("general.alignment", { type: "uint32", value: alignment });
  }
  return alignment;
}

function isValidAlignment(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

interface PlannedTensor {
  spec: GgufTensorSpec;
  ne: number[];
  elements: number;
  bytes: number;
  paddedBytes: number;
  offset: number;
}

function planTensors(path: string, tensors: readonly GgufTensorSpec[], alignment: number): PlannedTensor[] {
  const seen = new Set<string>();
  let offset = 0;
  return tensors.map((spec, i) => {
    const field = `tensors[${i}]`;
    const nameBytes = Buffer.byteLength(spec.name, "utf8");
    if (nameBytes === 0 || nameBytes > MAX_NAME_BYTES) {
      throw new InputError("bad tensor name", {
        file: path,
        field: `${field}.name`,
        expected: `1 to ${MAX_NAME_BYTES} bytes`,
        got: spec.name,
      });
    }
    if (seen.has(spec.name)) {
      throw new InputError("duplicate tensor name", { file: path, field: `${field}.name`, got: spec.name });
    }
    seen.add(spec.name);
    if (!(spec.type in GGML_TYPE_IDS)) {
      throw new InputError("unsupported tensor type for writing", {
        file: path,
        field: `${field}.type`,
        expected: Object.keys(GGML_TYPE_IDS).join(" | "),
        got: String(spec.type),
      });
    }
    const { shape } = spec;
    if (shape.length < 1 || shape.length > 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new InputError(`tensor "${spec.name}" has a bad shape`, {
        file: path,
        field: `${field}.shape`,
        expected: "1 to 4 positive integers",
        got: JSON.stringify(shape),
      });
    }
    const ne = [...shape].reverse();
    if (spec.type === "Q8_0" && ne[0]! % Q8_0_BLOCK !== 0) {
      throw new InputError(`tensor "${spec.name}": Q8_0 rows must be a multiple of ${Q8_0_BLOCK} values`, {
        file: path,
        field: `${field}.shape`,
        expected: `last dim divisible by ${Q8_0_BLOCK}`,
        got: JSON.stringify(shape),
      });
    }
    const elements = shape.reduce((a, b) => a * b, 1);
    const bytes = encodedByteLength(spec.type, elements);
    checkDataSize(path, field, spec, elements, bytes);
    const planned: PlannedTensor = {
      spec,
      ne,
      elements,
      bytes,
      paddedBytes: alignUp(bytes, alignment),
      offset,
    };
    offset += planned.paddedBytes;
    return planned;
  });
}

function checkDataSize(
  path: string,
  field: string,
  spec: GgufTensorSpec,
  elements: number,
  bytes: number,
): void {
  const { data } = spec;
  if (data instanceof Float32Array && data.length !== elements) {
    throw new InputError(`tensor "${spec.name}" data does not match its shape`, {
      file: path,
      field: `${field}.data`,
      expected: `${elements} float32 values for shape ${JSON.stringify(spec.shape)}`,
      got: `${data.length}`,
    });
  }
  if (data instanceof Uint8Array && data.length !== bytes) {
    throw new InputError(`tensor "${spec.name}" encoded data does not match its shape and type`, {
      file: path,
      field: `${field}.data`,
      expected: `${bytes} bytes of ${spec.type}`,
      got: `${data.length}`,
    });
  }
}

async function writeTensorData(
  out: OutputBuffer,
  t: PlannedTensor,
  path: string,
  progress: (bytes: number) => void,
): Promise<void> {
  const { data, type, name } = t.spec;
  if (data instanceof Uint8Array) {
    await out.write(data);
    progress(data.length);
    return;
  }
  if (data instanceof Float32Array) {
    await out.encode(type, data);
    progress(t.bytes);
    return;
  }
  const block = type === "Q8_0" ? Q8_0_BLOCK : 1;
  let pending = new Float32Array(0);
  let seen = 0;
  for await (const chunk of data()) {
    seen += chunk.length;
    if (seen > t.elements) break;
    let values = chunk;
    if (pending.length > 0) {
      values = new Float32Array(pending.length + chunk.length);
      values.set(pending);
      values.set(chunk, pending.length);
    }
    const whole = values.length - (values.length % block);
    if (whole > 0) {
      const n = await out.encode(type, values.subarray(0, whole));
      progress(n);
    }
    pending = values.slice(whole);
  }
  if (seen !== t.elements || pending.length > 0) {
    throw new InputError(`tensor "${name}" chunk source gave the wrong number of values`, {
      file: path,
      field: `tensors["${name}"].data`,
      expected: `${t.elements} values`,
      got: seen > t.elements ? `more than ${t.elements}` : `${seen}`,
    });
  }
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

function writeValue(w: ByteWriter, key: string, v: GgufValue): void {
  const typeId = GGUF_VALUE_TYPE_IDS[v.type];
  if (typeId === undefined) {
    throw new InputError("unknown GGUF value type", { field: key, got: String(v.type) });
  }
  w.u32(typeId);
  if (v.type === "array") {
    w.u32(GGUF_VALUE_TYPE_IDS[v.itemType]);
    w.u64(BigInt(v.value.length));
    for (const item of v.value) writeScalar(w, key, v.itemType, item);
  } else {
    writeScalar(w, key, v.type, v.value);
  }
}

const INT_RANGES: Record<string, [number, number]> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};

function writeScalar(w: ByteWriter, key: string, type: string, value: unknown): void {
  const bad = (expected: string) =>
    new InputError("metadata value does not fit its type", { field: key, expected, got: String(value) });
  if (type === "string") {
    if (typeof value !== "string") throw bad("a string");
    w.str(value);
  } else if (type === "bool") {
    if (typeof value !== "boolean") throw bad("a boolean");
    w.u8(value ? 1 : 0);
  } else if (type === "uint64" || type === "int64") {
    if (typeof value !== "bigint") throw bad("a bigint");
    if (type === "uint64") w.u64(value);
    else w.i64(value);
  } else if (type === "float32" || type === "float64") {
    if (typeof value !== "number") throw bad("a number");
    if (type === "float32") w.f32(value);
    else w.f64(value);
  } else {
    const range = INT_RANGES[type];
    if (!range) throw bad("a known GGUF type");
    if (typeof value !== "number" || !Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw bad(`an integer in [${range[0]}, ${range[1]}] (${type})`);
    }
    w.int(type, value);
  }
}

/** Growable little-endian byte buffer for the header. */
class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  u64(v: bigint): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(v, this.length);
    this.length += 8;
  }
  i64(v: bigint): void {
    this.reserve(8);
    this.buf.writeBigInt64LE(v, this.length);
    this.length += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
  }
  int(type: string, v: number): void {
    const size = type.endsWith("8") ? 1 : type.endsWith("16") ? 2 : 4;
    this.reserve(size);
    if (type.startsWith("u")) this.buf.writeUIntLE(v, this.length, size);
    else this.buf.writeIntLE(v, this.length, size);
    this.length += size;
  }
  str(s: string): void {
    const n = Buffer.byteLength(s, "utf8");
    this.u64(BigInt(n));
    this.reserve(n);
    this.buf.write(s, this.length, "utf8");
    this.length += n;
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Batches small writes into large ones; encodes tensor chunks straight into its buffer. */
class OutputBuffer {
  private readonly buf = new Uint8Array(FLUSH_BYTES);
  private used = 0;

  constructor(private readonly handle: import("node:fs/promises").FileHandle) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (this.used + bytes.length > this.buf.length) await this.flush();
    if (bytes.length > this.buf.length) {
      await this.handle.write(bytes);
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  async zeros(n: number): Promise<void> {
    if (n > 0) await this.write(new Uint8Array(n));
  }

  /** Encodes `values` as `type`, in pieces that fit the buffer. Returns bytes written. */
  async encode(type: GgmlTensorType, values: Float32Array): Promise<number> {
    const block = type === "Q8_0" ? Q8_0_BLOCK : 1;
    const perValue = encodedByteLength(type, block) / block;
    const maxValues = Math.floor(this.buf.length / perValue / block) * block;
    let written = 0;
    for (let start = 0; start < values.length; start += maxValues) {
      const piece = values.subarray(start, Math.min(values.length, start + maxValues));
      const need = encodedByteLength(type, piece.length);
      if (this.used + need > this.buf.length) await this.flush();
      written += encodeTensorInto(type, piece, this.buf.subarray(this.used, this.used + need));
      this.used += need;
    }
    return written;
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.handle.write(this.buf, 0, this.used);
    this.used = 0;
  }
}
