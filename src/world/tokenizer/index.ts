export {
  buildWorldVocab,
  defaultWorldVocabOptions,
  type WorldVocabOptions,
  worldTokenizerText,
} from "./buildWorldVocab.js";
