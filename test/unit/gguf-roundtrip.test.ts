/**
 * GGUF writer and reader against each other, against known bit patterns, and against
 * node-llama-cpp's independent GGUF parser; error paths for bad files.
 */
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError, UnsupportedError } from "../../src/errors.js";
import {
  decodeTensor,
  encodeTensor,
  f16BitsToF32,
  f32ToF16Bits,
  type GgufValue,
  openGguf,
  readGgufInfo,
  ggufValue as v,
  writeGguf,
} from "../../src/model/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-gguf-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic values spanning several orders of magnitude and both signs. */
function values(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 2 ** 32;
    out[i] = (u - 0.5) * 4 * 10 ** ((i % 5) - 2);
  }
  return out;
}

const allTypes = new Map<string, GgufValue>([
  ["t.u8", v.u8(255)],
  ["t.i8", v.i8(-128)],
  ["t.u16", v.u16(65535)],
  ["t.i16", v.i16(-32768)],
  ["t.u32", v.u32(4294967295)],
  ["t.i32", v.i32(-2147483648)],
  ["t.f32", v.f32(0.5)],
  ["t.f64", v.f64(Math.PI)],
  ["t.u64", v.u64(2n ** 64n - 1n)],
  ["t.i64", v.i64(-(2n ** 63n))],
  ["t.bool", v.bool(true)],
  ["t.str", v.str("héllo\nwörld 🙂")],
  ["t.strs", v.strings(["a", "", "Ġthe", "<|im_end|>"])],
  ["t.i32s", v.i32s([1, -2, 3])],
  ["t.u32s", v.u32s([0, 4294967295])],
  ["t.f32s", v.f32s([0.25, -1.5])],
  ["t.bools", { type: "array", itemType: "bool", value: [true, false] }],
  ["t.u64s", { type: "array", itemType: "uint64", value: [0n, 2n ** 40n] }],
  ["t.empty", v.strings([])],
]);

