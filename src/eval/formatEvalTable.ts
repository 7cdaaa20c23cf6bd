/** Terminal rendering of an EvalSummary: fixed-width, plain text, percentages with one decimal. */
import type { AccuracyResult, EvalSummary } from "./types.js";

export function formatEvalTable(summary: EvalSummary): string {
  const lines: string[] = [];
  for (const p of summary.provenance) {
    const judge = p.baseline
      ? `${p.modelName}`
      : `${p.modelName} ${p.protocol} ${p.templateId} (${p.templateHash})`;
    // A direct judge reads the verdict token's probability and samples nothing: k, temperature
    // and top-p do not apply to it, so the header shows only what does.
    const sampling = p.baseline
      ? ""
      : p.protocol === "direct"
        ? `, orders=${p.orderMode}, seed=${p.seed}`
        : `, k=${p.k}${p.adaptive ? " adaptive" : ""}, orders=${p.orderMode}, seed=${p.seed}, T=${p.sampling.temperature} top-p=${p.sampling.topP}`;
    lines.push(`judge     ${judge}${sampling}`);
  }
  const c = summary.counts;
  lines.push(
    `pairs     ${c.pairs} (judged ${c.pairs - c.missing}, missing ${c.missing}, tie labels ${c.tieLabels}, unmatched judgments ${c.unmatched})`,
  );
  const { tieScore, errorScore, bootstrap } = summary.options;
  const v = summary.verdicts;
  // Every judgment an error scores errorScore each: an interval of zero width around it says
  // nothing about the judge, so the line says what happened instead.
  const nothingParsed = v.error > 0 && v.A + v.B + v.tie === 0;
  lines.push(
    nothingParsed
      ? `accuracy  — no verdict parsed: all ${v.error} judgments are errors (each would score ${errorScore}); see the parsing line and the samples`
      : `accuracy  ${formatAccuracy(summary.accuracy)}  (${pct(bootstrap.level, 0)} CI, ${bootstrap.resamples} resamples; tie ${tieScore}, error ${errorScore})`,
  );
  lines.push(`verdicts  A ${v.A}  B ${v.B}  tie ${v.tie}  error ${v.error}`);

  const subsetNames = Object.keys(summary.subsets);
  if (subsetNames.length > 1 || (subsetNames.length === 1 && subsetNames[0] !== "(none)")) {
    const width = Math.max(6, ...subsetNames.map((n) => n.length));
    lines.push("", `${"subset".padEnd(width)}  ${"n".padStart(5)}  accuracy  CI`);
    for (const name of subsetNames) {
      const r = summary.subsets[name]!;
      lines.push(`${name.padEnd(width)}  ${String(r.n).padStart(5)}  ${formatAccuracy(r)}`);
    }
  }

  const rb = summary.rewardBench;
  if (rb) {
    lines.push("", "RewardBench (EXAMPLE_COUNTS-weighted sections, overall = mean of sections)");
    for (const s of rb.sections) {
      const missing = s.subsetsMissing.length > 0 ? `  (missing: ${s.subsetsMissing.join(", ")})` : "";
      lines.push(`  ${s.name.padEnd(10)} ${s.score === null ? "—" : pct(s.score)}${missing}`);
    }
    if (rb.complete) lines.push(`  ${"Overall".padEnd(10)} ${pct(rb.overallMissingAsZero)}`);
    else {
      // Both means of a partial run, named: reward-bench's own code scores a missing section 0.
      lines.push(
        `  ${"Overall, sections present".padEnd(34)} ${rb.overall === null ? "—" : pct(rb.overall)} (missing: ${rb.sectionsMissing.join(", ")})`,
        `  ${"Overall, missing sections as 0".padEnd(34)} ${pct(rb.overallMissingAsZero)} (as reward-bench computes it)`,
      );
    }
    lines.push(
      `  ${"Pair mean".padEnd(10)} ${summary.accuracy.accuracy === null ? "—" : pct(summary.accuracy.accuracy)}`,
    );
  }

  const multiOrder = summary.provenance.some((p) => p.orderMode === "both");
  if (summary.majAtK.length > 1) {
    const label = multiOrder ? "maj@k     per order (2k samples)" : "maj@k    ";
    lines.push("", `${label} ${summary.majAtK.map((p) => `${p.k}: ${pct(p.accuracy)}`).join("  ")}`);
  }
  if (multiOrder && summary.majAtKTotal.length > 1) {
    lines.push(
      `maj@k     by samples spent ${summary.majAtKTotal.map((p) => `${p.k}: ${pct(p.accuracy)}`).join("  ")}`,
    );
  }

  const cal = summary.calibration;
  if (cal) {
    lines.push(
      "",
      `calibration of P(A): ECE ${pct(cal.ece)} over ${cal.n} judgments (${cal.bins} equal-width bins; Brier ${summary.brier === null ? "—" : summary.brier.toFixed(3)})`,
      `  ${"P(A) bin".padEnd(12)} ${"n".padStart(5)}  ${"mean P(A)".padStart(9)}  ${"share A".padStart(7)}`,
    );
    for (const b of cal.reliability) {
      if (b.n === 0) continue;
      const bin = `[${b.lower.toFixed(1)}, ${b.upper.toFixed(1)}${b.upper === 1 ? "]" : ")"}`;
      lines.push(
        `  ${bin.padEnd(12)} ${String(b.n).padStart(5)}  ${pct(b.meanPA!).padStart(9)}  ${pct(b.fractionA!).padStart(7)}`,
      );
    }
  }

  const pc = summary.positionConsistency;
  if (pc.bothOrderJudgments > 0 || pc.aSlotRate !== null) {
    lines.push(
      "",
      `position  consistency ${pc.rate === null ? "—" : pct(pc.rate)} (${pc.consistentPairs}/${pc.decidedPairs} pairs)  slot-A rate ${pc.aSlotRate === null ? "—" : pct(pc.aSlotRate)}`,
    );
  }
  const parse = summary.parse;
  if (parse.samples > 0) {
    lines.push(
      `parsing   ${parse.parseErrors}/${parse.samples} samples unparseable (${pct(parse.parseErrorRate!)}), ${parse.truncated} truncated`,
    );
  }
  if (summary.errors.engineErrors > 0)
    lines.push(`errors    ${summary.errors.engineErrors} judgments hit engine errors`);
  const u = summary.usage;
  if (u.totalTokens.n > 0) {
    lines.push(
      `cost      tokens/judgment mean ${num(u.totalTokens.mean)} p50 ${num(u.totalTokens.p50)} p95 ${num(u.totalTokens.p95)}; ` +
        `ms/judgment mean ${num(u.wallMs.mean)} p50 ${num(u.wallMs.p50)} p95 ${num(u.wallMs.p95)}; samples/judgment ${num(u.samples.mean, 1)}`,
    );
  }
  return lines.join("\n");
}

function formatAccuracy(r: AccuracyResult): string {
  if (r.accuracy === null) return "—";
  const ci = r.ci ? `[${pct(r.ci.lower)}, ${pct(r.ci.upper)}]` : "";
  return `${pct(r.accuracy).padStart(6)}    ${ci}`;
}

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

function num(x: number | null, digits = 0): string {
  return x === null ? "—" : x.toFixed(digits);
}
