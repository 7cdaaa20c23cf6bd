import type { StarCounts } from "./types.js";

export function emptyCounts(): StarCounts {
  return {
    pairs: 0,
    tiePairs: 0,
    samples: 0,
    cachedSamples: 0,
    correct: 0,
    wrongVerdict: 0,
    unparseable: 0,
    truncated: 0,
    engineErrors: 0,
    pairsMixed: 0,
    pairsAllCorrect: 0,
    pairsAllWrong: 0,
    droppedDuplicate: 0,
    droppedOverCap: 0,
    droppedInconsistent: 0,
    skippedSolved: 0,
    rows: 0,
  };
}
