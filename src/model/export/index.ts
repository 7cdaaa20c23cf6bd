export { type ExportLoraAdapterGgufOptions, exportLoraAdapterGguf } from "./exportLoraAdapterGguf.js";
export { type ExportMergedGgufOptions, exportMergedGguf } from "./exportMergedGguf.js";
