/**
 * The embedded engine: node-llama-cpp (llama.cpp) on a GGUF file, CPU by default.
 *
 * One context with `parallelSequences` sequences serves every request (SequencePool), and all
 * decoding sequences advance one token per step in shared batches (LockstepDecoder). A request for
 * k samples evaluates its prompt once: the first sample's sequence evaluates all but the last prompt
 * token, that KV state is copied into the sequences of the other k-1 samples (node-llama-cpp 3.21.1
 * has no in-memory copy between sequences, so it goes through llama.cpp's per-sequence state file,
 * in /dev/shm), then all k decode together. Later requests reuse whatever prefix of their prompt a
 * sequence still holds. Each sample has its own sampler seeded with its seed.
 *
 * Seeds: a sample depends on its prompt and seed alone, not on what decodes beside it, with
 * `batchInvariant` (the default): every batch holds its rows in sequence order
 * (sequenceOrderBatching.ts), each slot's rows have a companion row so none is alone in its
 * llama.cpp micro-batch (a lone row goes through other kernels and rounds differently), and prompt
 * prefills run in batches of their own (LockstepDecoder.exclusive). See docs/engines-embedded.md.
 *
 * Left out: context shift (a sample that fills its sequence stops with "maxTokens"), grammars,
 * speculative decoding.
 */
import { mkdtemp, rm, stat, unlink } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  getLlama,
  type Llama,
  type LlamaContext,
  LlamaLogLevel,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import {
  AbortedError,
  ConfigError,
  DisposedError,
  EngineError,
  InputError,
  NotFoundError,
  throwIfAborted,
} from "../../errors.js";
import { modelIdentity } from "../../model/modelIdentity.js";
import type { ChatMessage, ModelId } from "../../types.js";
import {
  type EngineInfo,
  type GeneratedSample,
  type GenerateRequest,
  type GenerateResult,
  maxCharsPerToken,
  type SamplingConfig,
  type StopReason,
  type TokenProbabilitiesRequest,
  type TokenProbabilitiesResult,
} from "../types.js";
import { LockstepDecoder } from "./LockstepDecoder.js";
import { PromptFormatter } from "./PromptFormatter.js";
import { commonPrefixLength, SequencePool, type Slot } from "./SequencePool.js";
import { StopStringMatcher } from "./StopStringMatcher.js";
import { rowKey, sequenceOrderStrategy } from "./sequenceOrderBatching.js";
import {
  defaultLlamaCppEngineOptions,
  type LlamaCppEngine,
  type LlamaCppEngineConfig,
  type LlamaCppEngineOptions,
  type LlamaCppEngineStats,
} from "./types.js";

const MAX_SEED = 0xffff_ffff;

export async function openLlamaCppEngine(options: LlamaCppEngineOptions): Promise<LlamaCppEngine> {
  const { signal } = options;
  throwIfAborted(signal);
  const config = await resolveConfig(options);
  const disposers: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const d of disposers.reverse()) await d().catch(() => {});
  };
  try {
    const llama = await getLlama({
      gpu: config.gpu ? "auto" : false,
      // Caps every context of this Llama instance, so nothing it runs oversubscribes the cores.
      maxThreads: config.threads,
      logLevel: LlamaLogLevel.error,
    });
    disposers.push(() => llama.dispose());
    throwIfAborted(signal);
    const model = await llama.loadModel({
      modelPath: config.modelPath,
      gpuLayers: config.gpu ? "auto" : 0,
      loadSignal: signal,
    });
    disposers.push(() => model.dispose());
    const contextSize = Math.min(config.contextSize, model.trainContextSize || config.contextSize);
    const context = await model.createContext({
      sequences: config.parallelSequences * (config.batchInvariant ? 2 : 1),
      contextSize,
      threads: config.threads,
      flashAttention: config.flashAttention,
      ...(config.batchSize > 0 ? { batchSize: config.batchSize } : {}),
      ...(config.lora.length > 0
        ? { lora: { adapters: config.lora.map((a) => ({ filePath: a.path, scale: a.scale })) } }
        : {}),
      // A fixed size, so a failure says so instead of silently shrinking the context.
      failedCreationRemedy: false,
      batching: { itemPrioritizationStrategy: sequenceOrderStrategy },
      createSignal: signal,
    });
    disposers.push(() => context.dispose());
    const snapshotDir = await mkdtemp(join(config.snapshotDir, "genrm-kv-"));
    disposers.push(() => rm(snapshotDir, { recursive: true, force: true }));
    const modelId = await engineModelId(config, signal);
    return new LlamaCppEngineImpl(
      { ...config, contextSize: context.contextSize, batchSize: context.batchSize },
      llama,
      model,
      context,
      snapshotDir,
      modelId,
      cleanup,
    );
  } catch (error) {
    await cleanup();
    if (signal?.aborted) throw new AbortedError(signal.reason);
    throw error;
  }
}

