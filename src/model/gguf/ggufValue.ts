/**
 * Typed GGUF metadata values. JS numbers do not say whether a key is uint32 or float32, and llama.cpp
 * rejects a key stored with the wrong type, so every value carries its GGUF type. 64-bit integers are
 * bigints so they survive a round trip exactly. Arrays of arrays are not valid GGUF for llama.cpp, so
 * they are not modelled.
 */

import type { GgufValueTypeName } from "./ggmlTypes.js";

export type GgufScalarTypeName = Exclude<GgufValueTypeName, "array">;

export type GgufScalar =
  | {
      type: "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";
      value: number;
    }
  | { type: "uint64" | "int64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string };

export type GgufArray =
  | {
      type: "array";
      itemType: "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";
      value: readonly number[];
    }
  | { type: "array"; itemType: "uint64" | "int64"; value: readonly bigint[] }
  | { type: "array"; itemType: "bool"; value: readonly boolean[] }
  | { type: "array"; itemType: "string"; value: readonly string[] };

export type GgufValue = GgufScalar | GgufArray;

/** Metadata in file order; a Map keeps insertion order, which the writer preserves. */
export type GgufMetadata = Map<string, GgufValue>;

/** Short constructors: `ggufValue.u32(2)`, `ggufValue.strings(["a"])`. */
export const ggufValue = {
  u8: (value: number): GgufValue => ({ type: "uint8", value }),
  i8: (value: number): GgufValue => ({ type: "int8", value }),
  u16: (value: number): GgufValue => ({ type: "uint16", value }),
  i16: (value: number): GgufValue => ({ type: "int16", value }),
  u32: (value: number): GgufValue => ({ type: "uint32", value }),
  i32: (value: number): GgufValue => ({ type: "int32", value }),
  f32: (value: number): GgufValue => ({ type: "float32", value }),
  f64: (value: number): GgufValue => ({ type: "float64", value }),
  u64: (value: bigint | number): GgufValue => ({ type: "uint64", value: BigInt(value) }),
  i64: (value: bigint | number): GgufValue => ({ type: "int64", value: BigInt(value) }),
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  str: (value: string): GgufValue => ({ type: "string", value }),
  strings: (value: readonly string[]): GgufValue => ({ type: "array", itemType: "string", value }),
  i32s: (value: readonly number[]): GgufValue => ({ type: "array", itemType: "int32", value }),
  u32s: (value: readonly number[]): GgufValue => ({ type: "array", itemType: "uint32", value }),
  f32s: (value: readonly number[]): GgufValue => ({ type: "array", itemType: "float32", value }),
} as const;

/** The plain JS value inside a GgufValue. */
export function plainValue(v: GgufValue): unknown {
  return v.value;
}
