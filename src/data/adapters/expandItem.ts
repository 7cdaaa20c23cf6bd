/**
 * Multi-response benchmark rows (RewardBench 2, RM-Bench) as the pairwise comparisons a pairwise
 * judge needs. A row's responses are numbered chosen first, then rejected; each comparison `[a, b]`
 * becomes a pair with response `a` in A and `b` in B, labelled by which of the two is correct
 * ("tie" when both or neither are: such pairs feed the row's score but not pairwise accuracy).
 * Every pair carries an `ItemLink`, from which `eval/benchmarkScores.ts` computes the row's
 * official score and `itemsFromPairs` rebuilds the row for judges that see all responses at once.
 */
import { createHash } from "node:crypto";
import type { ChatMessage } from "../../types.js";
import { buildPair } from "../buildPair.js";
import type { Label, MultiResponseBenchmark, PreferencePair } from "../types.js";

export interface MultiResponseRow {
  benchmark: MultiResponseBenchmark;
  /** The source's own id for the row; a content hash when absent. */
  sourceId?: string;
  subset?: string;
  prompt: ChatMessage[];
  chosen: string[];
  rejected: string[];
  group?: string;
  meta?: Record<string, unknown>;
  /** Response-index pairs to judge, `a` shown as A. */
  comparisons: readonly (readonly [number, number])[];
}

export function expandItem(row: MultiResponseRow): PreferencePair[] {
  const responses = [...row.chosen, ...row.rejected];
  const correct = row.chosen.length;
  const id = row.sourceId ?? rowHash(row);
  return row.comparisons.map(([a, b]) =>
    buildPair({
      source: row.benchmark,
      sourceId: `${id}:${a}-${b}`,
      subset: row.subset,
      prompt: row.prompt,
      responseA: responses[a]!,
      responseB: responses[b]!,
      label: labelFor(a < correct, b < correct),
      meta: row.meta,
      item: { benchmark: row.benchmark, id, a, b, correct, total: responses.length, group: row.group },
    }),
  );
}

function labelFor(aCorrect: boolean, bCorrect: boolean): Label {
  if (aCorrect === bCorrect) return "tie";
  return aCorrect ? "A" : "B";
}

function rowHash(row: MultiResponseRow): string {
  const canonical = JSON.stringify([
    row.subset ?? null,
    row.prompt.map((m) => [m.role, m.content]),
    row.chosen,
    row.rejected,
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** Response 0 (the first chosen) against every other response: best-of-n with N − 1 games. */
export function firstAgainstRest(total: number): [number, number][] {
  return Array.from({ length: total - 1 }, (_, j) => [0, j + 1] as [number, number]);
}

/** Every response against every other, i < j. */
export function allPairs(total: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < total; i++) for (let j = i + 1; j < total; j++) out.push([i, j]);
  return out;
}

/** Every chosen response against every rejected one (RM-Bench's style matrix). */
export function chosenByRejected(chosen: number, rejected: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < chosen; i++) for (let j = 0; j < rejected; j++) out.push([i, chosen + j]);
  return out;
}

/** A multi-response row rebuilt from its pairs. */
export interface BenchmarkItem {
  benchmark: MultiResponseBenchmark;
  id: string;
  subset?: string;
  group?: string;
  prompt: ChatMessage[];
  /** Chosen first, then rejected; a response no pair carried is undefined. */
  responses: (string | undefined)[];
  correct: number;
  /** The row's pairs, in reading order. */
  pairs: PreferencePair[];
}

/** Groups expanded pairs back into their rows, in the order rows first appear. */
export function itemsFromPairs(pairs: readonly PreferencePair[]): BenchmarkItem[] {
  const items = new Map<string, BenchmarkItem>();
  for (const pair of pairs) {
    const link = pair.item;
    if (!link) continue;
    const key = `${link.benchmark}\u0000${link.id}`;
    let item = items.get(key);
    if (!item) {
      item = {
        benchmark: link.benchmark,
        id: link.id,
        ...(pair.subset !== undefined ? { subset: pair.subset } : {}),
        ...(link.group !== undefined ? { group: link.group } : {}),
        prompt: pair.prompt,
        responses: new Array<string | undefined>(link.total).fill(undefined),
        correct: link.correct,
        pairs: [],
      };
      items.set(key, item);
    }
    item.responses[link.a] = pair.responseA;
    item.responses[link.b] = pair.responseB;
    item.pairs.push(pair);
  }
  return [...items.values()];
}

/** RewardBench 2's Ties subset (the reference compares `subset.lower() == "ties"`). */
export function isTiesSubset(subset: string | undefined): boolean {
  return subset?.toLowerCase() === "ties";
}

/** A RewardBench 2 Ties row, scored on every answer's own score. */
export function isTiesRow(item: Pick<BenchmarkItem, "benchmark" | "subset">): boolean {
  return item.benchmark === "rewardbench2" && isTiesSubset(item.subset);
}
