/**
 * The real preference data in ../shared/data (never copied into the repo). A clone without it runs
 * every other test; the tests that read it are skipped with the reason printed once.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, it } from "vitest";

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const sharedData = path.resolve(repoRoot, "../shared/data");

/** Why the shared data tests cannot run here, or null when they can. */
export const sharedDataMissing = existsSync(sharedData)
  ? null
  : `${sharedData} does not exist (the real data sets live beside the repo, in ../shared/data)`;

let warned = false;

/** `describe` for tests that read ../shared/data: skipped, with the reason printed, where it is absent. */
export function describeShared(name: string, fn: () => void): void {
  if (sharedDataMissing !== null && !warned) {
    warned = true;
    process.stderr.write(`skipping the tests on real data: ${sharedDataMissing}\n`);
  }
  // The body is not run at all: data-reading code in it would fail while the suite is collected.
  if (sharedDataMissing === null) describe(name, fn);
  else describe.skip(name, () => it.skip(`needs ${sharedData}`, () => {}));
}
