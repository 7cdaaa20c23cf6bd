/**
 * Tiny random-weight GGUF models for tests. Re-exports the builder from src so benches and the CLI
 * use the same one; `tinyModelOnce` memoises per options within one test process so a file's tests
 * share a model instead of each writing its own.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { createTinyModel, type TinyModelOptions, type TinyModelResult } from "../../src/model/index.js";

export {
  CHATML_TEMPLATE,
  createTinyModel,
  resolveTinyModelConfig,
  SMOLLM_135M_SHAPE,
  type TinyModelArch,
  type TinyModelConfig,
  type TinyModelOptions,
  type TinyModelResult,
  type TinyTensorType,
} from "../../src/model/index.js";

const cache = new Map<string, Promise<TinyModelResult>>();
const written: string[] = [];

// Each memoised model lives in its own temp dir; remove them when the test process ends.
process.once("exit", () => {
  for (const dir of written) rmSync(dir, { recursive: true, force: true });
});

/** Same options (without `path`) in one process give the same file, written once. */
export function tinyModelOnce(options: Omit<TinyModelOptions, "path" | "signal" | "onProgress"> = {}) {
  const key = JSON.stringify(options, Object.keys(options).sort());
  let model = cache.get(key);
  if (!model) {
    model = createTinyModel(options).then((m) => {
      written.push(dirname(m.path));
      return m;
    });
    cache.set(key, model);
  }
  return model;
}
