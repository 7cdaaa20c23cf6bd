/**
 * GGUF reader: parses the header, metadata and tensor infos (v2 and v3, little-endian), then reads
 * tensor data lazily, one tensor at a time, so a large model is never loaded whole. F32, F16, BF16
 * and Q8_0 dequantise to Float32Array; any other tensor type is an UnsupportedError naming it.
 */

import { type FileHandle, open } from "node:fs/promises";
import { DisposedError, InputError, throwIfAborted, UnsupportedError } from "../../errors.js";
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE_NAMES,
  type GgmlTensorType,
  type GgufValueTypeName,
  ggmlByteSize,
  ggmlTypeName,
  supportedTensorType,
} from "./ggmlTypes.js";
import type { GgufMetadata, GgufValue } from "./ggufValue.js";
import { decodeTensor } from "./tensorCodec.js";

export interface GgufTensorInfo {
  name: string;
  /** Row-major shape, outermost first (the reverse of ggml `ne`). */
  shape: number[];
  /** ggml `ne`, innermost first, as stored. */
  ne: number[];
  typeId: number;
  /** ggml type name, e.g. "F16", "Q4_K", or `type#<id>` for ids unknown here. */
  typeName: string;
  elements: number;
  /** Absolute file offset of the tensor's first byte. */
  offset: number;
  /** Byte size, when the type's layout is known. */
  bytes: number | undefined;
}

