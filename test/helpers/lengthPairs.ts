/** Pairs where the longer answer is always the better one; which slot it is in alternates. */
import type { PreferencePair } from "../../src/data/types.js";
import type { PairId } from "../../src/types.js";

const topics = ["cat", "dog", "sun", "map", "pen", "cup", "box", "hat", "tree", "fish", "bird", "star"];

export function lengthPairs(n: number, offset = 0): PreferencePair[] {
  return Array.from({ length: n }, (_, j) => {
    const i = j + offset;
    const topic = topics[i % topics.length]!;
    const long = `The ${topic} is big and kind, and it likes to play in the park all day long.`;
    const short = `A ${topic}.`;
    const longFirst = i % 2 === 0;
    return {
      id: `pair-${i}` as PairId,
      prompt: [{ role: "user", content: `Tell me about the ${topic}.` }],
      responseA: longFirst ? long : short,
      responseB: longFirst ? short : long,
      label: longFirst ? "A" : "B",
    };
  });
}
