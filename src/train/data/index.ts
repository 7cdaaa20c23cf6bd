export {
  defaultEncodeOptions,
  type EncodeOptions,
  encodeExamples,
  encodeSequence,
  type LengthPolicy,
} from "./encodeExamples.js";
export { type LoadTrainRowsOptions, loadTrainRows } from "./loadTrainData.js";
export { pairToTrainRow } from "./pairToTrainRow.js";
export { parseTrainRow, type RowShape, rowShape } from "./parseTrainRow.js";
export { asTrainTokenizer, openTrainTokenizer, type TrainTokenizer } from "./TrainTokenizer.js";
export type {
  EncodeReport,
  PairwiseExample,
  PairwiseRow,
  PreferenceExample,
  PreferenceRow,
  RowPrompt,
  RowRef,
  SequenceExample,
  SftRow,
  TokenSequence,
  TrainDataset,
  TrainExample,
  TrainMethod,
  TrainRow,
} from "./types.js";