describe("GGUF write -> read", () => {
  it("round-trips every metadata type, tensor infos and F32 data exactly", async () => {
    const path = join(dir, "all.gguf");
    const a = values(6 * 32);
    const b = values(7, 2);
    await writeGguf(path, {
      metadata: allTypes,
      tensors: [
        { name: "a", shape: [6, 32], type: "F32", data: a },
        { name: "b.bias", shape: [7], type: "F32", data: b },
      ],
    });
    const file = await openGguf(path);
    try {
      expect(file.version).toBe(3);
      expect([...file.metadata]).toEqual([...allTypes]);
      expect(file.tensors.map((t) => [t.name, t.shape, t.ne, t.typeName])).toEqual([
        ["a", [6, 32], [32, 6], "F32"],
        ["b.bias", [7], [7], "F32"],
      ]);
      expect(file.dataOffset % 32).toBe(0);
      for (const t of file.tensors) expect((t.offset - file.dataOffset) % 32).toBe(0);
      expect(await file.readTensor("a")).toEqual(a);
      expect(await file.readTensor("b.bias")).toEqual(b);
    } finally {
      await file.dispose();
      await file.dispose();
    }
    await expect(file.readTensor("a")).rejects.toThrow(/used after dispose/);
  });

  it("agrees with node-llama-cpp's own GGUF parser", async () => {
    const path = join(dir, "all.gguf");
    const theirs = await readGgufFileInfo(path, { readTensorInfo: true });
    const t = theirs.metadata as unknown as { t: Record<string, unknown> };
    expect(t.t.u32).toBe(4294967295);
    expect(t.t.str).toBe("héllo\nwörld 🙂");
    expect(t.t.strs).toEqual(["a", "", "Ġthe", "<|im_end|>"]);
    expect(t.t.i32s).toEqual([1, -2, 3]);
    expect(theirs.tensorInfo?.map((x) => [x.name, x.dimensions.map(Number)])).toEqual([
      ["a", [32, 6]],
      ["b.bias", [7]],
    ]);
    const ours = await readGgufInfo(path);
    expect(theirs.tensorInfo?.map((x) => Number(x.offset) + ours.dataOffset)).toEqual(
      ours.tensors.map((x) => x.offset),
    );
  });

  it("writes the same bytes from a chunk source as from one array, with odd chunk sizes", async () => {
    const data = values(4 * 96);
    for (const type of ["F32", "F16", "BF16", "Q8_0"] as const) {
      const whole = join(dir, `whole-${type}.gguf`);
      const chunked = join(dir, `chunked-${type}.gguf`);
      await writeGguf(whole, { tensors: [{ name: "w", shape: [4, 96], type, data }] });
      await writeGguf(chunked, {
        tensors: [
          {
            name: "w",
            shape: [4, 96],
            type,
            data: function* () {
              for (let i = 0; i < data.length; i += 37) yield data.slice(i, i + 37);
            },
          },
        ],
      });
      expect(Buffer.compare(await readFile(whole), await readFile(chunked))).toBe(0);
    }
  });

  it("dequantises F16, BF16 and Q8_0 within their error bounds", async () => {
    const data = values(8 * 64);
    const path = join(dir, "quant.gguf");
    await writeGguf(path, {
      tensors: (["F16", "BF16", "Q8_0"] as const).map((type) => ({ name: type, shape: [8, 64], type, data })),
    });
    const file = await openGguf(path);
    try {
      const f16 = await file.readTensor("F16");
      const bf16 = await file.readTensor("BF16");
      const q8 = await file.readTensor("Q8_0");
      let maxRelF16 = 0;
      let maxRelBf16 = 0;
      for (let i = 0; i < data.length; i++) {
        const x = data[i]!;
        // Above F16's normal minimum, round-to-nearest is within half an ulp: 2^-11 relative.
        if (Math.abs(x) > 6.2e-5) maxRelF16 = Math.max(maxRelF16, Math.abs(f16[i]! - x) / Math.abs(x));
        maxRelBf16 = Math.max(maxRelBf16, Math.abs(bf16[i]! - x) / Math.abs(x));
      }
      expect(maxRelF16).toBeLessThanOrEqual(2 ** -11);
      expect(maxRelF16).toBeGreaterThan(0);
      expect(maxRelBf16).toBeLessThanOrEqual(2 ** -8);
      for (let blockStart = 0; blockStart < data.length; blockStart += 32) {
        const block = data.subarray(blockStart, blockStart + 32);
        const amax = Math.max(...Array.from(block, Math.abs));
        // Half a quantisation step, plus the F16 rounding of the scale (127 steps * 2^-11 relative).
        const bound = (amax / 127) * (0.5 + 127 * 2 ** -11) + 1e-12;
        for (let j = 0; j < 32; j++)
          expect(Math.abs(q8[blockStart + j]! - block[j]!)).toBeLessThanOrEqual(bound);
      }
    } finally {
      await file.dispose();
    }
  });

  it("honours a larger alignment and records it", async () => {
    const path = join(dir, "align.gguf");
    await writeGguf(path, {
      alignment: 64,
      tensors: [
        { name: "x", shape: [3], type: "F32", data: new Float32Array([1, 2, 3]) },
        { name: "y", shape: [5], type: "F16", data: new Float32Array([1, 2, 3, 4, 5]) },
      ],
    });
    const info = await readGgufInfo(path);
    expect(info.metadata.get("general.alignment")).toEqual(v.u32(64));
    expect(info.alignment).toBe(64);
    expect(info.dataOffset % 64).toBe(0);
    expect(info.tensors.map((t) => (t.offset - info.dataOffset) % 64)).toEqual([0, 0]);
  });
});