export interface GgufFile {
  readonly path: string;
  readonly version: number;
  readonly metadata: GgufMetadata;
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  /** Absolute offset where the tensor data section starts. */
  readonly dataOffset: number;
  readonly fileSize: number;
  readonly disposed: boolean;
  /** The tensor info by name, or undefined. */
  tensor(name: string): GgufTensorInfo | undefined;
  /** Raw bytes of one tensor as stored. */
  readTensorBytes(name: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** One tensor dequantised to float32, row-major. F32, F16, BF16 and Q8_0 only. */
  readTensor(name: string, options?: { signal?: AbortSignal }): Promise<Float32Array>;
  /** Closes the file; safe to call more than once. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface OpenGgufOptions {
  signal?: AbortSignal;
}

const READ_CHUNK = 1 << 20;
/** A sanity cap so a corrupt length field fails fast instead of allocating gigabytes. */
const MAX_STRING_BYTES = 1 << 26;

export async function openGguf(path: string, options: OpenGgufOptions = {}): Promise<GgufFile> {
  const { signal } = options;
  throwIfAborted(signal);
  const handle = await open(path, "r");
  try {
    const { size: fileSize } = await handle.stat();
    const r = new HeaderReader(handle, path, fileSize);
    const magic = await r.u32("magic");
    if (magic !== GGUF_MAGIC) {
      throw new InputError("not a GGUF file", {
        file: path,
        field: "magic",
        expected: '"GGUF"',
        got: JSON.stringify(Buffer.from(new Uint32Array([magic]).buffer).toString("latin1")),
      });
    }
    const version = await r.u32("version");
    if (version === 0x03000000 || version === 0x02000000) {
      throw new UnsupportedError(`${path}: big-endian GGUF files are not supported`);
    }
    if (version !== 2 && version !== 3) {
      throw new InputError("unsupported GGUF version", {
        file: path,
        field: "version",
        expected: "2 or 3",
        got: String(version),
      });
    }
    const tensorCount = await r.count("tensor count");
    const kvCount = await r.count("metadata count");
    const metadata: GgufMetadata = new Map();
    for (let i = 0; i < kvCount; i++) {
      throwIfAborted(signal);
      const key = await r.str(`metadata[${i}].key`);
      const typeId = await r.u32(key);
      metadata.set(key, await readValue(r, key, typeId));
    }
    const alignmentValue = metadata.get("general.alignment");
    const alignment = alignmentValue?.type === "uint32" ? alignmentValue.value : GGUF_DEFAULT_ALIGNMENT;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
      throw new InputError("bad general.alignment", {
        file: path,
        field: "general.alignment",
        expected: "a power of two",
        got: String(alignment),
      });
    }
    const infos: Omit<GgufTensorInfo, "offset">[] = [];
    const relOffsets: number[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await r.str(`tensors[${i}].name`);
      const nDims = await r.u32(`tensor "${name}" n_dims`);
      if (nDims < 1 || nDims > 4) {
        throw new InputError("bad tensor rank", {
          file: path,
          field: `tensor "${name}"`,
          expected: "1 to 4 dims",
          got: String(nDims),
        });
      }
      const ne: number[] = [];
      for (let d = 0; d < nDims; d++) ne.push(await r.count(`tensor "${name}" ne[${d}]`));
      const typeId = await r.u32(`tensor "${name}" type`);
      relOffsets.push(await r.count(`tensor "${name}" offset`));
      const elements = ne.reduce((a, b) => a * b, 1);
      infos.push({
        name,
        ne,
        shape: [...ne].reverse(),
        typeId,
        typeName: ggmlTypeName(typeId),
        elements,
        bytes: ggmlByteSize(typeId, elements),
      });
    }
    const dataOffset = Math.ceil(r.position / alignment) * alignment;
    const tensors = infos.map((info, i) => ({ ...info, offset: dataOffset + relOffsets[i]! }));
    for (const t of tensors) {
      if (t.bytes !== undefined && t.offset + t.bytes > fileSize) {
        throw new InputError("tensor data runs past the end of the file (truncated?)", {
          file: path,
          field: `tensor "${t.name}"`,
          expected: `${t.offset + t.bytes} bytes`,
          got: `${fileSize} bytes`,
        });
      }
    }
    return new GgufFileImpl(handle, path, version, metadata, tensors, alignment, dataOffset, fileSize);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Header, metadata and tensor infos only; the file is closed again. */
export async function readGgufInfo(
  path: string,
  options: OpenGgufOptions = {},
): Promise<
  Pick<GgufFile, "path" | "version" | "metadata" | "tensors" | "alignment" | "dataOffset" | "fileSize">
> {
  const file = await openGguf(path, options);
  await file.dispose();
  const { version, metadata, tensors, alignment, dataOffset, fileSize } = file;
  return { path, version, metadata, tensors, alignment, dataOffset, fileSize };
}

async function readValue(r: HeaderReader, key: string, typeId: number): Promise<GgufValue> {
  const type = valueType(r, key, typeId);
  if (type !== "array") return { type, value: await readScalar(r, key, type) } as GgufValue;
  const itemType = valueType(r, key, await r.u32(`${key} item type`));
  if (itemType === "array") {
    throw new InputError("nested GGUF arrays are not valid", { file: r.path, field: key });
  }
  const n = await r.count(`${key} length`);
  const value: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    // Synchronous while the buffer holds the item; awaiting ~100k vocabulary strings one by one
    // made reading a 49k-token header take half a second.
    const item = readScalarSync(r, itemType);
    value[i] = item !== NEED_MORE ? item : await readScalar(r, key, itemType);
  }
  return { type: "array", itemType, value } as GgufValue;
}

function valueType(r: HeaderReader, key: string, typeId: number): GgufValueTypeName {
  const type = GGUF_VALUE_TYPE_NAMES.get(typeId);
  if (!type) {
    throw new InputError("unknown GGUF metadata value type", {
      file: r.path,
      field: key,
      expected: "0..12",
      got: String(typeId),
    });
  }
  return type;
}

type ScalarType = Exclude<GgufValueTypeName, "array">;
const SCALAR_SIZE: Record<Exclude<ScalarType, "string">, number> = {
  bool: 1,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
  uint64: 8,
  int64: 8,
};
const NEED_MORE = Symbol("need more bytes");

async function readScalar(r: HeaderReader, key: string, type: ScalarType): Promise<unknown> {
  if (type === "string") return r.str(key);
  await r.ensure(SCALAR_SIZE[type], key);
  const v = readScalarSync(r, type);
  if (v === NEED_MORE) throw new InputError("short read in GGUF header", { file: r.path, field: key });
  return v;
}

/** Decodes one scalar from the buffered bytes, or returns NEED_MORE without consuming anything. */
function readScalarSync(r: HeaderReader, type: ScalarType): unknown {
  if (type === "string") {
    const head = r.peek(8);
    if (!head) return NEED_MORE;
    const n = head.readBigUInt64LE(0);
    if (n > BigInt(MAX_STRING_BYTES)) return NEED_MORE;
    const bytes = r.peek(8 + Number(n));
    if (!bytes) return NEED_MORE;
    r.skip(8 + Number(n));
    return bytes.toString("utf8", 8);
  }
  const b = r.peek(SCALAR_SIZE[type]);
  if (!b) return NEED_MORE;
  r.skip(b.length);
  switch (type) {
    case "bool":
      return b.readUInt8(0) !== 0;
    case "uint8":
      return b.readUInt8(0);
    case "int8":
      return b.readInt8(0);
    case "uint16":
      return b.readUInt16LE(0);
    case "int16":
      return b.readInt16LE(0);
    case "uint32":
      return b.readUInt32LE(0);
    case "int32":
      return b.readInt32LE(0);
    case "float32":
      return b.readFloatLE(0);
    case "float64":
      return b.readDoubleLE(0);
    case "uint64":
      return b.readBigUInt64LE(0);
    case "int64":
      return b.readBigInt64LE(0);
  }
}

/** Sequential reads over a file handle through a refilled buffer; awaits only when it must refill. */
class HeaderReader {
  private buf = Buffer.alloc(0);
  private at = 0;
  private bufStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly fileSize: number,
  ) {}

  get position(): number {
    return this.bufStart + this.at;
  }

  /** `n` bytes at the cursor, advancing it. The returned view is valid until the next call. */
  async fixed(n: number, what: string): Promise<Buffer> {
    await this.ensure(n, what);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  async ensure(n: number, what: string): Promise<void> {
    if (this.at + n > this.buf.length) await this.fill(n, what);
  }

  /** The next `n` buffered bytes without consuming them, or undefined when not all are buffered. */
  peek(n: number): Buffer | undefined {
    return this.at + n <= this.buf.length ? this.buf.subarray(this.at, this.at + n) : undefined;
  }

  skip(n: number): void {
    this.at += n;
  }

  private async fill(n: number, what: string): Promise<void> {
    const start = this.position;
    if (start + n > this.fileSize) {
      throw new InputError("file ends in the middle of the header (truncated?)", {
        file: this.path,
        field: what,
        expected: `${n} more bytes at offset ${start}`,
        got: `${this.fileSize - start}`,
      });
    }
    const size = Math.min(Math.max(n, READ_CHUNK), this.fileSize - start);
    const next = Buffer.alloc(size);
    const { bytesRead } = await this.handle.read(next, 0, size, start);
    if (bytesRead < n) {
      throw new InputError("short read in GGUF header", {
        file: this.path,
        field: what,
        expected: `${n} bytes`,
        got: `${bytesRead}`,
      });
    }
    this.buf = next.subarray(0, bytesRead);
    this.bufStart = start;
    this.at = 0;
  }

  async u32(what: string): Promise<number> {
    return (await this.fixed(4, what)).readUInt32LE(0);
  }

  /** A uint64 count or offset, which must fit a JS number. */
  async count(what: string): Promise<number> {
    const v = (await this.fixed(8, what)).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new InputError("implausible 64-bit value in GGUF header", {
        file: this.path,
        field: what,
        got: v.toString(),
      });
    }
    return Number(v);
  }

  async str(what: string): Promise<string> {
    const n = await this.count(`${what} length`);
    if (n > MAX_STRING_BYTES) {
      throw new InputError("implausible string length in GGUF header", {
        file: this.path,
        field: what,
        expected: `at most ${MAX_STRING_BYTES} bytes`,
        got: String(n),
      });
    }
    return (await this.fixed(n, what)).toString("utf8");
  }
}

class GgufFileImpl implements GgufFile {
  private closed = false;
  private readonly byName: Map<string, GgufTensorInfo>;

  constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    readonly version: number,
    readonly metadata: GgufMetadata,
    readonly tensors: readonly GgufTensorInfo[],
    readonly alignment: number,
    readonly dataOffset: number,
    readonly fileSize: number,
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  get disposed(): boolean {
    return this.closed;
  }

  tensor(name: string): GgufTensorInfo | undefined {
    return this.byName.get(name);
  }

  private info(name: string): GgufTensorInfo {
    if (this.closed) throw new DisposedError(`GGUF file ${this.path}`);
    const info = this.byName.get(name);
    if (!info) {
      throw new InputError("no such tensor", {
        file: this.path,
        field: name,
        expected: `one of ${this.tensors.length} tensors, e.g. ${this.tensors
          .slice(0, 3)
          .map((t) => t.name)
          .join(", ")}`,
      });
    }
    return info;
  }

  async readTensorBytes(name: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const info = this.info(name);
    if (info.bytes === undefined) {
      throw new UnsupportedError(
        `${this.path}: tensor "${name}" has type ${info.typeName}, whose byte layout genrm does not know`,
      );
    }
    throwIfAborted(options.signal);
    const out = new Uint8Array(info.bytes);
    let done = 0;
    while (done < out.length) {
      throwIfAborted(options.signal);
      const { bytesRead } = await this.handle.read(
        out,
        done,
        Math.min(out.length - done, 64 << 20),
        info.offset + done,
      );
      if (bytesRead === 0) {
        throw new InputError("file ended inside tensor data (truncated?)", {
          file: this.path,
          field: `tensor "${name}"`,
        });
      }
      done += bytesRead;
    }
    return out;
  }

  async readTensor(name: string, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    const info = this.info(name);
    const type: GgmlTensorType | undefined = supportedTensorType(info.typeId);
    if (!type) {
      throw new UnsupportedError(
        `${this.path}: tensor "${name}" has type ${info.typeName}; genrm can read F32, F16, BF16 and Q8_0`,
        { hint: "re-export the model as F16 or Q8_0 (llama-quantize <in> <out> Q8_0)" },
      );
    }
    return decodeTensor(type, await this.readTensorBytes(name, options), info.elements);
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
