import { readFile } from "node:fs/promises";
import { InputError } from "../../errors.js";
import type { TinyModelArch } from "../../model/tiny/index.js";
import { builtinChatTemplates, createTinyModel, isBuiltinChatTemplate } from "../../model/tiny/index.js";

export interface ModelTinyOptions {
  out: string;
  hidden?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  ffn?: number;
  vocab?: number;
  vocabFrom?: string;
  arch?: TinyModelArch;
  /** A builtin template name or a file. */
  chatTemplate?: string;
  seed?: number;
}

export async function runModelTiny(options: ModelTinyOptions): Promise<void> {
  const chatTemplate =
    options.chatTemplate === undefined ? undefined : await readChatTemplate(options.chatTemplate);
  const result = await createTinyModel({
    path: options.out,
    ...(options.hidden !== undefined ? { hidden: options.hidden } : {}),
    ...(options.layers !== undefined ? { layers: options.layers } : {}),
    ...(options.heads !== undefined ? { heads: options.heads } : {}),
    ...(options.kvHeads !== undefined ? { kvHeads: options.kvHeads } : {}),
    ...(options.ffn !== undefined ? { ffn: options.ffn } : {}),
    ...(options.vocab !== undefined ? { vocabSize: options.vocab } : {}),
    ...(options.vocabFrom !== undefined ? { vocabFrom: options.vocabFrom } : {}),
    ...(options.arch !== undefined ? { arch: options.arch } : {}),
    ...(chatTemplate !== undefined ? { chatTemplate } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const vocab = result.config.vocabFrom ? `, vocabulary of ${result.config.vocabFrom}` : "";
  process.stdout.write(
    `wrote ${result.path} (${(result.bytes / 1e6).toFixed(2)} MB, ${result.config.name}, ${result.config.vocabSize} tokens${vocab})\n`,
  );
}

/** A builtin name, else a file holding the Jinja source. */
async function readChatTemplate(nameOrFile: string): Promise<string> {
  if (isBuiltinChatTemplate(nameOrFile)) return builtinChatTemplates[nameOrFile];
  try {
    return await readFile(nameOrFile, "utf8");
  } catch (error) {
    throw new InputError("--chat-template is neither a builtin name nor a readable file", {
      file: nameOrFile,
      field: "--chat-template",
      expected: `a file or one of ${Object.keys(builtinChatTemplates).join(" | ")}`,
      got: (error as NodeJS.ErrnoException).code ?? String(error),
    });
  }
}
