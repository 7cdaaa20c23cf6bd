/** Messages between a head judge and its scoring worker (`openWorkerScorer`, headScorerWorker.ts). */
import { type ErrorCode, GenrmError } from "../errors.js";

export interface HeadWorkerData {
  model: string;
  adapter: string | null;
  headFile: string;
}

export interface HeadWorkerRequest {
  id: number;
  seqs: Int32Array[];
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  hint?: string;
}

export type HeadWorkerReply =
  | { type: "ready" }
  | { type: "failed"; error: SerializedError }
  | { type: "scores"; id: number; values: Float32Array }
  | { type: "error"; id: number; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof GenrmError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}

/** The worker's error in this thread: a GenrmError keeps its code, hint and class name. */
export function deserializeError(e: SerializedError): Error {
  const error =
    e.code !== undefined
      ? new GenrmError(e.code as ErrorCode, e.message, e.hint !== undefined ? { hint: e.hint } : {})
      : new Error(e.message);
  error.name = e.name;
  return error;
}
