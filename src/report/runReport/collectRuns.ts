/**
 * Reads the run directories given to `genrm report`, in the order given, and names each run on the
 * page: its directory's name, or as much of its path as tells two apart.
 */
import path from "node:path";
import { loadRunPairs } from "./loadRunPairs.js";
import { readRunDir } from "./readRunDir.js";
import type { ReportedRun } from "./renderRunsReport.js";

export async function collectRuns(dirs: readonly string[]): Promise<ReportedRun[]> {
  const runs = dirs.map((d) => readRunDir(d));
  const names = runNames(dirs);
  const out: ReportedRun[] = [];
  for (const [i, run] of runs.entries()) {
    out.push({ run, name: names[i]!, ...(run.kind === "eval" ? { pairs: await loadRunPairs(run) } : {}) });
  }
  return out;
}

/** The shortest trailing parts of each path that are unique among them (the whole path if need be). */
export function runNames(dirs: readonly string[]): string[] {
  const parts = dirs.map((d) => path.resolve(d).split(path.sep).filter(Boolean));
  return parts.map((p, i) => {
    for (let n = 1; n <= p.length; n++) {
      const name = p.slice(-n).join("/");
      if (parts.every((q, j) => j === i || q.slice(-n).join("/") !== name)) return name;
    }
    return `${p.join("/")} (${i + 1})`;
  });
}
