export {
  GGML_TYPE_IDS,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  type GgmlTensorType,
  type GgufValueTypeName,
  ggmlByteSize,
  ggmlTypeName,
  supportedTensorType,
} from "./ggmlTypes.js";
export {
  type GgufArray,
  type GgufMetadata,
  type GgufScalar,
  type GgufValue,
  ggufValue,
  plainValue,
} from "./ggufValue.js";
export {
  type GgufFile,
  type GgufTensorInfo,
  type OpenGgufOptions,
  openGguf,
  readGgufInfo,
} from "./openGguf.js";
export { decodeTensor, encodedByteLength, encodeTensor, f16BitsToF32, f32ToF16Bits } from "./tensorCodec.js";
export {
  type GgufTensorSpec,
  type TensorChunkSource,
  type WriteGgufOptions,
  type WriteGgufResult,
  writeGguf,
} from "./writeGguf.js";
export { type LoraTarget, type WriteLoraAdapterOptions, writeLoraAdapter } from "./writeLoraAdapter.js";
