/** Terminal rendering of an EvalSummary: fixed-width, plain text, percentages with one decimal. */
import type { AccuracyResult, BenchmarkScores, EvalSummary } from "./types.js";

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

  if (summary.benchmarks) lines.push(...formatBenchmarks(summary.benchmarks));

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

/** The official scores, each block headed by how the benchmark computes it. */
export function formatBenchmarks(b: BenchmarkScores): string[] {
  const lines: string[] = [];
  const score = (x: number | null) => (x === null ? "—" : pct(x));
  const rb2 = b.rewardBench2;
  if (rb2) {
    lines.push(
      "",
      "RewardBench 2 (best-of-4, a tie at the top scores 1/k; Ties weighted; score = mean of the six subsets)",
    );
    const width = Math.max(10, ...rb2.subsets.map((s) => s.name.length));
    for (const s of rb2.subsets)
      lines.push(`  ${s.name.padEnd(width)} ${score(s.score).padStart(6)}  (${s.rows} rows)`);
    const notes = [
      ...(rb2.subsetsMissing.length > 0 ? [`missing: ${rb2.subsetsMissing.join(", ")}`] : []),
      ...(rb2.incompleteRows > 0 ? [`${rb2.incompleteRows} rows not fully judged, left out`] : []),
    ];
    lines.push(
      `  ${"Score".padEnd(width)} ${score(rb2.score).padStart(6)}${notes.length > 0 ? `  (${notes.join("; ")})` : ""}`,
    );
    const t = rb2.ties;
    if (t) {
      lines.push(
        `  Ties: ref accuracy ${pct(t.refAccuracy)}, tied accuracy ${pct(t.tiedAccuracy)}, correctness preferred ${score(t.correctnessPreferred)} (hard ${score(t.correctnessPreferredHard)}), margin ${t.marginScore === null ? "—" : t.marginScore.toFixed(3)} over ${t.pairedPrompts} paired prompts`,
      );
    }
  }
  const jb = b.judgeBench;
  if (jb) {
    lines.push("", "JudgeBench (correct when the net vote over both orders is positive)");
    const width = Math.max(19, ...jb.categories.map((c) => c.name.length));
    for (const c of jb.categories)
      lines.push(`  ${c.name.padEnd(width)} ${score(c.score).padStart(6)}  (${c.pairs} pairs)`);
    lines.push(
      `  ${"Overall".padEnd(width)} ${score(jb.overall.score).padStart(6)}  (${jb.overall.pairs} pairs)`,
    );
    if (jb.bothOrders < jb.overall.pairs)
      lines.push(
        `  ${jb.overall.pairs - jb.bothOrders} pairs judged in one order only (JudgeBench judges both: --order both)`,
      );
  }
  const rm = b.rmBench;
  if (rm) {
    lines.push("", "RM-Bench (3×3 chosen-style × rejected-style matrix)");
    lines.push(
      `  ${"".padEnd(16)} ${"hard".padStart(6)} ${"normal".padStart(6)} ${"easy".padStart(6)} ${"avg".padStart(6)}`,
    );
    const row = (
      name: string,
      r: { hard: number; normal: number; easy: number; average: number; rows: number },
    ) =>
      `  ${name.padEnd(16)} ${pct(r.hard).padStart(6)} ${pct(r.normal).padStart(6)} ${pct(r.easy).padStart(6)} ${pct(r.average).padStart(6)}  (${r.rows} rows)`;
    for (const d of rm.domains) lines.push(row(d.name, d));
    lines.push(row(rm.domains.length > 0 ? "Overall" : "All rows", rm));
    if (rm.incompleteRows > 0) lines.push(`  ${rm.incompleteRows} rows not fully judged, left out`);
  }
  return lines;
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
