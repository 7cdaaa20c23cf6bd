/** The mini world's base model: tokenizer, random init, pretraining and measurement. */
export { encodeCorpus } from "./encodeCorpus.js";
export {
  type MeasureWorldModelOptions,
  measureWorldModel,
  type SplitMeasurement,
  type WorldModelMeasurement,
} from "./measureWorldModel.js";
export {
  defaultPretrainTrainOptions,
  type PretrainRecipe,
  type PretrainTrainOptions,
  type PretrainWorldOptions,
  type PretrainWorldResult,
  pretrainWorldModel,
} from "./pretrainWorldModel.js";
export {
  checkWorldModelShape,
  defaultWorldModelShape,
  type WorldModelShape,
  writeInitModel,
} from "./writeInitModel.js";
