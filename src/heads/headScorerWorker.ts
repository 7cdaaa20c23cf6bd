/**
 * Worker-thread side of `openWorkerScorer`: loads the head judge's model (the adapter merged in) and
 * head, then scores batches of token sequences as they arrive, so the long forwards never block the
 * event loop of the thread that serves requests.
 */
import { parentPort, workerData } from "node:worker_threads";
import { serializeError } from "../errors.js";
import { loadModel } from "../model/loadModel.js";
import { loadLoraAdapterGguf } from "../model/lora/loadLoraAdapterGguf.js";
import { readHeadFile } from "../train/restore.js";
import { scoreSequences } from "./scoreSequences.js";
import type { HeadWorkerData, HeadWorkerReply, HeadWorkerRequest } from "./workerProtocol.js";

const port = parentPort!;
const files = workerData as HeadWorkerData;

try {
  const model = await loadModel(files.model, { trainable: false });
  if (files.adapter !== null) await loadLoraAdapterGguf(model, files.adapter, { mode: "merge" });
  const { head } = await readHeadFile(files.headFile, model);
  port.on("message", (request: HeadWorkerRequest) => {
    let reply: HeadWorkerReply;
    try {
      const values = scoreSequences(model, head, request.seqs);
      reply = { type: "scores", id: request.id, values };
      port.postMessage(reply, [values.buffer as ArrayBuffer]);
    } catch (error) {
      reply = { type: "error", id: request.id, error: serializeError(error) };
      port.postMessage(reply);
    }
  });
  port.postMessage({ type: "ready" } satisfies HeadWorkerReply);
} catch (error) {
  port.postMessage({ type: "failed", error: serializeError(error) } satisfies HeadWorkerReply);
}
