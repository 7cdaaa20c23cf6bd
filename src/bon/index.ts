/** Public API of bon/: Best-of-N candidate sets, generation, selection runs and human evaluation. */
export { evaluateBonItem, longestCandidate } from "./evaluateBonItem.js";
export {
  defaultGenerateCandidatesOptions,
  type GenerateCandidatesOptions,
  generateCandidates,
} from "./generateCandidates.js";
export { humanRanks } from "./humanRanks.js";
export { detectBonFormat, type LoadBonItemsOptions, loadBonItems } from "./loadBonItems.js";
export { readJsonlItems } from "./readJsonlItems.js";
export { readLlmfaoItems } from "./readLlmfaoItems.js";
export { readMtBenchItems } from "./readMtBenchItems.js";
export { readXstestItems } from "./readXstestItems.js";
export { defaultRunBonOptions, type RunBonOptions, runBon } from "./runBon.js";
export { summarizeBon } from "./summarizeBon.js";
export * from "./types.js";
