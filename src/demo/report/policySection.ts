/**
 * The report's Best-of-N section (the policy stage, `genrm demo --policy`): one line chart per
 * question set of the share of picks that are right, and one of the share that are verbose, against
 * N, one line per judge and reference; the numbers with their intervals; and, in words, which
 * judges made the picks more right and which more verbose (`policyFindingSentences`).
 */
import { escapeHtml as esc } from "../../report/escapeHtml.js";
import { fmt3, table } from "../../report/htmlBlocks.js";
import { htmlLegend, lineChart } from "../../report/svgCharts.js";
import { policyFindingSentences } from "../policy/policyFindings.js";
import { trainingFindingSentences } from "../policy/trainingFindings.js";
import type { DemoPolicyResults, PolicySelectorResult } from "../policy/types.js";

const palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933", "#882255"];
const dashes = ["", "7 3", "2 3", "9 3 2 3"];
const referenceStyle: Record<string, { color: string; dash: string }> = {
  oracle: { color: "#000000", dash: "4 2" },
  random: { color: "#7f8790", dash: "1 3" },
  longest: { color: "#7f8790", dash: "8 2" },
};

/** Chart titles must fit a small panel; the text and the chart's description carry the full set title. */
function shortTitle(set: string): string {
  return set === "in-distribution" ? "In distribution" : "Out of distribution";
}

function style(s: PolicySelectorResult, judgeIndex: number): { color: string; dash: string } {
  return (
    referenceStyle[s.id] ?? {
      color: palette[judgeIndex % palette.length]!,
      dash: dashes[Math.floor(judgeIndex / palette.length) % dashes.length]!,
    }
  );
}

export function policySection(policy: DemoPolicyResults | undefined): string {
  if (!policy) return "";
  const head = `<section id="policy"><h2>Best-of-N: does a better judge pick better answers?</h2>`;
  const judges = policy.selectors.filter((s) => !s.reference);
  const styles = new Map(policy.selectors.map((s) => [s.id, style(s, judges.indexOf(s))]));
  const ns = policy.settings.ns;
  const panel = (metric: "right" | "verbose", set: DemoPolicyResults["sets"][number], i: number) =>
    `<figure>${lineChart({
      id: `fig-bon-${metric}-${i}`,
      title: `${shortTitle(set.name)}: share ${metric}`,
      description: `Line chart: share of Best-of-N picks that are ${metric}, N = ${ns.join(", ")}, on ${set.questions} ${set.title}, one line per judge or reference selector.`,
      xValues: ns,
      yDomain: [0, 1],
      series: policy.selectors.map((s) => ({
        label: s.name,
        color: styles.get(s.id)!.color,
        dash: styles.get(s.id)!.dash,
        data: { selector: s.id, set: set.name, metric },
        points: s.curves[set.name].map((p) => ({
          x: p.n,
          y: p[metric].share,
          title: `${s.name}, N = ${p.n}: ${fmt3(p[metric].share)} [${fmt3(p[metric].ci[0])}, ${fmt3(p[metric].ci[1])}]`,
        })),
      })),
      xLabel: "N (answers the judge picks among)",
    })}</figure>`;
  const legend = htmlLegend(policy.selectors.map((s) => ({ label: s.name, ...styles.get(s.id)! })));
  // One row of panels per measure, so each row compares the question sets on one scale.
  const panels = (["right", "verbose"] as const)
    .map(
      (metric) =>
        `<div class="multiples">${policy.sets.map((set, i) => panel(metric, set, i)).join("")}</div>`,
    )
    .join("");
  const body = policy.selectors.flatMap((s) =>
    policy.sets.map((set, i) => [
      i === 0 ? esc(s.name) : "",
      esc(set.title),
      ...s.curves[set.name].map((p) => `${shareCell(p.right)}<br>${shareCell(p.verbose)}`),
    ]),
  );
  const numbers = table(["selector", "questions", ...ns.map((n) => `N=${n}`)], body, {
    numeric: [false, false, ...ns.map(() => true)],
    className: "bon",
  });
  const base = policy.sets
    .map((set) => {
      const b = policy.base[set.name];
      return `${set.title}: ${fmt3(b.right)} right, ${fmt3(b.verbose)} verbose (${b.answers} answers)`;
    })
    .join("; ");
  const words = policyFindingSentences(policy)
    .map((s) => `<li>${esc(s)}</li>`)
    .join("");
  return (
    `${head}<p>The base model, as a policy, answered ${policy.sets.map((s) => `${s.questions} ${s.title}`).join(" and ")} ` +
    `${policy.settings.samples} times each (temperature ${policy.policy.sampling.temperature}); each selector picked one of the first N answers. ` +
    `Pairwise judges play one knockout over the answers in sampled order, every game in both orders ` +
    `(chain-of-thought judges: ${policy.settings.cotKPerOrder} rationale per order); its sub-brackets over the first 2, 4 and 8 answers give the smaller N. ` +
    `Bradley-Terry takes the argmax of its reward; the oracle picks an answer stating the true result, "random" a seeded coin, "longest" the most bytes. ` +
    `An answer is right when its last number is the true result, verbose when it is at least 40 bytes (the world's verbose style). ` +
    `The policy's own rates: ${esc(base)}.</p>` +
    `<ul>${words}</ul>${legend}${panels}` +
    `<p class="note">Each cell: share right, then share verbose, of the picks, with bootstrap 95% intervals over questions.</p>${numbers}` +
    trainingPart(policy, styles) +
    `</section>`
  );
}

