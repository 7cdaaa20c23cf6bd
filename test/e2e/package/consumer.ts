/**
 * A program written as a user of the published package writes it: every name comes from "genrm"
 * (the package's exports map), nothing from a deep path. It judges a pair with a GGUF through the
 * embedded engine, trains one step of a GenRM judge on genrm's own trainer, and summarizes the
 * judgment; the test that packs and installs the package runs it and checks what it prints.
 */
import {
  buildPair,
  createTinyModel,
  encodeExamples,
  genrmVersion,
  InputError,
  judgePair,
  loadModel,
  openLlamaCppEngine,
  openTrainTokenizer,
  type PreferencePair,
  pairToTrainRow,
  resolveTrainConfig,
  summarizeEval,
  train,
  validatePair,
} from "genrm";

const dir = process.argv[2];
if (!dir) throw new Error("usage: consumer.js <work dir>");

const model = await createTinyModel({ path: `${dir}/tiny.gguf`, hidden: 32, layers: 2, seed: 3 });
const pair: PreferencePair = buildPair({
  source: "consumer",
  prompt: [{ role: "user", content: "What is 2+2?" }],
  responseA: "4",
  responseB: "5",
  label: "A",
});

// Judge it: the verdict token's probability, read by llama.cpp.
const engine = await openLlamaCppEngine({ modelPath: model.path, threads: 1, contextSize: 1024 });
const judgment = await judgePair(engine, pair, { protocol: "direct" });
await engine.dispose();
const summary = summarizeEval([judgment], [pair]);

// Train one step of a GenRM judge on the same pair with genrm's own trainer.
const tokenizer = await openTrainTokenizer(model.path);
const dataset = encodeExamples([pairToTrainRow(pair, { file: "consumer", line: 1 })], "genrm", tokenizer);
const config = resolveTrainConfig({ method: "genrm", maxSteps: 1, batchSize: 1, lr: 1e-3 });
const trained = await train(await loadModel(model.path), dataset, config);

// A bad record is refused with the library's own error class.
let refused = "";
try {
  validatePair({ ...pair, label: "C" }, { file: "consumer.jsonl", line: 1, unit: "line" });
} catch (error) {
  refused = error instanceof InputError ? error.code : `not an InputError: ${String(error)}`;
}

console.log(
  JSON.stringify({
    version: genrmVersion(),
    verdict: judgment.verdict,
    pA: judgment.pA,
    scored: summary.accuracy.n,
    accuracy: summary.accuracy.accuracy,
    steps: trained.step,
    loss: trained.history[0]?.loss,
    refused,
  }),
);