describe("tensor codecs", () => {
  it("encodes F16 with round-to-nearest-even and ggml's edge cases", () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [1e6, 0x7c00],
      [2 ** -24, 0x0001],
      [2 ** -26, 0x0000],
      [-0, 0x8000],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [Number.POSITIVE_INFINITY, 0x7c00],
    ];
    for (const [x, bits] of cases) expect([x, f32ToF16Bits(x)]).toEqual([x, bits]);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(Number.NaN)))).toBe(true);
    for (const [, bits] of cases) if (bits !== 0x7c00) expect(f32ToF16Bits(f16BitsToF32(bits))).toBe(bits);
  });

  it("encodes a Q8_0 block as scale + int8 like ggml's reference", () => {
    const block = Float32Array.from({ length: 32 }, (_, i) => i - 16);
    const bytes = encodeTensor("Q8_0", block);
    expect(bytes.length).toBe(34);
    const d = f16BitsToF32(bytes[0]! | (bytes[1]! << 8));
    expect(d).toBeCloseTo(16 / 127, 4);
    const q = new Int8Array(bytes.buffer, 2, 32);
    expect(q[0]).toBe(-127);
    expect(q[16]).toBe(0);
    expect(Array.from(decodeTensor("Q8_0", bytes, 32), (x) => Math.round(x))).toEqual(Array.from(block));
    expect(decodeTensor("Q8_0", encodeTensor("Q8_0", new Float32Array(32)), 32)).toEqual(
      new Float32Array(32),
    );
  });
});

describe("bad GGUF files", () => {
  it("names the file on a bad magic", async () => {
    const path = join(dir, "not.gguf");
    await writeFile(path, "GGML not really a gguf file at all");
    const error = await openGguf(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/not a GGUF file/);
  });

  it("rejects an unknown version and a truncated header", async () => {
    const good = join(dir, "all.gguf");
    const bytes = await readFile(good);
    const v9 = Buffer.from(bytes);
    v9.writeUInt32LE(9, 4);
    await writeFile(join(dir, "v9.gguf"), v9);
    await expect(openGguf(join(dir, "v9.gguf"))).rejects.toThrow(/version.*expected 2 or 3, got 9/);
    await writeFile(join(dir, "cut.gguf"), bytes.subarray(0, 200));
    await expect(openGguf(join(dir, "cut.gguf"))).rejects.toThrow(/cut\.gguf.*truncated/);
  });

  it("refuses to dequantise other tensor types, naming type and tensor", async () => {
    const path = join(dir, "q4k.gguf");
    await writeGguf(path, {
      tensors: [{ name: "blk.0.ffn_up.weight", shape: [256], type: "F32", data: values(256) }],
    });
    // Patch the stored type id to Q4_K (12): it sits right after the name, n_dims and one ne.
    const bytes = Buffer.from(await readFile(path));
    const at = bytes.indexOf("blk.0.ffn_up.weight") + "blk.0.ffn_up.weight".length + 4 + 8;
    expect(bytes.readUInt32LE(at)).toBe(0);
    bytes.writeUInt32LE(12, at);
    await writeFile(path, bytes);
    const file = await openGguf(path);
    try {
      expect(file.tensor("blk.0.ffn_up.weight")?.typeName).toBe("Q4_K");
      const error = await file.readTensor("blk.0.ffn_up.weight").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedError);
      expect((error as Error).message).toMatch(/blk\.0\.ffn_up\.weight.*Q4_K/);
      expect((await file.readTensorBytes("blk.0.ffn_up.weight")).length).toBe(144);
      await expect(file.readTensor("missing")).rejects.toThrow(/no such tensor/);
    } finally {
      await file.dispose();
    }
  });

  it("rejects writes whose data does not match the shape", async () => {
    await expect(
      writeGguf(join(dir, "bad.gguf"), {
        tensors: [{ name: "w", shape: [2, 3], type: "F32", data: new Float32Array(5) }],
      }),
    ).rejects.toThrow(/expected 6 float32 values/);
    await expect(
      writeGguf(join(dir, "bad.gguf"), {
        tensors: [{ name: "w", shape: [2, 33], type: "Q8_0", data: new Float32Array(66) }],
      }),
    ).rejects.toThrow(/multiple of 32/);
    await expect(writeGguf(join(dir, "bad.gguf"), { metadata: [["k", v.u8(256)]] })).rejects.toThrow(
      /field "k"/,
    );
    const handle = await open(join(dir, "bad.gguf"), "r").catch(() => undefined);
    expect(handle).toBeUndefined();
  });
});
