import { SampleStore } from "../../store/index.js";
import { defaultStorePath } from "../paths.js";

export async function runStoreStats(options: { store?: string; json?: boolean }): Promise<void> {
  const file = options.store ?? defaultStorePath();
  const store = SampleStore.open(file);
  try {
    const stats = store.stats();
    const runs = store.listRuns();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ path: file, ...stats, runs }, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      `store ${file}\n  samples        ${stats.samples}\n  probabilities  ${stats.probabilities}\n  runs           ${stats.runs}\n`,
    );
    for (const r of runs.slice(-10)) {
      process.stdout.write(`  ${r.startedAt}  ${r.command.padEnd(8)} ${r.status.padEnd(11)} ${r.runId}\n`);
    }
  } finally {
    store.close();
  }
}
