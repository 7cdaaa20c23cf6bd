export {
  GGML_TYPE_IDS,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  type GgmlTensorType,
  type GgufValueTypeName,
  ggmlByteSize,
  ggmlTypeName,
} from "./ggmlTypes.js";
export {
  type GgufArray,
  type GgufMetadata,
  type GgufScalar,
  type GgufValue,
  ggufValue,
  plainValue,
} from "./ggufValue.js";
export { decodeTensor, encodedByteLength, encodeTensor, f16BitsToF32, f32ToF16Bits } from "./tensorCodec.js";
export {
  type GgufTensorSpec,
  type TensorChunkSource,
  type WriteGgufOptions,
  type WriteGgufResult,
  writeGguf,
} from "./writeGguf.js";
