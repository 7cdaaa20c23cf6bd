/**
 * `genrm report <run dir>...`: one self-contained HTML page comparing eval, train and STaR runs
 * (src/report/runReport/, docs/report.md). Reads the run directories and writes nothing but the page.
 */
import fs from "node:fs";
import path from "node:path";
import { collectRuns } from "../../report/runReport/collectRuns.js";
import { renderRunsReport } from "../../report/runReport/renderRunsReport.js";
import { defaultReportOptions } from "../../report/runReport/reportDefaults.js";
import { writeTextFile } from "../../run/jsonFile.js";
import { asStorageError } from "../../run/storageErrors.js";
import { genrmVersion } from "../../version.js";

export interface ReportCommandOptions {
  out?: string;
  examples?: number;
}

export async function runReportCommand(dirs: string[], options: ReportCommandOptions): Promise<string> {
  const runs = await collectRuns(dirs);
  const html = renderRunsReport({
    genrm: genrmVersion(),
    runs,
    examples: options.examples ?? defaultReportOptions.examples,
  });
  const out = options.out ?? defaultReportOptions.out;
  try {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  } catch (err) {
    throw asStorageError(err, { file: out });
  }
  writeTextFile(out, html);
  const kinds = (["eval", "train", "star"] as const)
    .map((k) => [k, runs.filter((r) => r.run.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  process.stdout.write(
    `wrote ${out} (${runs.length} runs: ${kinds}; ${(html.length / 1024).toFixed(0)} KB)\n`,
  );
  return out;
}
