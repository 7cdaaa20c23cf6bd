/**
 * GGUF container constants and the ggml tensor type table. Ids and block layouts follow
 * `ggml/include/ggml.h` and `ggml/src/ggml-common.h` in llama.cpp; only F32, F16, BF16 and Q8_0 are
 * encoded or decoded by genrm, the rest are listed so errors and listings can name them.
 */

/** "GGUF" read as a little-endian uint32. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_VERSION = 3;
/** Used when a file has no `general.alignment`; llama.cpp's `GGUF_DEFAULT_ALIGNMENT`. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF metadata value type ids (`enum gguf_type`). */
export const GGUF_VALUE_TYPE_IDS = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPE_IDS;

export const GGUF_VALUE_TYPE_NAMES: ReadonlyMap<number, GgufValueTypeName> = new Map(
  Object.entries(GGUF_VALUE_TYPE_IDS).map(([name, id]) => [id, name as GgufValueTypeName]),
);

/** Tensor types genrm can write and dequantise. */
export type GgmlTensorType = "F32" | "F16" | "BF16" | "Q8_0";

interface GgmlTypeInfo {
  name: string;
  /** Elements per block (1 for plain types). */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

/** Every ggml type a GGUF can hold; layouts from `ggml/src/ggml.c` `type_traits`. */
const GGML_TYPES: Record<number, GgmlTypeInfo> = {
  0: { name: "F32", blockSize: 1, typeSize: 4 },
  1: { name: "F16", blockSize: 1, typeSize: 2 },
  2: { name: "Q4_0", blockSize: 32, typeSize: 18 },
  3: { name: "Q4_1", blockSize: 32, typeSize: 20 },
  6: { name: "Q5_0", blockSize: 32, typeSize: 22 },
  7: { name: "Q5_1", blockSize: 32, typeSize: 24 },
  8: { name: "Q8_0", blockSize: 32, typeSize: 34 },
  9: { name: "Q8_1", blockSize: 32, typeSize: 36 },
  10: { name: "Q2_K", blockSize: 256, typeSize: 84 },
  11: { name: "Q3_K", blockSize: 256, typeSize: 110 },
  12: { name: "Q4_K", blockSize: 256, typeSize: 144 },
  13: { name: "Q5_K", blockSize: 256, typeSize: 176 },
  14: { name: "Q6_K", blockSize: 256, typeSize: 210 },
  15: { name: "Q8_K", blockSize: 256, typeSize: 292 },
  16: { name: "IQ2_XXS", blockSize: 256, typeSize: 66 },
  17: { name: "IQ2_XS", blockSize: 256, typeSize: 74 },
  18: { name: "IQ3_XXS", blockSize: 256, typeSize: 98 },
  19: { name: "IQ1_S", blockSize: 256, typeSize: 50 },
  20: { name: "IQ4_NL", blockSize: 32, typeSize: 18 },
  21: { name: "IQ3_S", blockSize: 256, typeSize: 110 },
  22: { name: "IQ2_S", blockSize: 256, typeSize: 82 },
  23: { name: "IQ4_XS", blockSize: 256, typeSize: 136 },
  24: { name: "I8", blockSize: 1, typeSize: 1 },
  25: { name: "I16", blockSize: 1, typeSize: 2 },
  26: { name: "I32", blockSize: 1, typeSize: 4 },
  27: { name: "I64", blockSize: 1, typeSize: 8 },
  28: { name: "F64", blockSize: 1, typeSize: 8 },
  29: { name: "IQ1_M", blockSize: 256, typeSize: 56 },
  30: { name: "BF16", blockSize: 1, typeSize: 2 },
  34: { name: "TQ1_0", blockSize: 256, typeSize: 54 },
  35: { name: "TQ2_0", blockSize: 256, typeSize: 66 },
  39: { name: "MXFP4", blockSize: 32, typeSize: 17 },
};

export const GGML_TYPE_IDS: Record<GgmlTensorType, number> = { F32: 0, F16: 1, BF16: 30, Q8_0: 8 };

/** The type's name, or `type#<id>` for ids this table does not know. */
export function ggmlTypeName(typeId: number): string {
  return GGML_TYPES[typeId]?.name ?? `type#${typeId}`;
}

export function ggmlTypeInfo(typeId: number): GgmlTypeInfo | undefined {
  return GGML_TYPES[typeId];
}

/** The genrm-supported type for an id, or undefined for any other ggml type. */
export function supportedTensorType(typeId: number): GgmlTensorType | undefined {
  for (const [name, id] of Object.entries(GGML_TYPE_IDS)) if (id === typeId) return name as GgmlTensorType;
  return undefined;
}

/**
 * Bytes that `elements` values take in `typeId`, or undefined when the type's layout is unknown or
 * `elements` is not a whole number of blocks.
 */
export function ggmlByteSize(typeId: number, elements: number): number | undefined {
  const info = GGML_TYPES[typeId];
  if (!info || elements % info.blockSize !== 0) return undefined;
  return (elements / info.blockSize) * info.typeSize;
}
