/**
 * The pairs an eval run judged, read again from the data source its config.json records, for what
 * judgments.jsonl alone cannot show: answer lengths and the texts of failure examples.
 */
import { loadPairs } from "../../data/readPairs.js";
import type { PreferencePair } from "../../data/types.js";
import type { EvalRun } from "./readRunDir.js";

export interface RunPairs {
  /** By pair id; null when the pairs could not be read. */
  pairs: Map<string, PreferencePair> | null;
  /** Why some or all pairs are missing, for the page. */
  note: string | null;
}

export async function loadRunPairs(run: EvalRun): Promise<RunPairs> {
  const data = run.config?.data;
  if (!data || typeof data.path !== "string") {
    return { pairs: null, note: "the run records no data source (genrm eval's config.json does)" };
  }
  if (data.format === "map") {
    return {
      pairs: null,
      note: "the run mapped its data's fields with --map, which config.json does not record",
    };
  }
  try {
    // The records eval skipped as invalid are skipped here too; ids are content hashes, so the
    // judgments find their pairs whatever else the file holds.
    const loaded = await loadPairs(data.path, {
      ...(data.format ? { format: data.format } : {}),
      ...(data.limit !== null && data.limit !== undefined ? { limit: data.limit } : {}),
      skipInvalid: true,
    });
    const pairs = new Map(loaded.pairs.map((p) => [p.id as string, p]));
    const missing = run.judgments.filter((j) => !pairs.has(j.pairId)).length;
    return {
      pairs,
      note:
        missing === 0
          ? null
          : `${missing} of ${run.judgments.length} judged pairs are no longer in ${data.path} (the data changed since the run)`,
    };
  } catch (err) {
    return {
      pairs: null,
      note: `could not read the run's data again (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}
