/**
 * `genrm demo`'s report: one self-contained HTML file (inline CSS and SVG, no scripts that run, no
 * remote resources) rendered from a DemoResults. The raw results ride along in a JSON script block,
 * so the file alone is enough to recover every number.
 */

import { escapeHtml as esc, jsonForScript } from "../../report/escapeHtml.js";
import { dl, fmt3, fmtInt, table } from "../../report/htmlBlocks.js";
import { reportStyles } from "../../report/reportStyles.js";
import {
  type Bar,
  type BarGroup,
  barChart,
  htmlLegend,
  type LegendItem,
  lineChart,
} from "../../report/svgCharts.js";
import { formatP } from "../demoClaims.js";
import type { DemoMethodResult, DemoResults } from "../types.js";
import {
  bestValues,
  type DemoBest,
  type DemoRow,
  demoRows,
  familyLabel,
  fmtDuration,
  isBest,
  lengthJudgeRow,
  majKColumns,
  majKCurve,
  methodMaxK,
  orderedMethods,
  splitLabel,
} from "./demoRows.js";
import { policySection } from "./policySection.js";

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies, and legible on
// both the light and the dark background.
const splitColors: Record<string, string> = {
  test: "#0072B2",
  "ood-length": "#E69F00",
  "ood-mixed": "#009E73",
};
const extraColors = ["#CC79A7", "#56B4E9", "#D55E00", "#999933"];
const methodColors: Record<string, string> = {
  "zero-shot-cot": "#CC79A7",
  "star-sft": "#0072B2",
  "star-dpo": "#D55E00",
  "star-rationalizer": "#009E73",
};
// Dashes as well as colours, so the maj@k lines stay apart in greyscale print.
const dashes = ["", "7 3", "2 3", "9 3 2 3"];
const voteHatchColor = "#7f8790";

export function renderDemoReport(results: DemoResults): string {
  const rows = demoRows(results);
  const best = bestValues(rows, results.splits);
  const title = `genrm demo report (${results.preset})`;
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="generator" content="genrm ${esc(results.genrm)}">`,
    `<title>${esc(title)}</title><style>${reportStyles}</style></head><body>`,
    header(results, title),
    summarySection(results, rows),
    figureSection(results, rows),
    tableSection(results, rows, best),
    claimsSection(results),
    policySection(results.policy),
    majKSection(results),
    rationaleSection(results),
    starSection(results),
    provenanceSection(results),
    `<footer>Rendered by genrm ${esc(results.genrm)} from the demo's results.json (format ${esc(results.format)}). ` +
      `The results themselves are embedded in this file: <code>JSON.parse(document.getElementById("genrm-results").textContent)</code>.</footer>`,
    `<script type="application/json" id="genrm-results">${jsonForScript(results)}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}

function splitColor(split: string, index: number): string {
  return splitColors[split] ?? extraColors[index % extraColors.length]!;
}

function fmtDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function fmtCi(ci: [number, number] | null): string {
  return ci ? `[${fmt3(ci[0])}, ${fmt3(ci[1])}]` : "";
}

function header(r: DemoResults, title: string): string {
  const m = r.machine;
  return (
    `<header><h1>${esc(title)}</h1>` +
    `<p class="subtitle">Generative Reward Models (Mahan et al., 2024, arXiv:2410.12832) reproduced at toy scale on genrm's mini world.</p>` +
    dl([
      ["genrm", esc(r.genrm)],
      ["preset", esc(r.preset)],
      ["seed", esc(String(r.seed))],
      ["wall time", `${esc(fmtDuration(r.wallSeconds))} (${esc(fmtSeconds1(r.wallSeconds))} s)`],
      ["date", `${esc(fmtDate(r.startedAt))} to ${esc(fmtDate(r.finishedAt))}`],
      [
        "machine",
        esc(`${m.platform} ${m.arch}, ${m.cpus} CPUs, Node ${m.node}, ${m.engineThreads} engine threads`),
      ],
    ]) +
    `</header>`
  );
}

function fmtSeconds1(s: number): string {
  return Number.isFinite(s) ? s.toFixed(1) : "—";
}

