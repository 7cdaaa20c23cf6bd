/**
 * `genrm bon`: Best-of-N selection with a pairwise judge (or a scalar scorer: the length baseline, or
 * with `--listwise rating` the model rating each candidate 1–10, ties at the top split as RewardBench
 * 2 splits them), scored against human
 * rankings where the data has them (XSTest, LLMFAO, a BoN JSONL with scores), next to a random pick
 * and the longest response. Candidates come from the data, or from a policy model through any
 * engine (`--policy-model`, N samples per prompt; MT-Bench is a prompt pool for this).
 *
 * The report (stdout with --json, or --out) carries its provenance inline: data, scheme, seed,
 * budget, judge and policy identity, genrm version.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { defaultGenerateCandidatesOptions, generateCandidates } from "../../bon/generateCandidates.js";
import { loadBonItems } from "../../bon/loadBonItems.js";
import { defaultRunBonOptions, runBon } from "../../bon/runBon.js";
import type { BonFormat, BonItemResult, BonMethodSummary, BonSummary } from "../../bon/types.js";
import { openEngine } from "../../engine/openEngine.js";
import type { Engine } from "../../engine/types.js";
import { ConfigError } from "../../errors.js";
import {
  createRatingJudge,
  defaultRatingJudgeOptions,
  type RatingJudge,
} from "../../judge/createRatingJudge.js";
import { createLengthJudge, createLlmJudge, createRandomJudge } from "../../judge/index.js";
import type { Judge } from "../../judge/types.js";
import { createProgressReporter } from "../../progress/index.js";
import { createLengthScorer } from "../../rank/createLengthScorer.js";
import type { ScalarScorer, SelectionScheme } from "../../rank/types.js";
import { SampleStore } from "../../store/index.js";
import { genrmVersion } from "../../version.js";
import {
  embeddedEngineFromFlags,
  type JudgeFlags,
  judgeOptionsFromFlags,
  judgeSettings,
  openJudgeEngine,
  type ResolvedJudgeOptions,
  samplingFromFlags,
} from "../judgeFlags.js";

export interface BonCommandOptions extends JudgeFlags {
  data: string;
  format?: BonFormat;
  limit?: number;
  candidatesPerPrompt?: number;
  scheme?: SelectionScheme;
  /** A model-free pairwise judge instead of a model. */
  baseline?: "length" | "random";
  /** "rating": the model rates each candidate 1–10 and the best rated is selected (scheme "scalar"). */
  listwise?: "rating";
  policyModel?: string;
  policyBaseUrl?: string[];
  n?: number;
  policyTemperature?: number;
  policyMaxTokens?: number;
  maxComparisons?: number;
  tokenBudget?: number;
  concurrency?: number;
  judgeConcurrency?: number;
  store?: string;
  out?: string;
  json?: boolean;
  progress?: "bar" | "plain" | "silent";
}

export interface BonReport {
  provenance: Record<string, unknown>;
  summary: BonSummary;
  items: BonItemResult[];
}

