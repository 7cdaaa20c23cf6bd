/**
 * `npm run bench:adaptive -- <eval run dir>...`: the accuracy–samples curve of adaptive voting,
 * replayed over one full `genrm eval` run (k samples per pair, no --adaptive), and the share of
 * the budget each rule needs to reach the full run's accuracy (maj@k).
 *
 * Every rule re-judges every pair through the judge's own code on the run's stored samples
 * (`replayAdaptiveVoting`), so a point is what a live run with that rule and seed gives, at no
 * inference cost, and the same run gives the same table byte for byte. Rules: fixed budgets
 * (maj@j, the first j samples), "decided", "confidence" (Wilson) and "posterior" (Beta-Binomial)
 * at several levels and chunk sizes.
 *
 *   npm run bench:adaptive -- runs/eval-… [more runs] [--json out.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadPairs } from "../src/data/index.js";
import { type ReplayPoint, type ReplayRule, replayAdaptiveVoting } from "../src/eval/replayAdaptiveVoting.js";
import { loadTemplate } from "../src/judge/index.js";
import type { Judgment, OrderMode } from "../src/judge/types.js";
import type { ModelId } from "../src/types.js";

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf("--json");
const jsonOut = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
const runDirs = argv.filter((a, i) => !a.startsWith("--") && (jsonAt < 0 || i !== jsonAt + 1));
if (runDirs.length === 0) {
  console.error("usage: npm run bench:adaptive -- <eval run dir>... [--json out.json]");
  process.exit(2);
}

interface RunConfig {
  data: { path: string; format: string; limit: number | null };
  judge: { modelId: string; templateId: string; protocol: string };
  k: number;
  seed: number;
  order: OrderMode;
  fixedOrder: "AB" | "BA";
  sampling: { temperature: number; topP: number; maxTokens: number };
  adaptive: unknown;
  tiePolicy: "half" | "A" | "B" | "error" | "logprob";
  errorPolicy: "ignore" | "plurality" | "strict";
  smoothing: "none" | "laplace";
}

/** The grid of rules compared; chunk sizes are how many samples per order each round draws. */
function rulesFor(k: number): ReplayRule[] {
  const rules: ReplayRule[] = [];
  for (let j = 1; j <= k; j++) rules.push({ name: `maj@${j}`, k: j, adaptive: false });
  for (const chunkSize of [1, 2, 4]) {
    rules.push({ name: `decided c${chunkSize}`, k, adaptive: { mode: "decided" }, chunkSize });
    for (const confidence of [0.8, 0.9, 0.95, 0.99]) {
      rules.push({
        name: `wilson ${confidence} c${chunkSize}`,
        k,
        adaptive: { mode: "confidence", confidence },
        chunkSize,
      });
      for (const prior of [0.5, 1]) {
        rules.push({
          name: `posterior ${confidence} prior ${prior} c${chunkSize}`,
          k,
          adaptive: { mode: "posterior", confidence, prior },
          chunkSize,
        });
      }
    }
  }
  return rules;
}

const report: Record<string, { target: number; points: ReplayPoint[] }> = {};
for (const dir of runDirs) {
  const { config } = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as { config: RunConfig };
  if (config.judge.protocol !== "cot")
    throw new Error(`${dir}: a ${config.judge.protocol} judge draws no samples`);
  if (config.adaptive) throw new Error(`${dir}: an adaptive run lacks samples; replay a full run`);
  const judgments = readFileSync(path.join(dir, "judgments.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Judgment);
  const { pairs } = await loadPairs(config.data.path, {
    format: config.data.format,
    ...(config.data.limit ? { limit: config.data.limit } : {}),
  });
  const points = await replayAdaptiveVoting(
    judgments,
    pairs,
    {
      modelId: config.judge.modelId as ModelId,
      template: await loadTemplate(config.judge.templateId),
      k: config.k,
      seed: config.seed,
      orderMode: config.order,
      fixedOrder: config.fixedOrder,
      sampling: config.sampling,
      tiePolicy: config.tiePolicy,
      errorPolicy: config.errorPolicy,
      smoothing: config.smoothing,
    },
    rulesFor(config.k),
  );
  const target = points.find((p) => p.name === `maj@${config.k}`)!.accuracy;
  report[dir] = { target, points };
  printRun(dir, config.k, target, points);
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(report, null, 2)}\n`);

function printRun(dir: string, k: number, target: number, points: ReplayPoint[]) {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`\n${dir}: ${points[0]!.n} pairs, k = ${k}; maj@${k} accuracy ${pct(target)}`);
  console.log(
    `${"rule".padEnd(34)} ${"accuracy".padStart(8)} ${"samples".padStart(8)} ${"of k".padStart(7)}`,
  );
  const sorted = [...points].sort((a, b) => a.sampleRatio - b.sampleRatio || b.accuracy - a.accuracy);
  for (const p of sorted) {
    const mark = p.accuracy >= target - 1e-12 ? " *" : "";
    console.log(
      `${p.name.padEnd(34)} ${pct(p.accuracy).padStart(8)} ${p.meanSamples.toFixed(2).padStart(8)} ${pct(p.sampleRatio).padStart(7)}${mark}`,
    );
  }
  console.log(`* reaches maj@${k}'s accuracy. Cheapest per family:`);
  for (const family of ["maj@", "decided", "wilson", "posterior"]) {
    const best = sorted.find((p) => p.name.startsWith(family) && p.accuracy >= target - 1e-12);
    console.log(
      `  ${family.padEnd(10)} ${best ? `${best.name}: ${pct(best.sampleRatio)} of the samples (${pct(best.accuracy)})` : "none reaches it"}`,
    );
  }
}
