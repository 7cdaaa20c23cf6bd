import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadPairs } from "../../src/data/index.js";
import { runCli, sharedData } from "../helpers/cli.js";
import { describeShared } from "../helpers/sharedData.js";

const llmbar = path.join(sharedData, "llmbar/Dataset");

describeShared("genrm eval with a model-free baseline (CLI, real LLMBar data)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-e2e-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes judgments and a summary whose accuracy matches an independent count", async () => {
    const out = path.join(dir, "run-length");
    const res = await runCli(
      ["eval", "--data", llmbar, "--baseline", "length", "--out", out, "--json", "--skip-invalid"],
      {
        cwd: dir,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    const printed = JSON.parse(res.stdout);
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    expect(printed.accuracy).toEqual(summary.accuracy);

    // Independent computation: longer response wins, equal length is a tie scored 0.5.
    const { pairs } = await loadPairs(llmbar, { skipInvalid: true });
    let score = 0;
    let n = 0;
    for (const p of pairs) {
      if (p.label === "tie") continue;
      n++;
      const a = p.responseA.length;
      const b = p.responseB.length;
      const verdict = a === b ? "tie" : a > b ? "A" : "B";
      score += verdict === "tie" ? 0.5 : verdict === p.label ? 1 : 0;
    }
    expect(summary.accuracy.n).toBe(n);
    expect(summary.accuracy.accuracy).toBeCloseTo(score / n, 10);
    expect(summary.accuracy.ci.lower).toBeLessThan(summary.accuracy.accuracy);

    const lines = fs.readFileSync(path.join(out, "judgments.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(pairs.length);
    const first = JSON.parse(lines[0]);
    expect(first.provenance.modelName).toMatch(/length/);
    // Every LLMBar subset shows up in the per-subset table.
    expect(Object.keys(summary.subsets).sort()).toEqual([...new Set(pairs.map((p) => p.subset))].sort());
    const config = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8"));
    expect(config.configHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("a rerun into the same directory resumes everything from the judgment log", async () => {
    const out = path.join(dir, "run-length");
    const res = await runCli(
      ["eval", "--data", llmbar, "--baseline", "length", "--out", out, "--json", "--skip-invalid"],
      {
        cwd: dir,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    expect(summary.run.judged).toBe(0);
    expect(summary.run.resumed).toBe(summary.counts.pairs);
  });

  it("refuses to mix a different configuration into an existing run directory", async () => {
    const out = path.join(dir, "run-length");
    const res = await runCli(
      ["eval", "--data", llmbar, "--baseline", "random", "--out", out, "--skip-invalid"],
      { cwd: dir },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/another configuration/);
    expect(res.stderr).toMatch(/hint: .*--out/);
  });

  it("bad input names file, line and field; --skip-invalid counts instead", async () => {
    const file = path.join(dir, "bad.jsonl");
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ prompt: "Say hi", chosen: "Hi!", rejected: "No." }),
        JSON.stringify({ prompt: "Say bye", chosen: "Bye!" }),
        "{not json",
      ].join("\n"),
    );
    const res = await runCli(
      ["eval", "--data", file, "--baseline", "length", "--out", path.join(dir, "bad")],
      { cwd: dir },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("bad.jsonl");
    expect(res.stderr).toMatch(/line 2/);
    expect(res.stderr).toMatch(/rejected/);

    const skip = await runCli(
      [
        "eval",
        "--data",
        file,
        "--baseline",
        "length",
        "--out",
        path.join(dir, "bad2"),
        "--skip-invalid",
        "--json",
      ],
      { cwd: dir },
    );
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toMatch(/skipped 2 invalid records/);
    expect(JSON.parse(skip.stdout).counts.pairs).toBe(1);
  });
});
