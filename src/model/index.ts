export * from "./fixtures/index.js";
export * from "./gguf/index.js";
export { type ModelIdentityOptions, modelIdentity } from "./modelIdentity.js";
