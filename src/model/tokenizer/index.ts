export {
  type LoadTokenizerOptions,
  loadTokenizer,
  type RenderChatOptions,
  type RenderedCompletion,
  type TokenizeOptions,
  type Tokenizer,
} from "./Tokenizer.js";
