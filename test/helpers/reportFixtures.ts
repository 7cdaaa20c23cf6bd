/**
 * Inputs for `genrm report` tests: RewardBench-format rows whose preferred answer is sometimes
 * much shorter, sometimes much longer than the other (every length-difference bin gets pairs), in
 * one subset of each RewardBench section; the preferred answer carries `goodMarker`.
 */
import { goodMarker } from "./scriptedJudgeServer.js";

/** Length of the preferred answer over the other's, cycled over the rows. */
const ratios = [0.3, 0.7, 1, 1.4, 3.3];
const subsets = ["alpacaeval-easy", "llmbar-adver-neighbor", "refusals-dangerous", "math-prm"];
const topics = ["cats", "tea", "rivers", "maps", "owls", "clocks", "bread", "glass"];

/** `head` followed by words of `topic` up to exactly `length` characters. */
function textOfLength(head: string, topic: string, length: number): string {
  let text = head;
  while (text.length < length) text += ` ${topic}`;
  return text.slice(0, length).trimEnd().padEnd(length, ".");
}

export function rewardBenchRows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const topic = topics[i % topics.length]!;
    const rejectedLength = 60 + 5 * (i % 7);
    const chosenLength = Math.round(rejectedLength * ratios[i % ratios.length]!);
    return {
      id: i,
      prompt: `Tell me something about ${topic} (${i}).`,
      chosen: textOfLength(`This is ${goodMarker}:`, topic, chosenLength),
      rejected: textOfLength("Wrong:", "hmm", rejectedLength),
      chosen_model: "model-x",
      rejected_model: "model-y",
      subset: subsets[i % subsets.length]!,
    };
  });
}