async function resolveConfig(options: LlamaCppEngineOptions): Promise<LlamaCppEngineConfig> {
  const issues: string[] = [];
  const threads = options.threads ?? availableParallelism();
  const parallelSequences = options.parallelSequences ?? defaultLlamaCppEngineOptions.parallelSequences;
  const contextSize = options.contextSize ?? defaultLlamaCppEngineOptions.contextSize;
  const batchSize = options.batchSize ?? 0;
  const share = options.sharePromptMinTokens ?? defaultLlamaCppEngineOptions.sharePromptMinTokens;
  const positiveInt = (field: string, value: number) => {
    if (!Number.isInteger(value) || value < 1)
      issues.push(`${field}: must be a positive integer, got ${value}`);
  };
  const batchInvariant = options.batchInvariant ?? defaultLlamaCppEngineOptions.batchInvariant;
  const requestedFlash = options.flashAttention ?? defaultLlamaCppEngineOptions.flashAttention;
  if (batchInvariant && requestedFlash === true) {
    issues.push(
      "flashAttention: cannot be true with batchInvariant (it rounds a prompt's KV by how it was batched)",
    );
  }
  positiveInt("threads", threads);
  positiveInt("parallelSequences", parallelSequences);
  positiveInt("contextSize", contextSize);
  if (options.batchSize !== undefined) positiveInt("batchSize", batchSize);
  if (share !== false) positiveInt("sharePromptMinTokens", share);
  const lora = (options.lora ?? []).map((a, i) => {
    const scale = a.scale ?? 1;
    if (!Number.isFinite(scale)) issues.push(`lora[${i}].scale: must be a finite number, got ${scale}`);
    return { path: resolve(a.path), scale };
  });
  if (!options.modelPath) issues.push("modelPath: required (a GGUF file)");
  if (issues.length > 0) throw new ConfigError(issues);

  const modelPath = resolve(options.modelPath);
  await mustExist(modelPath, "model file");
  for (const a of lora) await mustExist(a.path, "LoRA adapter file");
  return {
    modelPath,
    threads,
    contextSize,
    parallelSequences,
    batchSize,
    lora,
    gpu: options.gpu ?? defaultLlamaCppEngineOptions.gpu,
    flashAttention: batchInvariant ? false : requestedFlash,
    batchInvariant,
    chatFormat: options.chatFormat,
    sharePromptMinTokens: share,
    snapshotDir: options.snapshotDir ?? (await defaultSnapshotDir()),
  };
}

async function mustExist(path: string, what: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new NotFoundError(`${what} not found: ${path}`);
}

/** /dev/shm keeps the KV snapshots in memory; they are written and read back within milliseconds. */
async function defaultSnapshotDir(): Promise<string> {
  const st = await stat("/dev/shm").catch(() => undefined);
  return st?.isDirectory() ? "/dev/shm" : tmpdir();
}

/** The base model's content identity, plus each adapter's identity and scale in order. */
async function engineModelId(config: LlamaCppEngineConfig, signal?: AbortSignal): Promise<ModelId> {
  let id: string = await modelIdentity(config.modelPath, { signal });
  for (const a of config.lora) id += `+lora:${await modelIdentity(a.path, { signal })}*${a.scale}`;
  return id as ModelId;
}

/** A prompt evaluated once and saved, to be loaded into the sequences of its other samples. */
interface PromptSnapshot {
  path: string;
  /** Tokens the snapshot holds: the prompt without its last token. */
  length: number;
}

interface DecodeParams {
  lastToken: Token;
  seed: number;
  sampling: SamplingConfig;
  maxTokens: number;
  stops: StopStringMatcher;
  signal: AbortSignal | undefined;
}

