export {
  type ChatRenderer,
  type ChatTextOptions,
  type ContinuationTokens,
  chatRenderer,
  continuationTokens,
  renderChatText,
  tokenizePromptText,
} from "./promptTokens.js";
export {
  type LoadTokenizerOptions,
  loadTokenizer,
  type RenderChatOptions,
  type RenderedCompletion,
  type TokenizeOptions,
  type Tokenizer,
} from "./Tokenizer.js";