/** Expert iteration: the policy's share right and verbose after each round, per training selector. */
function trainingPart(
  policy: DemoPolicyResults,
  styles: Map<string, { color: string; dash: string }>,
): string {
  const training = policy.training;
  if (!training || training.selectors.length === 0) return "";
  const rounds = Array.from({ length: training.settings.rounds + 1 }, (_, r) => r);
  const panel = (metric: "right" | "verbose", set: DemoPolicyResults["sets"][number], i: number) =>
    `<figure>${lineChart({
      id: `fig-policy-training-${metric}-${i}`,
      title: `${shortTitle(set.name)}: policy share ${metric}`,
      description: `Line chart: share of the policy's answers that are ${metric} after each round of expert iteration (round 0: the base model), on ${set.questions} ${set.title}, one line per selector whose picks trained it.`,
      xValues: rounds,
      yDomain: [0, 1],
      series: training.selectors.map((s) => ({
        label: s.name,
        color: styles.get(s.id)?.color ?? "#000000",
        dash: styles.get(s.id)?.dash ?? "",
        data: { selector: s.id, set: set.name, metric },
        points: s.rounds.map((r) => ({
          x: r.round,
          y: r.sets[set.name][metric].share,
          title: `${s.name}, round ${r.round}: ${fmt3(r.sets[set.name][metric].share)}`,
        })),
      })),
      xLabel: "round of expert iteration",
    })}</figure>`;
  // One row of panels per measure, so each row compares the question sets on one scale.
  const panels = (["right", "verbose"] as const)
    .map(
      (metric) =>
        `<div class="multiples">${policy.sets.map((set, i) => panel(metric, set, i)).join("")}</div>`,
    )
    .join("");
  const legend = htmlLegend(
    training.selectors.map((s) => ({
      label: s.name,
      ...(styles.get(s.id) ?? { color: "#000000", dash: "" }),
    })),
  );
  const body = training.selectors.flatMap((s) =>
    policy.sets.map((set, i) => [
      i === 0 ? esc(s.name) : "",
      esc(set.title),
      ...s.rounds.map(
        (r) => `${shareCell(r.sets[set.name].right)}<br>${shareCell(r.sets[set.name].verbose)}`,
      ),
    ]),
  );
  const t = training.settings;
  const words = trainingFindingSentences(policy)
    .map((x) => `<li>${esc(x)}</li>`)
    .join("");
  return (
    `<h3>Judge-guided policy training (expert iteration)</h3>` +
    `<p>Each round the policy answered ${t.questions} training questions ${t.samples} times each, the selector picked one answer per question ` +
    `(its Best-of-${t.samples} pick, as above), and the policy was fine-tuned on the picks (SFT, ${t.epochs} epochs, learning rate ${t.lr}); ` +
    `the new policy then answered every evaluation question ${t.evalSamples} times. Round 0 is the base model.</p>` +
    `<ul>${words}</ul>${legend}${panels}` +
    table(["selector", "questions", ...rounds.map((r) => `round ${r}`)], body, {
      numeric: [false, false, ...rounds.map(() => true)],
      className: "policy-training",
    }) +
    `<p class="note">Each cell: the policy's share of right answers, then of verbose answers (mean over questions of the per-question share), with bootstrap 95% intervals over questions.</p>`
  );
}

/** A share with its bootstrap interval, as both of the section's tables show it. */
function shareCell(p: { share: number; ci: [number, number] }): string {
  return `${esc(fmt3(p.share))} <span class="ci">[${esc(fmt3(p.ci[0]))}, ${esc(fmt3(p.ci[1]))}]</span>`;
}
