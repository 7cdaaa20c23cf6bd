/** Messages between a head judge and its scoring worker (`openWorkerScorer`, headScorerWorker.ts). */
import type { SerializedError } from "../errors.js";

export interface HeadWorkerData {
  model: string;
  adapter: string | null;
  headFile: string;
}

export interface HeadWorkerRequest {
  id: number;
  seqs: Int32Array[];
}

export type HeadWorkerReply =
  | { type: "ready" }
  | { type: "failed"; error: SerializedError }
  | { type: "scores"; id: number; values: Float32Array }
  | { type: "error"; id: number; error: SerializedError };
