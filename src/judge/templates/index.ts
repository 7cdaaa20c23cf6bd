export {
  builtinTemplates,
  cotPairV2,
  defaultTemplates,
  directPairV2,
  rationalizerPairV2,
} from "./builtinTemplates.js";
export { formatTemplateString, placeholdersOf } from "./formatTemplateString.js";
export { knownTemplates, loadTemplate, parseTemplate } from "./loadTemplate.js";
export { type RenderJudgePromptOptions, renderJudgePrompt } from "./renderJudgePrompt.js";
export { templateHash } from "./templateHash.js";
export { validateTemplate } from "./validateTemplate.js";
