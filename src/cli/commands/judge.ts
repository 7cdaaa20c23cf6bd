/**
 * `genrm judge`: one pair from the command line, for trying a judge or a template by hand.
 */
import { buildPair } from "../../data/index.js";
import { createLlmJudge } from "../../judge/index.js";
import type { Judgment } from "../../judge/types.js";
import { type JudgeFlags, judgeOptionsFromFlags, openJudgeEngine } from "../judgeFlags.js";

export interface JudgeCommandOptions extends JudgeFlags {
  prompt: string;
  a: string;
  b: string;
  json?: boolean;
}

export async function runJudgeCommand(options: JudgeCommandOptions): Promise<Judgment> {
  const pair = buildPair({
    source: "cli",
    prompt: [{ role: "user", content: options.prompt }],
    responseA: options.a,
    responseB: options.b,
    label: "tie",
  });
  const engine = await openJudgeEngine(options);
  try {
    const judge = createLlmJudge(engine, await judgeOptionsFromFlags(options));
    const judgment = await judge.judge(pair);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(judgment, null, 2)}\n`);
    } else {
      for (const s of judgment.samples) {
        process.stdout.write(
          `--- sample ${s.order} #${s.index} (seed ${s.seed}) → ${s.verdict}\n${s.text}\n`,
        );
      }
      process.stdout.write(
        `verdict ${judgment.verdict}  P(A better) ${judgment.pA === null ? "-" : judgment.pA.toFixed(3)}  votes A ${judgment.votes.A} / B ${judgment.votes.B} / error ${judgment.votes.error}\n`,
      );
    }
    return judgment;
  } finally {
    await engine.dispose();
  }
}
