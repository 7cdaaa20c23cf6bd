export * from "./fixtures/index.js";
export * from "./gguf/index.js";
