/** The run ledger's glue shared by the commands that record their runs (eval, pairwise and listwise). */
import path from "node:path";
import { configHash, prepareRunDir, slug } from "../run/runDir.js";
import { lockRunDir, type RunDirLock } from "../run/runDirLock.js";
import type { SampleStore } from "../store/index.js";
import { genrmVersion } from "../version.js";

export interface OpenedEvalRun {
  runDir: string;
  /** The ledger id (the absolute run directory). */
  runId: string;
  configHash: string;
  lock: RunDirLock;
}

/**
 * An eval run directory, ready to write: `--out` or `runs/eval-<data>-<judge>-<config hash>`,
 * locked before anything is written (a second process stops here), its config guarded, and the run
 * recorded as started in the store's ledger.
 */
export function openEvalRun(options: {
  out: string | undefined;
  data: string;
  judgeName: string;
  runConfig: object;
  store: SampleStore | undefined;
  fresh: boolean;
}): OpenedEvalRun {
  const { runConfig, store } = options;
  const runDir =
    options.out ??
    path.join(
      "runs",
      `eval-${slug(path.basename(options.data).replace(/\.[^.]+$/, ""))}-${slug(options.judgeName)}-${configHash(runConfig).slice(0, 8)}`,
    );
  const lock = lockRunDir(runDir, "eval");
  try {
    const dirConfig = prepareRunDir(runDir, "eval", runConfig, genrmVersion(), { fresh: options.fresh });
    const runId = path.resolve(runDir);
    store?.recordRunStart({
      runId,
      command: "eval",
      startedAt: new Date().toISOString(),
      config: { configHash: dirConfig.configHash, ...runConfig },
    });
    return { runDir, runId, configHash: dirConfig.configHash, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** A failed run's ledger row says so; a store that cannot take the write must not hide the failure. */
export function recordFailure(store: SampleStore | undefined, runId: string): void {
  try {
    store?.recordRunEnd(runId, "failed");
  } catch {
    // The run's own error is the one to report.
  }
}