function listText(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The plain-words paragraph: every number in it is read from the results. */
function summarySection(r: DemoResults, rows: DemoRow[]): string {
  const methods = orderedMethods(r);
  const byFamily = (f: DemoMethodResult["family"]) =>
    methods.filter((m) => m.family === f).map((m) => m.name);
  const trained = [...byFamily("verdict-only"), ...byFamily("star")];
  const ks = [...new Set(methods.filter((m) => methodMaxK(m) > 0).map((m) => m.k ?? methodMaxK(m)))];
  const iterations = [
    ...new Set(
      methods.flatMap((m) => (m.training?.iterations?.length ? [m.training.iterations.length] : [])),
    ),
  ];
  const configIterations = typeof r.config.iterations === "number" ? [r.config.iterations] : [];
  const iters = iterations.length > 0 ? iterations : configIterations;

  const parts: string[] = [];
  if (methods.length === 0) {
    return `<section id="summary"><h2>What was run</h2><p>This run recorded no judge results.</p></section>`;
  }
  parts.push(
    `This run compared ${methods.length} judge${methods.length === 1 ? "" : "s"} (${listText(methods.map((m) => m.name))}) on the mini world, ` +
      `a synthetic preference domain of arithmetic answers where the preferred answer is the one with the correct result ` +
      `(world seed ${r.world.seed}, label noise ${fmt3(r.world.noise)}).`,
  );
  if (trained.length > 0) {
    parts.push(
      `${listText(trained)} learned from ${fmtInt(r.world.trainPairs)} training pairs, starting from the base model` +
        (byFamily("zero-shot").length > 0 ? "; the zero-shot judges use the base model as it is." : "."),
    );
  }
  if (r.splits.length > 0) {
    parts.push(
      `Every judge was scored against the human labels on ${listText(
        r.splits.map((s) => `${s.title} (${fmtInt(s.pairs)} pairs)`),
      )}.`,
    );
  }
  if (ks.length > 0) {
    parts.push(
      `Chain-of-thought judges sampled k = ${listText(ks.map(String))} rationales per pair and took the majority verdict (maj@k).`,
    );
  }
  if (iters.length > 0)
    parts.push(`Each STaR method ran ${listText(iters.map(String))} self-training iterations.`);
  parts.push(
    `Ties and unparseable verdicts score 0.5, so 0.5 is chance. A judge that only prefers the longer answer would score ${listText(
      r.splits.map((s) => `${fmt3(s.lengthJudgeAccuracy)} on ${splitLabel(s.name)}`),
    )}.`,
  );

  const headline: string[] = [];
  const top = (pick: (row: DemoRow) => number | null | undefined) => {
    let bestRow: DemoRow | null = null;
    for (const row of rows) {
      const v = pick(row);
      if (typeof v === "number" && Number.isFinite(v) && (bestRow === null || v > pick(bestRow)!))
        bestRow = row;
    }
    return bestRow;
  };
  const rowName = (row: DemoRow) => `${row.method.name}${row.voteLabel ? ` ${row.voteLabel}` : ""}`;
  const idSplit = r.splits.find((s) => !s.ood);
  if (idSplit) {
    const t = top((row) => row.cells[idSplit.name]?.accuracy);
    if (t)
      headline.push(
        `highest in-distribution accuracy: ${rowName(t)} (${fmt3(t.cells[idSplit.name]!.accuracy)})`,
      );
  }
  const o = top((row) => row.oodMean);
  if (o) headline.push(`highest OOD mean: ${rowName(o)} (${fmt3(o.oodMean)})`);

  const splitsTable =
    r.splits.length === 0
      ? ""
      : table(
          ["split", "description", "OOD", "pairs", "longer answer wins"],
          r.splits.map((s) => [
            `<code>${esc(s.name)}</code>`,
            esc(s.title),
            s.ood ? "yes" : "no",
            esc(fmtInt(s.pairs)),
            esc(fmt3(s.lengthJudgeAccuracy)),
          ]),
          { numeric: [false, false, false, true, true] },
        );
  return (
    `<section id="summary"><h2>What was run</h2><p>${esc(parts.join(" "))}</p>` +
    (headline.length > 0 ? `<p>In this run: ${esc(headline.join("; "))}.</p>` : "") +
    splitsTable +
    `</section>`
  );
}

/**
 * Figure 2 of the paper: one group per judge, one bar per split. One chart rather than a maj@1
 * chart and a maj@k chart: every judge stays on a single axis, so the comparison the paper makes
 * (reasoning judges against verdict-only ones, in and out of distribution) is read directly, and
 * verdict-only bars are not drawn twice. A CoT judge's group holds a solid maj@1 bar and a hatched
 * maj@k bar per split; only the maj@k bar has whiskers, since the results carry an interval only
 * for the final vote.
 */
function figureSection(r: DemoResults, rows: DemoRow[]): string {
  const methods = orderedMethods(r);
  if (methods.length === 0 || r.splits.length === 0) {
    return `<section id="figure"><h2>Accuracy by judge and split</h2><p class="note">No results to chart.</p></section>`;
  }
  let anyVote = false;
  const groups: BarGroup[] = methods.map((m) => {
    const mine = rows.filter((row) => row.method === m);
    const bars: Bar[] = [];
    r.splits.forEach((s, si) => {
      mine.forEach((row, ri) => {
        const cell = row.cells[s.name];
        const hatched = row.vote === "maj@k" && row.span > 1;
        anyVote ||= hatched;
        const vote = row.voteLabel ? `, ${row.voteLabel}` : "";
        bars.push({
          value: cell?.accuracy ?? Number.NaN,
          ci: cell?.ci ?? null,
          color: splitColor(s.name, si),
          hatched,
          gapBefore: si > 0 && ri === 0 && mine.length > 1 ? 0.4 : 0,
          title: `${m.name}, ${s.title}${vote}: ${fmt3(cell?.accuracy)}${cell?.ci ? ` (95% CI ${fmtCi(cell.ci)})` : ""}`,
          data: { method: m.id, split: s.name, vote: row.vote, value: fmt3(cell?.accuracy) },
        });
      });
    });
    return { label: m.name, bars };
  });
  const legend: LegendItem[] = r.splits.map((s, i) => ({
    label: splitLabel(s.name),
    color: splitColor(s.name, i),
  }));
  if (anyVote)
    legend.push({ label: "hatched: maj@k vote (solid: maj@1)", color: voteHatchColor, hatched: true });
  // In the legend rather than on the line, where the right-most bars would cover it.
  legend.push({ label: "chance (0.5)", color: voteHatchColor, dash: "5 4" });
  const svg = barChart({
    id: "fig-accuracy",
    title: "Accuracy against human labels by judge and split",
    description:
      `Grouped bar chart. Groups are judges (${methods.map((m) => m.name).join(", ")}); bars are accuracy on ` +
      `${r.splits.map((s) => s.title).join(", ")}, on a 0 to 1 scale with 95% bootstrap intervals and a dashed line at 0.5 (chance).`,
    groups,
    legend,
    refLine: { value: 0.5 },
    yLabel: "accuracy",
  });
  return (
    `<section id="figure"><h2>Accuracy by judge and split</h2><figure>${svg}<figcaption>` +
    `The paper's Figure 2 on the mini world. Bars: accuracy against the human labels; whiskers: bootstrap 95% interval; ` +
    `dashed line: chance (0.5). ${anyVote ? "Chain-of-thought judges show the mean accuracy of one sample (maj@1, solid) and the majority of all samples (maj@k, hatched). " : ""}` +
    `Hover a bar for its value.</figcaption></figure></section>`
  );
}

function tableSection(r: DemoResults, rows: DemoRow[], best: DemoBest): string {
  const splits = r.splits;
  const strong = (text: string, on: boolean) => (on ? `<strong>${text}</strong>` : text);
  const head =
    `<tr><th>Method</th><th>Family</th><th>Reasoning</th><th>Vote</th>` +
    splits.map((s) => `<th class="num">${esc(splitLabel(s.name))}</th>`).join("") +
    `<th class="num">OOD mean</th></tr>`;
  const body = rows.map((row) => {
    const m = row.method;
    const span = row.span > 1 ? ` rowspan="${row.span}"` : "";
    const lead = row.first
      ? `<th scope="row"${span}>${esc(m.name)}</th><td${span}>${esc(familyLabel(m.family))}</td><td${span}>${m.reasoning ? "yes" : "no"}</td>`
      : "";
    const cells = splits.map((s) => {
      const c = row.cells[s.name];
      const value = strong(esc(fmt3(c?.accuracy)), isBest(c?.accuracy, best.splits[s.name] ?? null));
      return `<td class="num">${value}${c?.ci ? ` <span class="ci">${esc(fmtCi(c.ci))}</span>` : ""}</td>`;
    });
    const mean = `<td class="num">${strong(esc(fmt3(row.oodMean)), isBest(row.oodMean, best.oodMean))}</td>`;
    return `<tr${row.first ? ` class="method-start"` : ""} data-method="${esc(m.id)}" data-vote="${row.vote}">${lead}<td>${esc(row.voteLabel || "—")}</td>${cells.join("")}${mean}</tr>`;
  });
  const cue = lengthJudgeRow(splits);
  body.push(
    `<tr class="reference method-start"><th scope="row">Longer answer wins (reference)</th><td>heuristic</td><td>no</td><td>—</td>` +
      splits.map((s) => `<td class="num">${esc(fmt3(cue.cells[s.name]))}</td>`).join("") +
      `<td class="num">${esc(fmt3(cue.oodMean))}</td></tr>`,
  );
  const ns = splits.map((s) => `${splitLabel(s.name)} ${fmtInt(s.pairs)}`).join(", ");
  return (
    `<section id="results"><h2>Results</h2><div class="table-wrap"><table id="results-table"><thead>${head}</thead><tbody>${body.join("")}</tbody></table></div>` +
    `<p class="note">Accuracy against the human labels with its bootstrap 95% interval; bold: best value in the column (compared at three decimals). ` +
    `Chain-of-thought judges have two rows: maj@1 (mean accuracy of one sample, no interval recorded) and maj@k (majority of k samples). ` +
    `OOD mean: mean over the out-of-distribution splits. Pairs per split: ${esc(ns)}.</p></section>`
  );
}

function majKSection(r: DemoResults): string {
  const cot = orderedMethods(r).filter((m) => methodMaxK(m) > 0);
  const headline = `<section id="majk"><h2>Majority voting: maj@k</h2>`;
  if (cot.length === 0 || r.splits.length === 0) {
    return `${headline}<p class="note">No chain-of-thought judge in this run, so there are no maj@k curves.</p></section>`;
  }
  const maxK = Math.max(...cot.map(methodMaxK));
  const xValues = Array.from({ length: maxK }, (_, i) => i + 1);
  const all = cot.flatMap((m) => r.splits.flatMap((s) => majKCurve(m, s.name)));
  // One y range for all panels, so a curve's height means the same in each; snapped to 0.05 and
  // at least 0.1 tall so that noise of a few pairs does not look like a trend.
  let lo = Math.max(0, Math.floor((Math.min(...all) - 0.02) / 0.05) * 0.05);
  let hi = Math.min(1, Math.ceil((Math.max(...all) + 0.02) / 0.05) * 0.05);
  if (hi - lo < 0.1) {
    hi = Math.min(1, lo + 0.1);
    lo = Math.max(0, hi - 0.1);
  }
  const series = (split: string) =>
    cot.map((m, i) => ({
      label: m.name,
      color: methodColors[m.id] ?? extraColors[i % extraColors.length]!,
      dash: dashes[i % dashes.length]!,
      data: { method: m.id, split },
      points: majKCurve(m, split).map((y, j) => ({
        x: j + 1,
        y,
        title: `${m.name}, maj@${j + 1}: ${fmt3(y)}`,
      })),
    }));
  const panels = r.splits.map((s, i) => {
    const svg = lineChart({
      id: `fig-majk-${i}`,
      title: s.title,
      description: `Line chart: expected accuracy of the majority of k samples, k = 1 to ${maxK}, on ${s.title}, one line per chain-of-thought judge.`,
      xValues,
      yDomain: [lo, hi],
      series: series(s.name),
      refLine: { value: 0.5, label: "chance" },
      xLabel: "k (samples voted)",
    });
    return `<figure>${svg}</figure>`;
  });
  const legend = htmlLegend(
    cot.map((m, i) => ({
      label: m.name,
      color: methodColors[m.id] ?? extraColors[i % extraColors.length]!,
      dash: dashes[i % dashes.length]!,
    })),
  );
  // The curves' numbers at k = 1, 2, 4, … K, for print and for reading off exact values, with the
  // share of samples that gave no verdict (those score 0.5 and pull a curve towards chance).
  const ks = majKColumns(maxK);
  const numbers = cot.flatMap((m) =>
    r.splits.map((s, i) => {
      const c = majKCurve(m, s.name);
      const parse = (m.results as Record<string, { parseErrorRate?: number } | undefined>)[s.name]
        ?.parseErrorRate;
      return [
        i === 0 ? esc(m.name) : "",
        esc(splitLabel(s.name)),
        ...ks.map((k) => esc(fmt3(c[k - 1]))),
        esc(fmt3(parse)),
      ];
    }),
  );
  const numbersTable = table(["method", "split", ...ks.map((k) => `k=${k}`), "no verdict"], numbers, {
    numeric: [false, false, ...ks.map(() => true), true],
    className: "majk",
  });
  return (
    `${headline}${legend}<div class="multiples">${panels.join("")}</div>` +
    `<p class="note">Expected accuracy of the majority verdict of k of a judge's samples per pair (mean over every k-subset), for each split; all panels share the y scale ` +
    `(${fmt3(lo)} to ${fmt3(hi)}). The table gives the values at powers of two and at K; "no verdict" is the share of samples ` +
    `without a parseable verdict.</p>${numbersTable}</section>`
  );
}

/** Whether CoT judges reach their verdicts by working the sum out or by a shortcut. */
function rationaleSection(r: DemoResults): string {
  const cot = orderedMethods(r).filter((m) => r.splits.some((s) => m.results[s.name]?.rationales));
  if (cot.length === 0) return "";
  const head = [
    "Method",
    ...r.splits.flatMap((s) => [`${splitLabel(s.name)}: worked`, "fallback", "shortcut", "sound", "follows"]),
  ];
  const body = cot.map((m) => [
    esc(m.name),
    ...r.splits.flatMap((s) => {
      const st = m.results[s.name]?.rationales;
      return st
        ? [
            esc(fmt3(st.worked)),
            esc(fmt3(st.fallback)),
            esc(fmt3(st.heuristic)),
            esc(fmt3(st.sound)),
            st.followsWork == null ? "—" : esc(fmt3(st.followsWork)),
          ]
        : ["—", "—", "—", "—", "—"];
    }),
  ]);
  return (
    `<section id="rationales"><h2>What the rationales do</h2>` +
    `<p class="note">Shares of each chain-of-thought judge's samples, checked step by step against the mini world's hidden facts: ` +
    `"worked" rationales add the numbers up to a result one of the answers states; "fallback" ones reach a result neither answer ` +
    `states, so their verdict cannot follow from the work (the taught move is a cue: "Neither is right; B is more detailed"); ` +
    `"shortcut" ones skip the work ("B is more detailed", ` +
    `"A comes first"); "sound" ones have every step, both quotes and the verdict right, i.e. are right for the right reason; ` +
    `"follows": of the samples whose worked result matches exactly one answer, the share whose verdict names it (the zero-shot ` +
    `CoT row is the base model's faithfulness: STaR's filter can only select good reasoning where the verdict follows the work). ` +
    `A judge that gains accuracy in distribution while its fallback and shortcut shares grow has learned the surface cue, not the task.</p>` +
    table(head, body, { numeric: head.map((_, i) => i > 0) }) +
    `</section>`
  );
}

function claimsSection(r: DemoResults): string {
  const claims = (r.claims ?? []).filter((c) => c.holds !== null);
  if (claims.length === 0) return "";
  const head = `<section id="claims"><h2>The paper's claims on this run</h2>`;
  const body = claims.map((c) => [
    esc(c.claim) + (c.required ? "" : ` <span class="note">(reported, not required)</span>`),
    esc(c.paper),
    esc(c.measured),
    c.statistic
      ? esc(
          `${c.statistic.name}${c.statistic.value === null ? "" : `, χ² ${c.statistic.value.toFixed(2)}`}, p ${formatP(c.statistic.pValue)}`,
        )
      : "—",
    `<strong>${esc(c.holds === null ? "not run" : c.holds ? "holds" : "does not hold")}</strong>`,
  ]);
  return (
    `${head}<p class="note">Each finding of the paper, its evidence there, and this run's numbers, computed from the results above ` +
    `(McNemar: paired test on the same pairs, exact binomial below 25 discordant pairs). Thresholds were fixed before any run.</p>` +
    table(["claim", "paper", "this run", "test", "verdict"], body) +
    `</section>`
  );
}

function starSection(r: DemoResults): string {
  const star = orderedMethods(r).filter((m) => (m.training?.iterations?.length ?? 0) > 0);
  const head = `<section id="star"><h2>STaR iterations</h2>`;
  if (star.length === 0) return `${head}<p class="note">No STaR method in this run.</p></section>`;
  const blocks = star.map((m) => {
    const t = m.training!;
    const body = t.iterations!.map((it) => [
      esc(String(it.iteration)),
      esc(fmtInt(it.pairs)),
      esc(fmtInt(it.samples)),
      esc(fmtInt(it.kept)),
      esc(it.samples > 0 ? fmt3(it.kept / it.samples) : "—"),
      esc(it.malformed === null || it.kept === 0 ? "—" : fmt3(it.malformed / it.kept)),
      esc(fmt3(it.probeAccuracy)),
    ]);
    return (
      `<div class="star-method"><h3>${esc(m.name)}</h3>` +
      `<p class="note">Final model trained on ${esc(fmtInt(t.rows))} rows in ${esc(fmtInt(t.steps))} steps (${esc(fmtDuration(t.seconds))})` +
      `${t.lastLoss !== null && Number.isFinite(t.lastLoss) ? `, last loss ${esc(fmt3(t.lastLoss))}` : ""}.</p>` +
      table(
        ["iteration", "pairs", "samples", "kept", "kept share", "malformed share", "probe accuracy"],
        body,
        {
          numeric: [true, true, true, true, true, true, true],
        },
      ) +
      `</div>`
    );
  });
  return (
    `${head}<p class="note">Per iteration: preference pairs sampled, rationales sampled, rationales kept for training, the share ` +
    `of kept rationales that are not in the world's grammar (steps spliced into quotes, repeated or cut sentences; trained on all ` +
    `the same: a rising share means the method feeds on its own malformed text), and the ` +
    `iteration model's in-distribution accuracy on the demo's small probe (— where not measured).</p>${blocks.join("")}</section>`
  );
}

function provenanceSection(r: DemoResults): string {
  const code = (s: string | null | undefined) => (s ? `<code>${esc(s)}</code>` : "—");
  const methods = orderedMethods(r);
  const methodRows = methods.map((m) => [
    esc(m.name),
    code(m.model?.id),
    code(m.model?.path),
    m.template ? `${code(m.template.id)} ${code(m.template.hash)}` : "—",
    esc(fmtInt(m.training?.rows)),
    esc(fmtInt(m.training?.steps)),
    esc(m.training ? fmtSeconds1(m.training.seconds) : "—"),
    esc(fmt3(m.training?.lastLoss)),
    esc(fmtSeconds1(m.seconds)),
  ]);
  const templates = Object.entries(r.templates ?? {}).map(([id, hash]) => [code(id), code(hash)]);
  const total = r.timings.reduce((s, t) => s + (Number.isFinite(t.seconds) ? t.seconds : 0), 0);
  const denom = Number.isFinite(r.wallSeconds) && r.wallSeconds > 0 ? r.wallSeconds : total;
  const timingRows = r.timings.map((t) => {
    const share = denom > 0 && Number.isFinite(t.seconds) ? t.seconds / denom : null;
    const width = share === null ? 0 : Math.min(100, Math.max(0, share * 100));
    return [
      esc(t.stage),
      esc(fmtSeconds1(t.seconds)),
      esc(fmt3(share)),
      `<span class="timebar" style="width:${width.toFixed(1)}%"></span>`,
    ];
  });
  return (
    `<section id="provenance"><h2>Provenance</h2>` +
    `<h3>Base model</h3>${dl([
      ["path", code(r.baseModel.path)],
      ["id", code(r.baseModel.id)],
      ["sha256", code(r.baseModel.sha256)],
    ])}` +
    `<h3>World</h3>${dl([
      ["seed", esc(String(r.world.seed))],
      ["label noise", esc(fmt3(r.world.noise))],
      ["training pairs", esc(fmtInt(r.world.trainPairs))],
    ])}` +
    `<h3>Judge templates</h3>${templates.length > 0 ? table(["template", "hash"], templates) : `<p class="note">None recorded.</p>`}` +
    `<h3>Judges</h3>${table(
      [
        "method",
        "model id",
        "model path",
        "template",
        "train rows",
        "steps",
        "train s",
        "last loss",
        "eval s",
      ],
      methodRows,
      { numeric: [false, false, false, false, true, true, true, true, true] },
    )}` +
    `<h3>Configuration</h3><pre>${esc(JSON.stringify(r.config ?? {}, null, 2))}</pre>` +
    `<h3>Stage timings</h3>${table(["stage", "seconds", "share of wall time", ""], timingRows, {
      numeric: [false, true, true, false],
      className: "timings",
    })}` +
    `</section>`
  );
}
