/**
 * A scalar-head checkpoint as a judge: the Bradley–Terry reward head ("score") or the PairRM
 * comparator ("pairwise") that `genrm train --method bt|pairrm` writes to `<run>/head.ckpt`, on the
 * model it was trained with (base GGUF + LoRA adapter GGUF, or the merged GGUF), run by genrm's own
 * decoder. Inputs are encoded token for token as the trainer encoded its examples, so the head sees
 * at judging time what it saw in training:
 *
 * - BT: each response scored alone, r = head(last token of `encodeSequence(prompt, response)`): the
 *   chat-templated prompt, the response and the end-of-turn token. P(A) = σ(r_A − r_B).
 * - PairRM: the judge prompt (`renderJudgePrompt(template, pair, order)`, chat-templated with an
 *   open assistant turn) gives one logit z with σ(z) = P(the response shown first is better), the
 *   trainer's label convention. P(A) is averaged over the shown orders ("both" by default: the
 *   comparator's slot preference cancels).
 *
 * Judgments carry the read-outs: `probabilities` per order (pA, log P(A), log P(B)) and `head`
 * (the BT rewards, or the PairRM logit of each order). Nothing is sampled, so `samples` is empty
 * and provenance says k = 0, temperature 0.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { PreferencePair } from "../data/types.js";
import { DisposedError, InputError, NotFoundError, throwIfAborted } from "../errors.js";
import { buildJudgment } from "../judge/buildJudgment.js";
import { ordersFor } from "../judge/orderFor.js";
import { directPairV2 } from "../judge/templates/builtinTemplates.js";
import { loadTemplate } from "../judge/templates/loadTemplate.js";
import { renderJudgePrompt } from "../judge/templates/renderJudgePrompt.js";
import { templateHash } from "../judge/templates/templateHash.js";
import type {
  Judge,
  JudgeInfo,
  JudgeProvenance,
  JudgeTemplate,
  Judgment,
  Order,
  OrderMode,
  OrderProbability,
  PairVerdict,
} from "../judge/types.js";
import { readGgufInfo } from "../model/gguf/openGguf.js";
import { readCausalLMConfig } from "../model/llama/readCausalLMConfig.js";
import type { ScalarHeadKind } from "../model/llama/ScalarHead.js";
import { isAdapterGguf } from "../model/lora/loadLoraAdapterGguf.js";
import { modelIdentity } from "../model/modelIdentity.js";
import { stableStringify } from "../run/runDir.js";
import { readCheckpointFile } from "../train/checkpoint.js";
import { encodeSequence } from "../train/data/encodeExamples.js";
import type { HeadFileMeta } from "../train/restore.js";
import type { ModelId, TemplateHash } from "../types.js";
import { openWorkerScorer } from "./openWorkerScorer.js";
import { createSequenceScorer } from "./scoreSequences.js";

export interface OpenHeadJudgeOptions {
  /** `head.ckpt` as `genrm train --method bt|pairrm` writes it. Required. */
  headFile: string;
  /**
   * The model GGUF. Defaults to the head's merged model (`meta.model`, when it is not an adapter),
   * else its base model (`meta.baseModel`).
   */
  modelPath?: string;
  /**
   * A LoRA adapter GGUF applied on top of the model; null for none. Defaults to the head's adapter
   * (`meta.model`, when it is one) if the model is the head's base model (given or defaulted).
   */
  adapterPath?: string | null;
  /**
   * PairRM: the judge template inputs are rendered with. Defaults to the one the head file records,
   * else the trainer's default (`direct-pair-v2@1`). A template whose hash differs from the recorded
   * one is an error: the head was never trained on its inputs.
   */
  template?: JudgeTemplate;
  /** PairRM: shown orders per pair. Defaults to "both" (P(A) averaged over AB and BA). */
  orderMode?: OrderMode;
  /** PairRM: seed of orderMode "random". Defaults to 0. */
  seed?: number;
  /** Most sequences in one forward. Defaults to 8. */
  batchSize?: number;
  signal?: AbortSignal;
}

export const defaultHeadJudgeOptions = { orderMode: "both", seed: 0, batchSize: 8 } as const satisfies Omit<
  OpenHeadJudgeOptions,
  "headFile"
>;

/** What the head read for one judgment. */
export type HeadReadout =
  | { kind: "score" /** BT reward of pair.responseA. */; rewardA: number; rewardB: number }
  | {
      kind: "pairwise";
      /** Logit per shown order: σ(logit) = P(the response shown first is better). */
      logits: { order: Order; logit: number }[];
    };

