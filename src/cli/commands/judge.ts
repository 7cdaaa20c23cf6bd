/**
 * `genrm judge`: one pair from the command line, for trying a judge or a template by hand.
 */
import { buildPair } from "../../data/index.js";
import type { PreferencePair } from "../../data/types.js";
import type { Engine } from "../../engine/types.js";
import { createLlmJudge } from "../../judge/index.js";
import { judgePrompts } from "../../judge/judgePrompts.js";
import type { Judgment } from "../../judge/types.js";
import {
  type JudgeFlags,
  judgeOptionsFromFlags,
  openJudgeEngine,
  type ResolvedJudgeOptions,
} from "../judgeFlags.js";

export interface JudgeCommandOptions extends JudgeFlags {
  prompt: string;
  a: string;
  b: string;
  json?: boolean;
  showPrompt?: boolean;
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
    const judgeOptions = await judgeOptionsFromFlags(options);
    if (options.showPrompt) await showPrompts(engine, pair, judgeOptions);
    const judge = createLlmJudge(engine, judgeOptions);
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

/** `--show-prompt`: what the judge sends for each order, as the model will read it. */
async function showPrompts(engine: Engine, pair: PreferencePair, o: ResolvedJudgeOptions): Promise<void> {
  const prompts = await judgePrompts(engine, pair, {
    template: o.template,
    orderMode: o.orderMode,
    seed: o.seed,
    fixedOrder: o.fixedOrder,
  });
  for (const p of prompts) {
    const lines = [`=== prompt ${p.order} (${o.template.id}, ${p.promptHash})`];
    for (const m of p.messages) lines.push(`--- ${m.role}`, m.content);
    if (p.assistantPrefix) lines.push("--- forced assistant prefix", p.assistantPrefix);
    if (p.rendered) {
      lines.push(
        `--- as the model reads it (${p.rendered.tokens.length} tokens)`,
        p.rendered.text,
        "--- token ids",
        p.rendered.tokens.join(" "),
      );
    } else {
      lines.push("--- the server applies its chat template; genrm does not see the token ids");
    }
    process.stderr.write(`${lines.join("\n")}\n`);
  }
}
