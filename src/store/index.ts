export type { ProbabilityKey, RunRecord, SampleKey, StoredProbability, StoreStats } from "./SampleStore.js";
export { SampleStore } from "./SampleStore.js";