/** A Judgment with the head's raw read-out (an extra field; still a valid Judgment). */
export interface HeadJudgment extends Judgment {
  head: HeadReadout;
}

export interface HeadJudge extends Judge {
  readonly kind: ScalarHeadKind;
  /** The files actually loaded. */
  readonly files: { head: string; model: string; adapter: string | null };
  judge(pair: PreferencePair, options?: { signal?: AbortSignal }): Promise<HeadJudgment>;
  /** Releases the tokenizer; later calls throw DisposedError. */
  dispose(): Promise<void>;
}

const btDescription =
  "bt head: reward at the last token of encodeSequence(chat prompt, response) = prompt + response + end-of-turn";

export async function openHeadJudge(options: OpenHeadJudgeOptions): Promise<HeadJudge> {
  const {
    orderMode = defaultHeadJudgeOptions.orderMode,
    seed = defaultHeadJudgeOptions.seed,
    signal,
  } = options;
  const batchSize = options.batchSize ?? defaultHeadJudgeOptions.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InputError("bad batch size", {
      field: "batchSize",
      expected: "a positive integer",
      got: String(batchSize),
    });
  }
  const headFile = resolve(options.headFile);
  const meta = await readHeadMeta(headFile);
  const files = await resolveModelFiles(headFile, meta, options);
  throwIfAborted(signal);

  // Width first, from the header: no point loading a model the head cannot sit on.
  const info = await readGgufInfo(files.model, { signal });
  const config = readCausalLMConfig(info.metadata, info.tensors, files.model);
  if (config.hidden !== meta.hidden) {
    throw new InputError(`head width does not match the model ${files.model}`, {
      file: headFile,
      field: "meta.hidden",
      expected: String(config.hidden),
      got: String(meta.hidden),
    });
  }
  const template = meta.kind === "pairwise" ? await resolveTemplate(headFile, meta, options.template) : null;

  // The model (adapter merged in: the same weights as the merged export, no LoRA work per forward)
  // and head live on a worker thread, so long forwards never block this thread's event loop.
  const worker = await openWorkerScorer({ model: files.model, adapter: files.adapter, headFile }, signal);
  const [modelId, adapterId, headHash] = await Promise.all([
    modelIdentity(files.model, { signal }),
    files.adapter === null ? Promise.resolve(null) : modelIdentity(files.adapter, { signal }),
    headContentHash(headFile),
  ]);
  // Imported here: node-llama-cpp (the tokenizer) is slow to load, and `genrm eval` imports this
  // module on every run, most of which never open a head.
  const { openTrainTokenizer } = await import("../train/data/TrainTokenizer.js");
  const tokenizer = await openTrainTokenizer(files.model);

  const method = meta.kind === "score" ? "bt" : "pairrm";
  // Model, adapter and head content all name the judge, so results of different heads never mix.
  const judgeModelId =
    `${modelId}${adapterId === null ? "" : `+lora:${adapterId}`}+head:${meta.kind}@sha256:${headHash.slice(0, 16)}` as ModelId;
  const modelName = [files.model, ...(files.adapter === null ? [] : [files.adapter]), headFile]
    .map((f) => basename(f))
    .join(" + ");
  const templateId = template === null ? `head:${method}@1` : template.id;
  const hash =
    template === null
      ? (createHash("sha256").update(btDescription).digest("hex").slice(0, 16) as TemplateHash)
      : templateHash(template);
  const judgeInfo: JudgeInfo = {
    name: `${method} head`,
    modelId: judgeModelId,
    modelName,
    protocol: "direct",
    templateId,
    templateHash: hash,
  };
  const provenance: JudgeProvenance = {
    modelId: judgeModelId,
    modelName,
    protocol: "direct",
    templateId,
    templateHash: hash,
    seed,
    sampling: { temperature: 0, topP: 1, maxTokens: 0 },
    orderMode: template === null ? "fixed" : orderMode,
    k: 0,
    adaptive: false,
  };

  const name = `${method} head judge (${headFile})`;
  const scorer = createSequenceScorer(worker.runBatch, { batchSize, name, onClose: worker.close });
  let disposed = false;

  const judgeBt = async (pair: PreferencePair, startedAt: number): Promise<HeadJudgment> => {
    const seqs = [pair.responseA, pair.responseB].map(
      (response) => encodeSequence(tokenizer, pair.prompt, response).tokens,
    );
    const [rewardA, rewardB] = (await scorer.score(seqs)) as [number, number];
    const diff = rewardA - rewardB;
    const verdict: PairVerdict = rewardA > rewardB ? "A" : rewardA < rewardB ? "B" : "tie";
    const judgment = buildJudgment({
      pairId: pair.id,
      verdict,
      pA: sigmoid(diff),
      orders: ["AB"],
      samples: [],
      votes: { A: 0, B: 0, error: 0 },
      probabilities: [
        { order: "AB", pA: sigmoid(diff), logprobA: logSigmoid(diff), logprobB: logSigmoid(-diff) },
      ],
      stoppedEarly: false,
      promptTokens: seqs[0]!.length + seqs[1]!.length,
      errors: [],
      provenance: { ...provenance },
      startedAt,
    });
    return { ...judgment, head: { kind: "score", rewardA, rewardB } };
  };

  const judgePairwise = async (pair: PreferencePair, startedAt: number): Promise<HeadJudgment> => {
    const orders = ordersFor(pair.id, { mode: orderMode, seed });
    const seqs = orders.map((order) =>
      Int32Array.from(tokenizer.encodePrompt(renderJudgePrompt(template!, pair, order))),
    );
    const logits = await scorer.score(seqs);
    // σ(z) = P(shown first is better); in pair terms that is P(A) for AB and P(B) for BA.
    const probabilities: OrderProbability[] = orders.map((order, i) => {
      const zA = order === "AB" ? logits[i]! : -logits[i]!;
      return { order, pA: sigmoid(zA), logprobA: logSigmoid(zA), logprobB: logSigmoid(-zA) };
    });
    const pA = probabilities.reduce((s, p) => s + p.pA, 0) / probabilities.length;
    const judgment = buildJudgment({
      pairId: pair.id,
      verdict: pA > 0.5 ? "A" : pA < 0.5 ? "B" : "tie",
      pA,
      orders,
      samples: [],
      votes: { A: 0, B: 0, error: 0 },
      probabilities,
      stoppedEarly: false,
      promptTokens: seqs.reduce((s, q) => s + q.length, 0),
      errors: [],
      provenance: { ...provenance },
      startedAt,
    });
    return {
      ...judgment,
      head: { kind: "pairwise", logits: orders.map((order, i) => ({ order, logit: logits[i]! })) },
    };
  };

  return {
    info: judgeInfo,
    kind: meta.kind,
    files,
    async judge(pair, judgeOptions = {}) {
      if (disposed) throw new DisposedError(name);
      throwIfAborted(judgeOptions.signal);
      const startedAt = performance.now();
      return meta.kind === "score" ? judgeBt(pair, startedAt) : judgePairwise(pair, startedAt);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      scorer.close();
      await tokenizer.dispose();
    },
  };
}

