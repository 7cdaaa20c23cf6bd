/** The run ledger's glue shared by the commands that record their runs (eval, pairwise and listwise). */
import type { SampleStore } from "../store/index.js";

/** A failed run's ledger row says so; a store that cannot take the write must not hide the failure. */
export function recordFailure(store: SampleStore | undefined, runId: string): void {
  try {
    store?.recordRunEnd(runId, "failed");
  } catch {
    // The run's own error is the one to report.
  }
}