class LlamaCppEngineImpl implements LlamaCppEngine {
  readonly info: EngineInfo;
  readonly config: LlamaCppEngineConfig;
  readonly #model: LlamaModel;
  readonly #pool: SequencePool;
  readonly #decoder: LockstepDecoder;
  readonly #formatter: PromptFormatter;
  readonly #snapshotDir: string;
  readonly #cleanup: () => Promise<void>;
  /** Aborted by dispose(), so running decode loops stop at their next token. */
  readonly #disposing = new AbortController();
  #disposed: Promise<void> | undefined;
  #snapshotCounter = 0;
  /** What companion sequences decode: any valid token does, its content reaches no other row. */
  #fillerToken: Token;
  readonly #stats: Omit<LlamaCppEngineStats, "decodeSteps" | "decodeRows" | "decodeMs"> = {
    requests: 0,
    samples: 0,
    generatedTokens: 0,
    promptTokens: 0,
    promptTokensEvaluated: 0,
    promptTokensReusedInPlace: 0,
    promptTokensCopied: 0,
    snapshotsSaved: 0,
    snapshotsLoaded: 0,
  };

  constructor(
    config: LlamaCppEngineConfig,
    _llama: Llama,
    model: LlamaModel,
    context: LlamaContext,
    snapshotDir: string,
    modelId: ModelId,
    cleanup: () => Promise<void>,
  ) {
    this.#model = model;
    this.#snapshotDir = snapshotDir;
    this.#cleanup = cleanup;
    this.#formatter = new PromptFormatter(model, config.chatFormat);
    this.config = { ...config, chatFormat: this.#formatter.chatFormat };
    // A fresh context hands out sequence ids 0, 1, 2, … in order. With batch invariance slot i owns
    // ids 2i (its sequence) and 2i + 1 (its companion), so the two are always consecutive.
    const perSlot = config.batchInvariant ? 2 : 1;
    const slots = Array.from({ length: config.parallelSequences }, (_, i) => ({
      sequenceId: i * perSlot,
      sequence: context.getSequence(),
      ...(config.batchInvariant ? { companion: context.getSequence() } : {}),
    }));
    this.#pool = new SequencePool(slots);
    this.#fillerToken = (model.tokens.bos ?? 0) as Token;
    this.#decoder = new LockstepDecoder();
    this.info = {
      kind: "llamacpp",
      modelId,
      modelName: model.fileInfo.metadata?.general?.name ?? config.modelPath.split("/").pop()!,
      supportsTokenProbabilities: true,
      // Only with batch invariance is a sample independent of what decodes beside it.
      deterministicSeeds: config.batchInvariant,
      contextSize: config.contextSize,
    };
  }

  stats(): LlamaCppEngineStats {
    const d = this.#decoder;
    return { ...this.#stats, decodeSteps: d.steps, decodeRows: d.rows, decodeMs: d.stepMs };
  }

  async formatPrompt(messages: ChatMessage[], assistantPrefix?: string): Promise<number[]> {
    this.#ensureOpen();
    return this.#formatter.format(messages, assistantPrefix);
  }

  async renderPrompt(
    messages: ChatMessage[],
    assistantPrefix?: string,
  ): Promise<{ tokens: number[]; text: string }> {
    const tokens = await this.formatPrompt(messages, assistantPrefix);
    return { tokens, text: this.#model.detokenize(tokens as Token[], true) };
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.#ensureOpen();
    const { messages, seeds, sampling, assistantPrefix, stop = [], signal } = request;
    checkSampling(sampling, seeds);
    throwIfAborted(signal);
    this.#checkLength(messages, assistantPrefix);
    const prompt = this.#formatter.format(messages, assistantPrefix);
    this.#checkFits(prompt);
    const maxTokens = Math.min(sampling.maxTokens, this.config.contextSize - prompt.length);
    const stops = new StopStringMatcher(this.#model, stop);
    const lastToken = prompt[prompt.length - 1]!;
    const prefix = prompt.slice(0, -1);
    const share =
      seeds.length > 1 &&
      this.config.sharePromptMinTokens !== false &&
      prefix.length >= this.config.sharePromptMinTokens;

    // Siblings wait for the first sample's sequence to hold the prompt, then copy it from there.
    let snapshot: PromptSnapshot | undefined;
    let openSnapshot!: () => void;
    const snapshotReady = new Promise<void>((r) => {
      openSnapshot = r;
    });
    let siblingsLeft = seeds.length - 1;
    const siblingStarted = async () => {
      if (--siblingsLeft === 0 && snapshot) await unlink(snapshot.path).catch(() => {});
    };
    const jobSignal = anySignal(signal, this.#disposing.signal);
    let cachedPromptTokens = 0;

    const first = this.#pool.run(prompt, jobSignal, async (slot) => {
      try {
        cachedPromptTokens = await this.#holdPrefix(slot, prefix, jobSignal);
        if (share) snapshot = await this.#saveSnapshot(slot, prefix.length);
      } finally {
        openSnapshot();
      }
      return this.#decode(slot, {
        lastToken,
        seed: seeds[0]!,
        sampling,
        maxTokens,
        stops,
        signal: jobSignal,
      });
    });
    // Also when the first job never starts (aborted in the queue), so siblings do not wait forever.
    first.then(openSnapshot, openSnapshot);
    const rest = seeds.slice(1).map(async (seed) => {
      await snapshotReady;
      return this.#pool.run(prompt, jobSignal, async (slot) => {
        try {
          if (snapshot && commonPrefixLength(slot.sequence.contextTokens, prefix) < snapshot.length) {
            await this.#loadSnapshot(slot, snapshot);
          }
          await this.#holdPrefix(slot, prefix, jobSignal);
        } finally {
          await siblingStarted();
        }
        return this.#decode(slot, { lastToken, seed, sampling, maxTokens, stops, signal: jobSignal });
      });
    });
    const settled = await Promise.allSettled([first, ...rest]);
    if (snapshot) await unlink(snapshot.path).catch(() => {});
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw this.#translateError(failed.reason, signal);
    const samples = settled.map((s) => (s as PromiseFulfilledResult<GeneratedSample>).value);
    this.#stats.requests++;
    return { samples, promptTokens: prompt.length, cachedPromptTokens };
  }

  async tokenProbabilities(request: TokenProbabilitiesRequest): Promise<TokenProbabilitiesResult> {
    this.#ensureOpen();
    const { messages, assistantPrefix, candidates, signal } = request;
    throwIfAborted(signal);
    if (candidates.length === 0)
      throw new InputError("at least one candidate is needed", { field: "candidates" });
    this.#checkLength(messages, assistantPrefix);
    // Each candidate's token is the one that follows the prompt when prompt + candidate is tokenized
    // as one string (as the trainer derives it), not the candidate tokenized alone.
    const { prompt, first: firstTokens } = this.#formatter.continuations(
      messages,
      assistantPrefix ?? "",
      candidates,
    );
    this.#checkFits(prompt);
    const prefix = prompt.slice(0, -1);
    const jobSignal = anySignal(signal, this.#disposing.signal);
    try {
      const probabilities = await this.#pool.run(prompt, jobSignal, async (slot) => {
        await this.#holdPrefix(slot, prefix, jobSignal);
        // Exact log-probabilities need the softmax over the whole vocabulary; llama.cpp computes it in
        // C++ and node-llama-cpp hands back the full map once, for this one position. The slowness of
        // full probabilities comes from asking for them at every generated token, which we never do.
        const iterator = slot.sequence.evaluateWithMetadata(
          [prompt[prompt.length - 1]!],
          { probabilities: true },
          { temperature: 0, yieldEogToken: true, evaluationPriority: rowKey(slot.sequenceId) },
        );
        this.#stats.promptTokensEvaluated++;
        let map: Map<Token, number> | undefined;
        try {
          await this.#decoder.run(slot.index, async () => {
            const [{ value, done }] = await Promise.all([iterator.next(), this.#companionRow(slot)]);
            if (!done) map = value.probabilities;
            return false;
          });
        } finally {
          await iterator.return();
          await this.#resetCompanion(slot);
        }
        if (!map) throw new EngineError("node-llama-cpp returned no probabilities for the last prompt token");
        return map;
      });
      const logprobs: Record<string, number> = {};
      candidates.forEach((c, i) => {
        const p = probabilities.get(firstTokens[i]!) ?? 0;
        logprobs[c] = p > 0 ? Math.log(p) : Number.NEGATIVE_INFINITY;
      });
      this.#stats.requests++;
      return { logprobs, promptTokens: prompt.length };
    } catch (error) {
      throw this.#translateError(error, signal);
    }
  }

  detokenize(tokens: readonly number[]): string {
    return this.#model.detokenize(tokens as Token[], false);
  }

  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      this.#disposing.abort(new DisposedError("llama.cpp engine"));
      await this.#pool.close();
      await this.#cleanup();
    })();
    return this.#disposed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #ensureOpen(): void {
    if (this.#disposed) throw new DisposedError("llama.cpp engine");
  }

  /** Refuses by length a prompt that cannot fit, before tokenizing it (see maxCharsPerToken). */
  #checkLength(messages: readonly ChatMessage[], assistantPrefix = ""): void {
    const chars = messages.reduce((n, m) => n + m.content.length, assistantPrefix.length);
    const max = this.config.contextSize * maxCharsPerToken;
    if (chars > max) {
      throw new InputError("prompt does not fit the context", {
        field: "messages",
        expected: `at most ${max} characters (${maxCharsPerToken} per token of contextSize ${this.config.contextSize})`,
        got: `${chars} characters`,
      });
    }
  }

  #checkFits(prompt: readonly Token[]): void {
    if (prompt.length >= this.config.contextSize) {
      throw new InputError("prompt does not fit the context with room to generate", {
        field: "messages",
        expected: `fewer than ${this.config.contextSize} tokens (contextSize)`,
        got: `${prompt.length} tokens`,
      });
    }
  }

  /**
   * Makes the slot's sequence hold exactly `prefix`: keeps the longest part of it already in the KV
   * cache, erases the rest, evaluates what is missing. Returns how many tokens were already there.
   * Shifting is off: a shifted KV cache is not what a fresh evaluation would give.
   */
  async #holdPrefix(slot: Slot, prefix: readonly Token[], signal: AbortSignal): Promise<number> {
    const seq = slot.sequence;
    await seq.adaptStateToTokens(prefix as Token[], false);
    if (seq.nextTokenIndex > prefix.length) {
      await seq.eraseContextTokenRanges([{ start: prefix.length, end: seq.nextTokenIndex }]);
    }
    let kept = seq.nextTokenIndex;
    throwIfAborted(signal);
    if (kept < prefix.length) {
      if (this.config.batchInvariant && prefix.length - kept === 1 && kept > 0) {
        // A one-token prefill would be a lone row; evaluate the last kept token again with it.
        await seq.eraseContextTokenRanges([{ start: kept - 1, end: kept }]);
        kept--;
      }
      const missing = prefix.slice(kept) as Token[];
      const evaluate = (tokens: Token[]) =>
        seq.evaluateWithoutGeneratingNewTokens(tokens, { evaluationPriority: rowKey(slot.sequenceId) });
      if (!this.config.batchInvariant) await evaluate(missing);
      else {
        await this.#decoder.exclusive(async () => {
          // node-llama-cpp cuts a long prefill into batches of batchSize tokens; keep the last one
          // from being a single token.
          const cut =
            missing.length > 2 && missing.length % this.config.batchSize === 1 ? missing.length - 2 : 0;
          if (cut > 0) await evaluate(missing.slice(0, cut));
          await evaluate(missing.slice(cut));
        });
      }
    }
    this.#stats.promptTokens += prefix.length + 1;
    this.#stats.promptTokensReusedInPlace += kept;
    this.#stats.promptTokensEvaluated += prefix.length - kept;
    return kept;
  }

  /**
   * Queues the companion's filler row for this step, beside the slot's own row (same macrotask, so
   * the same batch). It asks for logits: a micro-batch whose only output row is the slot's would
   * run the output projection on one row.
   */
  #companionRow(slot: Slot): Promise<unknown> {
    if (!slot.companion) return Promise.resolve();
    return slot.companion.controlledEvaluate([[this.#fillerToken, { generateNext: { token: true } }]], {
      evaluationPriority: rowKey(slot.sequenceId + 1),
    });
  }

  /** The companion's filler tokens are never read: drop them when the slot's row is done. */
  async #resetCompanion(slot: Slot): Promise<void> {
    if (slot.companion && slot.companion.nextTokenIndex > 0) await slot.companion.clearHistory();
  }

  async #saveSnapshot(slot: Slot, length: number): Promise<PromptSnapshot | undefined> {
    const path = join(this.#snapshotDir, `${++this.#snapshotCounter}.kv`);
    try {
      await slot.sequence.saveStateToFile(path);
      this.#stats.snapshotsSaved++;
      return { path, length };
    } catch {
      // Sharing is an optimisation: without a snapshot each sibling evaluates the prompt itself.
      await unlink(path).catch(() => {});
      return undefined;
    }
  }

  async #loadSnapshot(slot: Slot, snapshot: PromptSnapshot): Promise<void> {
    try {
      // Safe: the file was written by this context's own model moments ago.
      await slot.sequence.loadStateFromFile(snapshot.path, { acceptRisk: true });
      this.#stats.snapshotsLoaded++;
      this.#stats.promptTokensCopied += snapshot.length;
      // holdPrefix will count these as reused in place; count them as copied instead.
      this.#stats.promptTokensReusedInPlace -= snapshot.length;
    } catch {
      await slot.sequence.clearHistory();
    }
  }

  async #decode(slot: Slot, params: DecodeParams): Promise<GeneratedSample> {
    const { lastToken, seed, sampling, maxTokens, stops, signal } = params;
    const end = this.#formatter.endTokens;
    const tokens: Token[] = [];
    let completionTokens = 0;
    let stopReason: StopReason = "eos";
    // One sampler per sample, seeded once: its random stream depends on the seed alone.
    const iterator = slot.sequence.evaluate([lastToken], {
      temperature: sampling.temperature,
      topP: sampling.topP,
      // No top-k: SamplingConfig has none, and OpenAI-style servers apply none unless asked.
      // node-llama-cpp defaults to 40 when topK is undefined; null removes the sampler.
      topK: null as unknown as number,
      minP: 0,
      seed,
      yieldEogToken: true,
      evaluationPriority: rowKey(slot.sequenceId),
    });
    this.#stats.promptTokensEvaluated++;
    try {
      await this.#decoder.run(slot.index, async () => {
        const next = iterator.next();
        const filler = this.#companionRow(slot);
        if (signal?.aborted) {
          await Promise.allSettled([next, filler]);
          throw new AbortedError(signal.reason);
        }
        const [{ value: token, done }] = await Promise.all([next, filler]);
        if (done) return false;
        completionTokens++;
        if (end.has(token) || this.#model.isEogToken(token)) {
          stopReason = "eos";
          return false;
        }
        tokens.push(token);
        if (stops.active && stops.matchesTail(tokens)) {
          stopReason = "stop";
          return false;
        }
        if (completionTokens >= maxTokens) {
          stopReason = "maxTokens";
          return false;
        }
        return true;
      });
    } finally {
      await iterator.return();
      await this.#resetCompanion(slot);
    }
    const { text, stopped } = stops.cut(this.detokenize(tokens));
    if (stopped) stopReason = "stop";
    this.#stats.samples++;
    this.#stats.generatedTokens += completionTokens;
    return { text, tokens, completionTokens, stopReason, seed };
  }

  #translateError(error: unknown, signal: AbortSignal | undefined): unknown {
    if (error instanceof DisposedError || error instanceof InputError) return error;
    if (this.#disposed) return new DisposedError("llama.cpp engine");
    if (signal?.aborted) return error instanceof AbortedError ? error : new AbortedError(signal.reason);
    if (error instanceof AbortedError) return error;
    return new EngineError(
      `llama.cpp failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        endpoint: this.config.modelPath,
      },
      { cause: error },
    );
  }
}

function checkSampling(sampling: SamplingConfig, seeds: readonly number[]): void {
  const { temperature, topP, maxTokens } = sampling;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new InputError("invalid temperature", {
      field: "sampling.temperature",
      expected: ">= 0",
      got: String(temperature),
    });
  }
  if (!(topP > 0 && topP <= 1)) {
    throw new InputError("invalid top-p", {
      field: "sampling.topP",
      expected: "in (0, 1]",
      got: String(topP),
    });
  }
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InputError("invalid max tokens", {
      field: "sampling.maxTokens",
      expected: "integer >= 1",
      got: String(maxTokens),
    });
  }
  if (seeds.length === 0)
    throw new InputError("at least one seed is needed (one per sample)", { field: "seeds" });
  seeds.forEach((s, i) => {
    // llama.cpp's sampler seed is a uint32; anything else would be silently truncated.
    if (!Number.isInteger(s) || s < 0 || s > MAX_SEED) {
      throw new InputError("invalid seed", {
        field: `seeds[${i}]`,
        expected: `integer in [0, ${MAX_SEED}]`,
        got: String(s),
      });
    }
  });
}

/** An AbortSignal that fires when any of the given ones does. */
function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
