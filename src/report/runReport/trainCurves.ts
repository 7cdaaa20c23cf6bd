/**
 * Which training curves to draw from metrics.jsonl lines (TRL's names: `loss`, `rewards/margins`,
 * `learning_rate`, …; evaluations under `eval/<name>`). Each chart draws one family: a metric and its
 * held-out twin, or DPO's chosen and rejected rewards together; every other logged metric gets a
 * chart of its own after these, so nothing a trainer logs is hidden.
 */
import type { MetricsEntry } from "../../run/metricsLog.js";

export interface CurveFamily {
  id: string;
  title: string;
  /** Metric names (train side); each may also appear as `eval/<name>`. */
  keys: string[];
}

/** The curves people look at first, in the order they look. */
const knownFamilies: CurveFamily[] = [
  { id: "loss", title: "loss", keys: ["loss"] },
  { id: "rewards", title: "DPO rewards (chosen / rejected)", keys: ["rewards/chosen", "rewards/rejected"] },
  { id: "margins", title: "reward margin", keys: ["rewards/margins", "margin"] },
  { id: "accuracies", title: "preference accuracy", keys: ["rewards/accuracies", "accuracy"] },
  { id: "token-accuracy", title: "token accuracy", keys: ["mean_token_accuracy"] },
  { id: "lr", title: "learning rate", keys: ["learning_rate"] },
  { id: "grad-norm", title: "gradient norm", keys: ["grad_norm"] },
];

/** Bookkeeping, not curves: the x axis, the epoch counter, the token counter, throughput. */
const notCurves = new Set(["step", "epoch", "num_tokens", "tokens_per_second"]);

/** The families present in some run's metrics, known ones first, then every other metric alone. */
export function curveFamilies(runs: readonly (readonly MetricsEntry[])[]): CurveFamily[] {
  const names = new Set<string>();
  for (const entries of runs)
    for (const e of entries)
      for (const [k, v] of Object.entries(e))
        if (typeof v === "number" && !notCurves.has(k)) names.add(k.startsWith("eval/") ? k.slice(5) : k);
  const families: CurveFamily[] = [];
  const used = new Set<string>();
  for (const f of knownFamilies) {
    const keys = f.keys.filter((k) => names.has(k));
    if (keys.length === 0) continue;
    families.push({ ...f, keys });
    for (const k of keys) used.add(k);
  }
  for (const name of [...names].sort()) {
    if (!used.has(name))
      families.push({ id: name.replace(/[^a-zA-Z0-9]+/g, "-"), title: name, keys: [name] });
  }
  return families;
}

export interface CurveSeries {
  key: string;
  split: "train" | "eval";
  points: { step: number; value: number }[];
}

/** The series of one family in one run's metrics: each key's train and eval points that exist. */
export function familySeries(entries: readonly MetricsEntry[], family: CurveFamily): CurveSeries[] {
  const out: CurveSeries[] = [];
  for (const key of family.keys) {
    for (const split of ["train", "eval"] as const) {
      const name = split === "eval" ? `eval/${key}` : key;
      const points = entries
        .filter((e) => typeof e[name] === "number" && Number.isFinite(e[name]))
        .map((e) => ({ step: e.step, value: e[name]! }));
      if (points.length > 0) out.push({ key, split, points });
    }
  }
  return out;
}
