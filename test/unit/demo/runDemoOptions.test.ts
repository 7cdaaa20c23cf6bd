/** `runDemo` refuses bad options before it does any work, naming the field. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDemo } from "../../../src/demo/runDemo.js";
import { ConfigError } from "../../../src/errors.js";

const root = mkdtempSync(path.join(tmpdir(), "genrm-demo-options-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("runDemo options", () => {
  it.each([0, -1, 1.5])("refuses jobs %s and leaves no run directory behind", async (jobs) => {
    const outDir = path.join(root, `jobs-${jobs}`);
    await expect(runDemo({ outDir, jobs, progress: "silent" })).rejects.toThrow(ConfigError);
    await expect(runDemo({ outDir, jobs, progress: "silent" })).rejects.toThrow(
      `jobs: must be a positive integer, got ${jobs}`,
    );
    expect(existsSync(outDir)).toBe(false);
  });

  it("refuses an unknown method, naming the ones it knows", async () => {
    const outDir = path.join(root, "methods");
    await expect(
      runDemo({ outDir, methods: ["star-ppo" as "star-dpo"], progress: "silent" }),
    ).rejects.toThrow(/methods: unknown star-ppo; expected any of zero-shot-direct, .*star-rationalizer/);
  });
});
