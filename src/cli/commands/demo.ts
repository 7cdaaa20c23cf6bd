/**
 * `genrm demo`: the paper's comparison on the mini world (src/demo/runDemo.ts). SIGINT / SIGTERM
 * stop at the next step or sample batch; rerunning the same command resumes.
 */

import { type DemoRun, runDemo } from "../../demo/runDemo.js";
import type { DemoMethodId } from "../../demo/types.js";
import { gracefulStop } from "../gracefulStop.js";

export interface DemoCommandOptions {
  out?: string;
  quick?: boolean;
  seed?: number;
  baseModel?: string;
  threads?: number;
  jobs?: number;
  methods?: string;
  policy?: boolean;
  fresh?: boolean;
  json?: boolean;
  progress?: "bar" | "plain" | "silent";
}

export async function runDemoCommand(options: DemoCommandOptions): Promise<DemoRun | null> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stop = gracefulStop("stopping; rerun the same command to resume");
  try {
    const run = await runDemo({
      ...(options.out !== undefined ? { outDir: options.out } : {}),
      preset: options.quick ? "quick" : "full",
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.baseModel !== undefined ? { baseModel: options.baseModel } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(options.methods !== undefined
        ? { methods: options.methods.split(",").map((m) => m.trim()) as DemoMethodId[] }
        : {}),
      policy: Boolean(options.policy),
      fresh: Boolean(options.fresh),
      signal: stop.signal,
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
      log,
    });
    if (options.json) process.stdout.write(`${JSON.stringify(run.results, null, 2)}\n`);
    else {
      process.stdout.write(`${run.table}\n`);
      process.stdout.write(`\nreport: ${run.reportFile}\nresults: ${run.resultsFile}\n`);
    }
    return run;
  } catch (error) {
    if (stop.signal.aborted) {
      log("stopped; rerun the same command to resume");
      process.exitCode = 130;
      return null;
    }
    throw error;
  } finally {
    stop.dispose();
  }
}
