/**
 * Runs a head judge's forwards on a worker thread: the model, adapter and head load there, and each
 * batch of token sequences is posted to it, so a long forward pass leaves the event loop (a reward
 * server's /health, other requests' I/O) free. The native kernels' thread pool serialises callers,
 * so several workers in one process are safe.
 *
 * Run from source (tsx, vitest) the worker is a .ts file and needs tsx's loader; the built package
 * runs the compiled .js.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { deserializeError, InternalError, throwIfAborted } from "../errors.js";
import type { ScoreBatch } from "./scoreSequences.js";
import type { HeadWorkerData, HeadWorkerReply, HeadWorkerRequest } from "./workerProtocol.js";

export interface WorkerScorer {
  runBatch: ScoreBatch;
  /** Ends the worker; pending batches reject. */
  close(): void;
}

/** tsx's ESM API (a dev dependency: only the source tree runs this). */
function tsxApiUrl(): string {
  if (typeof import.meta.resolve === "function") return import.meta.resolve("tsx/esm/api");
  const pkg = createRequire(import.meta.url).resolve("tsx/package.json");
  return pathToFileURL(path.join(path.dirname(pkg), "dist/esm/api/index.mjs")).href;
}

export async function openWorkerScorer(files: HeadWorkerData, signal?: AbortSignal): Promise<WorkerScorer> {
  throwIfAborted(signal);
  const fromSource = import.meta.url.endsWith(".ts");
  const url = new URL(`./headScorerWorker.${fromSource ? "ts" : "js"}`, import.meta.url);
  // Loader hooks registered in this thread do not reach a worker: from source, the worker registers
  // tsx itself before importing the .ts entry.
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(tsxApiUrl())})` +
          `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`,
        { eval: true, workerData: files },
      )
    : new Worker(url, { workerData: files });
  const pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let closed = false;
  let failure: Error | null = null;

  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      void worker.terminate();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (reply: HeadWorkerReply) => {
      signal?.removeEventListener("abort", onAbort);
      if (reply.type === "ready") resolve();
      else if (reply.type === "failed") {
        void worker.terminate();
        reject(deserializeError(reply.error));
      } else reject(new InternalError(`head worker sent ${reply.type} before it was ready`));
    });
    worker.once("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
  });

  worker.on("message", (reply: HeadWorkerReply) => {
    if (reply.type !== "scores" && reply.type !== "error") return;
    const p = pending.get(reply.id);
    if (p === undefined) return;
    pending.delete(reply.id);
    if (reply.type === "scores") p.resolve(reply.values);
    else p.reject(deserializeError(reply.error));
  });
  worker.on("error", (error) => failAll(error));
  worker.on("exit", (code) => {
    if (!closed) failAll(new InternalError(`the head judge's worker thread exited (code ${code})`));
  });

  return {
    runBatch(seqs) {
      if (failure !== null) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<Float32Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, seqs } satisfies HeadWorkerRequest);
      });
    },
    close() {
      closed = true;
      failAll(new InternalError("the head judge was closed"));
      void worker.terminate();
    },
  };
}
