export type { ProgressReporter, ProgressReporterOptions, ProgressUpdate } from "./ProgressReporter.js";
export { createProgressReporter, formatSeconds } from "./ProgressReporter.js";