async function readHeadMeta(headFile: string): Promise<HeadFileMeta> {
  await stat(headFile).catch((cause) => {
    throw new NotFoundError(`no such head file: ${headFile}`, {
      cause,
      hint: "BT and PairRM runs write <run dir>/head.ckpt (genrm train --method bt|pairrm)",
    });
  });
  const { meta } = await readCheckpointFile<Partial<HeadFileMeta>>(headFile);
  if (meta?.format !== "genrm-head") {
    throw new InputError("not a genrm head file", {
      file: headFile,
      field: "meta.format",
      expected: '"genrm-head"',
      got: JSON.stringify(meta?.format ?? null),
    });
  }
  if (meta.kind !== "score" && meta.kind !== "pairwise") {
    throw new InputError("unknown head kind", {
      file: headFile,
      field: "meta.kind",
      expected: '"score" (BT) or "pairwise" (PairRM)',
      got: JSON.stringify(meta.kind ?? null),
    });
  }
  if (!Number.isInteger(meta.hidden) || meta.hidden! < 1) {
    throw new InputError("bad head width", {
      file: headFile,
      field: "meta.hidden",
      expected: "a positive integer",
      got: JSON.stringify(meta.hidden ?? null),
    });
  }
  return meta as HeadFileMeta;
}

/**
 * Which model and adapter to load. A path the head records is also looked for next to the head
 * file, so a run directory that was moved or copied still opens.
 */
