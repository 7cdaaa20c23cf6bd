import { createTinyModel } from "../../model/tiny/index.js";

export interface ModelTinyOptions {
  out: string;
  hidden?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  ffn?: number;
  vocab?: number;
  seed?: number;
}

export async function runModelTiny(options: ModelTinyOptions): Promise<void> {
  const result = await createTinyModel({
    path: options.out,
    ...(options.hidden !== undefined ? { hidden: options.hidden } : {}),
    ...(options.layers !== undefined ? { layers: options.layers } : {}),
    ...(options.heads !== undefined ? { heads: options.heads } : {}),
    ...(options.kvHeads !== undefined ? { kvHeads: options.kvHeads } : {}),
    ...(options.ffn !== undefined ? { ffn: options.ffn } : {}),
    ...(options.vocab !== undefined ? { vocabSize: options.vocab } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  process.stdout.write(
    `wrote ${result.path} (${(result.bytes / 1e6).toFixed(2)} MB, ${result.config.name})\n`,
  );
}
