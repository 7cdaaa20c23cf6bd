export { createRng, type Rng } from "./createRng.js";
export { FNV1A_OFFSET_BASIS, fnv1a, fnv1aStep } from "./fnv1a.js";
export { type Mulberry32, mulberry32 } from "./mulberry32.js";
