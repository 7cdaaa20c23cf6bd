/**
 * What `genrm demo` prints when it is done: the Figure 2 numbers as a plain aligned table, a maj@k
 * table for the chain-of-thought judges, and the wall time. Same rows, rounding and best marks as
 * the HTML report (both read `report/demoRows.ts`).
 *
 * formatEvalTable's padding helpers are module-private, and this table pads whole columns rather
 * than fixed widths, so the small alignColumns below is its own.
 */

import { fmt3 } from "../report/htmlBlocks.js";
import { formatDemoClaims } from "./demoClaims.js";
import {
  formatPolicyTable,
  formatPolicyTrainingTable,
  policyFindingSentences,
  policyTableHeading,
  trainingFindingSentences,
} from "./policy/formatPolicyTable.js";
import {
  bestValues,
  demoRows,
  fmtDuration,
  isBest,
  lengthJudgeRow,
  majKColumns,
  majKCurve,
  methodMaxK,
  oodMeanMajKCurve,
  orderedMethods,
  splitLabel,
} from "./report/demoRows.js";
import type { DemoResults } from "./types.js";

export function formatDemoTable(results: DemoResults): string {
  const splits = results.splits;
  const rows = demoRows(results);
  const best = bestValues(rows, splits);
  const lines: string[] = [];

  lines.push(
    `genrm demo results (genrm ${results.genrm}, preset ${results.preset}, seed ${results.seed})`,
    "accuracy against the human labels; ± half-width of the bootstrap 95% CI; * best in column; 0.5 = chance",
    "",
  );

  // The mark sits between value and interval, and a blank takes its place when unmarked, so every
  // cell of a column has the same shape and the ± signs line up.
  const mark = (value: number | null | undefined, b: number | null) => (isBest(value, b) ? "*" : " ");
  const table: string[][] = [
    ["method", "reasoning", "vote", ...splits.map((s) => splitLabel(s.name)), "OOD mean"],
  ];
  for (const r of rows) {
    table.push([
      r.first ? r.method.name : "",
      r.first ? (r.method.reasoning ? "yes" : "no") : "",
      r.voteLabel,
      ...splits.map((s) => {
        const c = r.cells[s.name];
        const ci = c?.ci ? ` ±${fmt3((c.ci[1] - c.ci[0]) / 2)}` : "";
        return `${fmt3(c?.accuracy)}${mark(c?.accuracy, best.splits[s.name] ?? null)}${ci}`;
      }),
      `${fmt3(r.oodMean)}${mark(r.oodMean, best.oodMean)}`,
    ]);
  }
  // The surface cue alone, for reading the OOD-length column; never marked best.
  const cue = lengthJudgeRow(splits);
  table.push([
    "(longer answer wins)",
    "no",
    "",
    ...splits.map((s) => `${fmt3(cue.cells[s.name])} `),
    `${fmt3(cue.oodMean)} `,
  ]);
  lines.push(...alignColumns(table));

  const cot = orderedMethods(results).filter((m) => methodMaxK(m) > 0);
  if (cot.length > 0) {
    const ks = majKColumns(Math.max(...cot.map(methodMaxK)));
    const idSplits = splits.filter((s) => !s.ood);
    const hasOod = splits.some((s) => s.ood);
    const curveTable: string[][] = [["method", "split", ...ks.map((k) => `k=${k}`)]];
    for (const m of cot) {
      const curves = [
        ...idSplits.map((s) => ({ label: splitLabel(s.name), curve: majKCurve(m, s.name) })),
        ...(hasOod ? [{ label: "OOD mean", curve: oodMeanMajKCurve(m, splits) }] : []),
      ];
      curves.forEach((c, i) => {
        curveTable.push([i === 0 ? m.name : "", c.label, ...ks.map((k) => fmt3(c.curve[k - 1]))]);
      });
    }
    lines.push(
      "",
      "maj@k: expected accuracy of the majority verdict of k of the samples (mean over all k-subsets; CoT judges)",
      "",
    );
    lines.push(...alignColumns(curveTable));
  }

  const reasoned = orderedMethods(results).filter((m) => splits.some((s) => m.results[s.name]?.rationales));
  if (reasoned.length > 0) {
    const rationaleTable: string[][] = [
      ["method", ...splits.map((s) => `${splitLabel(s.name)} worked/fallback/shortcut/sound/follows`)],
    ];
    for (const m of reasoned) {
      rationaleTable.push([
        m.name,
        ...splits.map((s) => {
          const st = m.results[s.name]?.rationales;
          if (!st) return "—";
          const follows = st.followsWork == null ? "—" : fmt3(st.followsWork);
          return `${fmt3(st.worked)} ${fmt3(st.fallback)} ${fmt3(st.heuristic)} ${fmt3(st.sound)} ${follows}`;
        }),
      ]);
    }
    lines.push(
      "",
      "rationales: share of samples whose worked sum matches an answer / matches neither answer / that skip the work for a cue / right for the right reason / whose verdict names the answer their result matches",
      "",
    );
    lines.push(...alignColumns(rationaleTable));
  }

  if (results.policy) {
    lines.push("", policyTableHeading(results.policy), "");
    lines.push(...alignColumns(formatPolicyTable(results.policy)));
    lines.push(...policyFindingSentences(results.policy).map((s) => `  ${s}`));
    const training = formatPolicyTrainingTable(results.policy);
    if (training.length > 0) {
      lines.push(
        "",
        "policy training: share of the policy's answers right / verbose after each round of expert iteration on a selector's picks",
        "",
      );
      lines.push(...alignColumns(training));
      lines.push(...trainingFindingSentences(results.policy).map((s) => `  ${s}`));
    }
  }

  const claims = formatDemoClaims(results.claims ?? []);
  if (claims.length > 0) lines.push("", ...claims);

  lines.push(
    "",
    `wall time ${fmtDuration(results.wallSeconds)} (${results.startedAt} to ${results.finishedAt})`,
  );
  return lines.join("\n");
}

/** Pads every cell, the last included, so that all rows have one width and columns line up. */
function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => widths.map((w, i) => (r[i] ?? "").padEnd(w)).join("  "));
}