export async function runBonCommand(options: BonCommandOptions): Promise<BonReport> {
  const { seed = defaultRunBonOptions.seed } = options;
  const rating = options.listwise === "rating";
  if (rating) checkRatingFlags(options);
  // A rating judge scores each candidate on its own: the scalar scheme, with the judge as its scorer.
  const scheme = rating ? "scalar" : (options.scheme ?? defaultRunBonOptions.scheme);
  const pairwise = scheme !== "scalar";
  if (pairwise && !options.baseline && !options.model && !options.baseUrl) {
    throw new ConfigError([`judge: scheme "${scheme}" needs a judge model`], {
      hint: "pass --model judge.gguf (or --base-url), --baseline length|random, or --scheme scalar",
    });
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("SIGINT"));
  process.once("SIGINT", onSigint);
  const engines: Engine[] = [];
  const store = options.store ? SampleStore.open(options.store) : undefined;
  try {
    let items = await loadBonItems(options.data, {
      ...(options.format ? { format: options.format } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.candidatesPerPrompt !== undefined
        ? { candidatesPerPrompt: options.candidatesPerPrompt }
        : {}),
      seed,
      signal: controller.signal,
    });

    let policy: Record<string, unknown> | null = null;
    if (options.policyModel || options.policyBaseUrl) {
      const policyEngine = await openEngine({
        ...(options.policyModel ? { model: options.policyModel } : {}),
        ...(options.policyBaseUrl ? { baseUrls: options.policyBaseUrl } : {}),
        ...embeddedEngineFromFlags({ threads: options.threads, parallel: options.parallel }),
      });
      engines.push(policyEngine);
      const sampling = samplingFromFlags(
        { temperature: options.policyTemperature, maxTokens: options.policyMaxTokens },
        defaultGenerateCandidatesOptions.sampling,
      );
      const n = options.n ?? defaultGenerateCandidatesOptions.n;
      const progress = createProgressReporter("bon generate", {
        unit: "prompts",
        ...(options.progress ? { mode: options.progress } : {}),
      });
      const generated = await generateCandidates(policyEngine, items, {
        n,
        sampling,
        seed,
        signal: controller.signal,
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      items = generated.items;
      policy = {
        model_id: policyEngine.info.modelId,
        model_name: policyEngine.info.modelName,
        n,
        sampling,
        prompt_tokens: generated.promptTokens,
        completion_tokens: generated.completionTokens,
      };
    }

    let judge: Judge | undefined;
    let judgeOptions: ResolvedJudgeOptions | undefined;
    if (pairwise) {
      if (options.baseline === "length") judge = createLengthJudge();
      else if (options.baseline === "random") judge = createRandomJudge({ seed });
      else {
        judgeOptions = await judgeOptionsFromFlags(options);
        const engine = await openJudgeEngine(options);
        engines.push(engine);
        judge = createLlmJudge(engine, {
          ...judgeOptions,
          ...(store
            ? {
                cache: store.sampleCache(),
                probabilityCache: store.probabilityCache(),
              }
            : {}),
        });
      }
    }
    let scorer: ScalarScorer = createLengthScorer();
    let ratingJudge: RatingJudge | undefined;
    if (rating) {
      const engine = await openJudgeEngine(options);
      engines.push(engine);
      ratingJudge = createRatingJudge(engine, {
        k: options.k ?? defaultRatingJudgeOptions.k,
        seed,
        sampling: samplingFromFlags(options),
        ...(store ? { cache: store.sampleCache() } : {}),
      });
      scorer = ratingJudge;
    }
    const budget = {
      ...(options.maxComparisons !== undefined ? { maxComparisons: options.maxComparisons } : {}),
      ...(options.tokenBudget !== undefined ? { maxTokens: options.tokenBudget } : {}),
    };
    const progress = createProgressReporter(`bon ${scheme}`, {
      unit: "prompts",
      ...(options.progress ? { mode: options.progress } : {}),
    });
    const { results, summary } = await runBon(items, {
      scheme,
      judge,
      scorer,
      budget,
      seed,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.judgeConcurrency !== undefined ? { judgeConcurrency: options.judgeConcurrency } : {}),
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();

    const judgeRecord = judge
      ? { ...judge.info, ...(judgeOptions ? { options: judgeSettings(judgeOptions) } : {}) }
      : ratingJudge
        ? { name: ratingJudge.name, scalar: true, ...ratingJudge.info }
        : { name: scorer.name, scalar: true };
    const report: BonReport = {
      provenance: {
        genrm_version: genrmVersion(),
        created_at: new Date().toISOString(),
        data: {
          path: path.resolve(options.data),
          format: items[0]?.source ?? options.format ?? null,
          items: items.length,
          limit: options.limit ?? null,
          candidates_per_prompt: options.candidatesPerPrompt ?? null,
        },
        scheme,
        seed,
        budget: { max_comparisons: options.maxComparisons ?? null, max_tokens: options.tokenBudget ?? null },
        judge: judgeRecord,
        policy,
      },
      summary,
      items: results,
    };
    if (options.out) await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    process.off("SIGINT", onSigint);
    store?.close();
    for (const engine of engines) await engine.dispose();
  }
}

/** What a rating judge cannot be combined with. */
function checkRatingFlags(options: BonCommandOptions): void {
  const issues: string[] = [];
  if (options.baseline !== undefined)
    issues.push("listwise: --listwise rating judges with a model; --baseline does not apply");
  if (
    options.scheme !== undefined &&
    options.scheme !== "scalar" &&
    options.scheme !== defaultRunBonOptions.scheme
  )
    issues.push(
      `listwise: a rating judge selects the best-rated candidate (scheme scalar); --scheme ${options.scheme} needs a pairwise judge`,
    );
  if (!options.model && !options.baseUrl) issues.push("listwise: --listwise rating needs a judge model");
  if (options.maxComparisons !== undefined || options.tokenBudget !== undefined)
    issues.push("listwise: a rating judge plays no games; --max-comparisons and --token-budget do not apply");
  if (issues.length > 0) {
    throw new ConfigError(issues, { hint: "pass --model judge.gguf (or --base-url) with --listwise rating" });
  }
}

export function printBonReport(report: BonReport, options: { json?: boolean; out?: string } = {}): void {
  if (options.json) {
    const { items, ...rest } = report;
    // With --out the items are in the file; stdout gets the summary only.
    process.stdout.write(`${JSON.stringify(options.out ? rest : report, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatBonTable(report)}\n`);
  if (options.out) process.stdout.write(`\nreport: ${options.out}\n`);
}

export function formatBonTable(report: BonReport): string {
  const s = report.summary;
  const judge = report.provenance.judge as { name?: string };
  const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? "—" : x.toFixed(d));
  const row = (name: string, m: BonMethodSummary, ci: boolean) =>
    `${name.padEnd(12)}${(m.hitRate ? `${f(m.hitRate.estimate)}${ci ? ` [${f(m.hitRate.lower)}, ${f(m.hitRate.upper)}]` : ""}` : "—").padEnd(26)}${f(m.meanHumanRank, 2).padEnd(18)}${f(m.meanNormalizedRank)}`;
  const lines = [
    `Best-of-N: ${s.items} prompts (${s.evaluable} with a human ranking), ${f(s.meanCandidates, 1)} candidates each`,
    `scheme ${s.scheme}, judge ${judge.name ?? "?"}`,
    "",
    `${"".padEnd(12)}${"human-best rate (95% CI)".padEnd(26)}${"mean human rank".padEnd(18)}normalised rank`,
    row("selection", s.selection, true),
    row("random", s.random, false),
    row("longest", s.longest, true),
    "",
    `comparisons ${s.comparisons.total} (${f(s.comparisons.perItem, 1)} per prompt), tokens ${s.tokens.prompt + s.tokens.completion} (${f(s.tokens.perItem, 0)} per prompt)${s.budgetExhaustedItems > 0 ? `, budget spent on ${s.budgetExhaustedItems} prompts` : ""}`,
  ];
  if (s.evaluable === 0) lines.push("no human rankings in this data: selections are reported, not scored");
  return lines.join("\n");
}
