/**
 * Splits the question space in two by a fixed hash of the expression: "eval" questions appear only
 * in test and OOD splits, "train" questions in training pairs and the pretraining corpus. The hash
 * has its own constant salt and ignores every seed, so a corpus and a world drawn with different
 * seeds still never share a question, and evaluation never measures memorised problems.
 */
import { fnv1a } from "../random/index.js";
import type { QuestionPartition } from "./types.js";

export function questionPartition(expression: string, evalShare: number): QuestionPartition {
  return fnv1a(`genrm-world-partition\u0000${expression}`) / 4294967296 < evalShare ? "eval" : "train";
}