async function resolveModelFiles(
  headFile: string,
  meta: HeadFileMeta,
  options: OpenHeadJudgeOptions,
): Promise<{ head: string; model: string; adapter: string | null }> {
  const recorded = meta.model === null ? null : await locate(meta.model, headFile);
  const recordedIsAdapter = recorded === null ? false : isAdapterGguf(await readGgufInfo(recorded));
  const base = meta.baseModel === null ? null : resolve(meta.baseModel);

  let model: string;
  let modelField: string;
  if (options.modelPath !== undefined) {
    model = resolve(options.modelPath);
    modelField = "modelPath";
  } else if (recorded !== null && !recordedIsAdapter) {
    model = recorded;
    modelField = "meta.model";
  } else {
    if (meta.model !== null && recorded === null) throw missingRecorded(headFile, meta.model);
    if (base === null) {
      throw new InputError(
        "the head file names no model",
        { file: headFile, field: "meta.baseModel" },
        { hint: "pass the model GGUF (--model, and --lora for a LoRA run's adapter)" },
      );
    }
    model = base;
    modelField = "meta.baseModel";
  }

  let adapter: string | null;
  if (options.adapterPath !== undefined) {
    adapter = options.adapterPath === null ? null : resolve(options.adapterPath);
  } else if (model === base) {
    // The head was trained on base + adapter; without the adapter it would read the wrong features.
    if (meta.model !== null && recorded === null) throw missingRecorded(headFile, meta.model);
    adapter = recordedIsAdapter ? recorded : null;
  } else {
    adapter = null;
  }

  if (!(await exists(model))) {
    throw new NotFoundError(
      `${modelField === "modelPath" ? "" : `${headFile}: field "${modelField}": `}no such model file: ${model}`,
      { hint: "pass the model GGUF with --model (modelPath)" },
    );
  }
  if (isAdapterGguf(await readGgufInfo(model))) {
    throw new InputError(
      "this is a LoRA adapter, not a model",
      { file: model, field: "general.type" },
      { hint: "pass the base model as the model and the adapter with --lora (adapterPath)" },
    );
  }
  if (adapter !== null && !(await exists(adapter))) {
    throw new NotFoundError(`no such LoRA adapter file: ${adapter}`, {
      hint: "pass the adapter with --lora (adapterPath), or null for none",
    });
  }
  return { head: headFile, model, adapter };
}

function missingRecorded(headFile: string, recorded: string): NotFoundError {
  return new NotFoundError(
    `${headFile}: field "meta.model": no such file: ${recorded} (nor ${join(dirname(headFile), basename(recorded))})`,
    {
      hint: "pass the trained model with --model (merged GGUF), or the base with --model and the adapter with --lora",
    },
  );
}

async function locate(recorded: string, headFile: string): Promise<string | null> {
  const candidates = [
    resolve(dirname(headFile), recorded),
    resolve(recorded),
    join(dirname(headFile), basename(recorded)),
  ];
  for (const candidate of candidates) {
    if (await exists(candidate)) return candidate;
  }
  return null;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function resolveTemplate(
  headFile: string,
  meta: HeadFileMeta,
  given: JudgeTemplate | undefined,
): Promise<JudgeTemplate> {
  const recorded = meta.template;
  if (given !== undefined) {
    if (recorded !== undefined && templateHash(given) !== recorded.hash) {
      throw new InputError(
        `the PairRM head was trained with template ${recorded.id}, not ${given.id}`,
        { file: headFile, field: "meta.template.hash", expected: recorded.hash, got: templateHash(given) },
        { hint: `judge with the training template (--template ${recorded.id}, or its JSON file)` },
      );
    }
    return given;
  }
  if (recorded === undefined) return directPairV2;
  const found = await loadTemplate(recorded.id).catch(() => null);
  if (found === null || templateHash(found) !== recorded.hash) {
    throw new InputError(
      `the PairRM head was trained with template ${recorded.id}, which is not a built-in template with that content`,
      { file: headFile, field: "meta.template", expected: `hash ${recorded.hash}` },
      { hint: "pass the training template's JSON file with --template" },
    );
  }
  return found;
}

/**
 * The head's content identity: its weights and what it is (kind, width, method, template), not the
 * paths it records to find its model. A head trained on a base model installed elsewhere (another
 * clone, another user's home) is the same judge and must share its samples and ids.
 */
async function headContentHash(headFile: string): Promise<string> {
  const { meta, tensors } = await readCheckpointFile<Partial<HeadFileMeta>>(headFile);
  const { baseModel: _base, model: _model, ...what } = meta;
  const hash = createHash("sha256").update(stableStringify(what));
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    hash.update(`\n${name}:${t.shape.join("x")}\n`);
    hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return hash.digest("hex");
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}
