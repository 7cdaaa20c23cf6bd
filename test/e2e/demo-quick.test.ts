/**
 * `genrm demo --quick` end to end through the CLI, with the committed base model: every method is
 * trained and evaluated, results.json and report.html are written and agree, every number is
 * consistent with the judgments on disk, and a rerun resumes from the stage records without
 * recomputing anything.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPresets } from "../../src/demo/demoPresets.js";
import { policyPresets, policyTrainingPresets } from "../../src/demo/policy/policyPresets.js";
import { type DemoResults, demoEvalSplits, demoMethodIds } from "../../src/demo/types.js";
import { type CliResult, repoRoot, runCli, spawnCli } from "../helpers/cli.js";
import { withoutKeys } from "../helpers/withoutKeys.js";

let dir: string;
let out: string;
let first: CliResult;
let firstSeconds: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "genrm-demo-"));
  out = path.join(dir, "demo");
  const t0 = performance.now();
  // Two lanes whatever the machine (the default on 2 or more cores), so the comparison with
  // `--jobs 1` below always compares lanes with stages run one after another.
  first = await runCli(["demo", "--quick", "--out", out, "--progress", "plain", "--jobs", "2"]);
  firstSeconds = (performance.now() - t0) / 1000;
}, 600_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readResults = () => JSON.parse(readFileSync(path.join(out, "results.json"), "utf8")) as DemoResults;

describe("genrm demo --quick", () => {
  it("runs every method and prints the table", () => {
    expect(first.stderr).not.toMatch(/^genrm: /m);
    expect(first.code).toBe(0);
    for (const name of ["GenRM", "PairRM", "STaR-SFT", "STaR-DPO", "STaR-Rationalizer", "maj@"]) {
      expect(first.stdout).toContain(name);
    }
    expect(first.stdout).toContain(path.join(out, "report.html"));
    // Reported for the issue note; the 3-minute budget is a benchmark matter, not an assertion.
    process.stderr.write(`demo --quick took ${firstSeconds.toFixed(0)} s\n`);
  });

  it("writes results.json with every method on every split, traceable to its inputs", () => {
    const r = readResults();
    const preset = demoPresets.quick;
    expect(r.format).toBe("genrm-demo@1");
    expect(r.preset).toBe("quick");
    expect(r.methods.map((m) => m.id)).toEqual([...demoMethodIds]);
    const sidecar = JSON.parse(readFileSync(path.join(repoRoot, "assets/world/base.gguf.json"), "utf8")) as {
      sha256: string;
    };
    expect(r.baseModel.sha256).toBe(sidecar.sha256);
    expect(r.world.trainPairs).toBe(preset.trainPairs);
    expect(r.splits.map((s) => [s.name, s.pairs])).toEqual(demoEvalSplits.map((s) => [s, preset.evalPairs]));
    // The length cue goes with the label in distribution and against it on ood-length.
    const cue = Object.fromEntries(r.splits.map((s) => [s.name, s.lengthJudgeAccuracy]));
    expect(cue.test).toBeGreaterThan(0.6);
    expect(cue["ood-length"]).toBeLessThan(0.4);
    for (const m of r.methods) {
      expect(m.model?.id, m.id).toMatch(/\S/);
      for (const split of demoEvalSplits) {
        const s = m.results[split];
        expect(s.n, `${m.id} ${split}`).toBe(preset.evalPairs);
        expect(s.accuracy).toBeGreaterThanOrEqual(0);
        expect(s.accuracy).toBeLessThanOrEqual(1);
        expect(s.ci[0]).toBeLessThanOrEqual(s.accuracy);
        expect(s.ci[1]).toBeGreaterThanOrEqual(s.accuracy);
        if (m.reasoning) {
          expect(s.majK).toHaveLength(preset.k);
          expect(s.majK!.at(-1)).toBeCloseTo(s.accuracy, 10);
        } else {
          expect(s.majK).toBeNull();
        }
      }
    }
    const star = r.methods.find((m) => m.id === "star-dpo")!;
    expect(star.training?.iterations?.filter((it) => it.iteration > 0)).toHaveLength(preset.star.iterations);
    expect(star.training?.rows).toBeGreaterThan(0);
    // Trained models differ from the base model.
    const ids = new Set(r.methods.filter((m) => m.training !== null).map((m) => m.model?.id));
    expect(ids.has(r.baseModel.id)).toBe(false);
  });

  it("computes each accuracy from the judgments on disk", () => {
    const r = readResults();
    const labels = new Map<string, string>();
    for (const split of demoEvalSplits) {
      for (const line of readFileSync(path.join(out, "data", `${split}.jsonl`), "utf8")
        .trim()
        .split("\n")) {
        const pair = JSON.parse(line) as { id: string; label: string };
        labels.set(pair.id, pair.label);
      }
    }
    for (const m of r.methods) {
      for (const split of demoEvalSplits) {
        const lines = readFileSync(path.join(out, m.id, "eval", split, "judgments.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { pairId: string; verdict: string });
        const score = lines.reduce((s, j) => {
          const label = labels.get(j.pairId);
          return s + (j.verdict === label ? 1 : j.verdict === "A" || j.verdict === "B" ? 0 : 0.5);
        }, 0);
        expect(score / lines.length, `${m.id} ${split}`).toBeCloseTo(m.results[split].accuracy, 10);
      }
    }
  });

  it("writes a self-contained report that embeds the same results", () => {
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    const embedded = /<script type="application\/json" id="genrm-results">([\s\S]*?)<\/script>/.exec(html);
    expect(embedded).not.toBeNull();
    expect(JSON.parse(embedded![1]!)).toEqual(readResults());
    expect(html).toContain("<svg");
  });

  it("resumes from its stage records: a rerun recomputes nothing and reports the same numbers", async () => {
    const before = readResults();
    const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
    const judgments = path.join(out, "star-dpo", "eval", "test", "judgments.jsonl");
    const judgmentsDigest = digest(judgments);
    const again = await runCli(["demo", "--quick", "--out", out, "--progress", "plain", "--json"]);
    expect(again.code).toBe(0);
    expect(again.stderr.match(/done in an earlier run/g)).toHaveLength(demoMethodIds.length);
    const after = JSON.parse(again.stdout) as DemoResults;
    expect(after.methods).toEqual(before.methods);
    expect(digest(judgments)).toBe(judgmentsDigest);
    expect(existsSync(path.join(out, "stages", "star-dpo.json"))).toBe(true);
  }, 120_000);

  it("gives the same results and judgments with --jobs 1 (one process, one stage after another) as with two lanes", async () => {
    expect(first.stderr).toMatch(/2 lanes side by side \(--jobs\): lane 1: .*star-sft, star-dpo; lane 2: /);
    expect(first.stderr).toMatch(/^\[lane 1\] STaR-DPO: test /m);
    const single = path.join(dir, "single");
    const methods = ["zero-shot-cot", "star-sft"];
    const run = await runCli([
      "demo",
      "--quick",
      "--out",
      single,
      "--jobs",
      "1",
      "--methods",
      methods.join(","),
      "--progress",
      "plain",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/lanes side by side|\[lane /);
    const results = JSON.parse(run.stdout) as DemoResults;
    const lanes = readResults();
    for (const id of methods) {
      const a = lanes.methods.find((m) => m.id === id)!;
      const b = results.methods.find((m) => m.id === id)!;
      expect(withoutRunVariance(b), id).toEqual(withoutRunVariance(a));
      for (const split of demoEvalSplits) {
        expect(judgmentsByPair(single, id, split), `${id} ${split}`).toEqual(judgmentsByPair(out, id, split));
      }
    }
  }, 600_000);

  it("refuses to mix two configurations in one run directory", async () => {
    const other = await runCli([
      "demo",
      "--quick",
      "--out",
      out,
      "--seed",
      "3",
      "--methods",
      "zero-shot-direct",
    ]);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/another configuration/);
    expect(other.stderr).toMatch(/--fresh/);
  }, 60_000);
});

describe("genrm demo --quick --policy", () => {
  // The policy stage on the judges the run above trained: every judge stage is read back, only
  // the policy stage runs.
  let policyRun: CliResult;
  let policySeconds: number;
  beforeAll(async () => {
    const t0 = performance.now();
    policyRun = await runCli(["demo", "--quick", "--policy", "--out", out, "--progress", "plain"]);
    policySeconds = (performance.now() - t0) / 1000;
  }, 600_000);

  const policyOf = () => readResults().policy!;

  it("adds Best-of-N for every judge and reference to results.json, the table, the claims and the report", () => {
    expect(policyRun.stderr).not.toMatch(/^genrm: /m);
    expect(policyRun.code).toBe(0);
    expect(policyRun.stderr.match(/done in an earlier run/g)).toHaveLength(demoMethodIds.length);
    process.stderr.write(`demo --quick --policy (judges cached) took ${policySeconds.toFixed(0)} s\n`);
    const policy = policyOf();
    const preset = policyPresets.quick;
    expect(policy.selectors.map((s) => s.id)).toEqual(["oracle", "random", "longest", ...demoMethodIds]);
    expect(policy.sets.map((s) => [s.name, s.questions])).toEqual([
      ["in-distribution", preset.questions],
      ["ood", preset.questions],
    ]);
    for (const s of policy.selectors) {
      for (const set of policy.sets) {
        const curve = s.curves[set.name];
        expect(
          curve.map((p) => p.n),
          `${s.id} ${set.name}`,
        ).toEqual(preset.ns);
        // N = 1 is the policy's first answer whoever selects.
        expect(curve[0]!.rightBits).toBe(policy.selectors[0]!.curves[set.name][0]!.rightBits);
      }
    }
    expect(policyRun.stdout).toContain("best-of-N: share of picks that are right / verbose");
    expect(readResults().claims.map((c) => c.id)).toContain("better-judge-better-policy");
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    expect(html).toContain('<section id="policy">');
    for (const metric of ["right", "verbose"]) {
      for (const i of [0, 1]) expect(html).toContain(`id="fig-bon-${metric}-${i}-desc"`);
    }
    expect(html).toMatch(/more verbose: [^<]*longest answer/);
  });

  it("recomputes every reported share from the stored answers and selections", () => {
    const policy = policyOf();
    const { items } = JSON.parse(readFileSync(path.join(out, "policy", "answers.json"), "utf8")) as {
      items: { set: string; question: string; answers: string[] }[];
    };
    // Read independently of the stage's code: the true result left to right, the stated number is
    // the last integer, verbose is 40 bytes or more.
    const truth = (q: string) => {
      const tokens = /^What is ([\d+-]+)\?$/
        .exec(q)![1]!
        .match(/[+-]?\d+/g)!
        .map(Number);
      return tokens.reduce((a, b) => a + b, 0);
    };
    const right = (q: string, a: string) => Number(a.match(/\d+/g)?.at(-1) ?? Number.NaN) === truth(q);
    const verbose = (a: string) => Buffer.byteLength(a) >= 40;
    for (const s of policy.selectors) {
      const { rows } = JSON.parse(
        readFileSync(path.join(out, "policy", "selections", `${s.id}.json`), "utf8"),
      ) as {
        rows: { set: string; question: string; picks: number[] }[];
      };
      for (const set of policy.sets) {
        const setItems = items.filter((i) => i.set === set.name);
        expect(setItems).toHaveLength(set.questions);
        s.curves[set.name].forEach((point, k) => {
          const picked = setItems.map((item) => {
            const row = rows.find((r) => r.set === set.name && r.question === item.question)!;
            expect(row.picks[k]).toBeLessThan(point.n);
            return { q: item.question, a: item.answers[row.picks[k]!]! };
          });
          const share = (f: (x: { q: string; a: string }) => boolean) =>
            picked.filter(f).length / picked.length;
          expect(point.right.share, `${s.id} ${set.name} N=${point.n}`).toBeCloseTo(
            share((x) => right(x.q, x.a)),
            12,
          );
          expect(point.verbose.share).toBeCloseTo(
            share((x) => verbose(x.a)),
            12,
          );
          expect(point.right.ci[0]).toBeLessThanOrEqual(point.right.share);
          expect(point.right.ci[1]).toBeGreaterThanOrEqual(point.right.share);
        });
      }
    }
  });

  it("the oracle's share right rises with N: a right answer among the first N is always found", () => {
    const policy = policyOf();
    const { items } = JSON.parse(readFileSync(path.join(out, "policy", "answers.json"), "utf8")) as {
      items: { set: "in-distribution" | "ood"; value: number; answers: string[] }[];
    };
    const oracle = policy.selectors.find((s) => s.id === "oracle")!;
    for (const set of policy.sets) {
      const curve = oracle.curves[set.name];
      const setItems = items.filter((i) => i.set === set.name);
      curve.forEach((point, k) => {
        const anyRight = setItems.filter((i) =>
          i.answers.slice(0, point.n).some((a) => Number(a.match(/\d+/g)?.at(-1)) === i.value),
        ).length;
        expect(point.right.share, `${set.name} N=${point.n}`).toBeCloseTo(anyRight / setItems.length, 12);
        if (k > 0) expect(point.right.share).toBeGreaterThanOrEqual(curve[k - 1]!.right.share);
      });
      // The policy is sometimes right and sometimes wrong, so sampling more finds more right answers.
      expect(curve.at(-1)!.right.share, set.name).toBeGreaterThan(curve[0]!.right.share);
    }
  });

  it("trains the policy on BT's, STaR-DPO's, the oracle's and the longest answer's picks, numbers from the stored answers", () => {
    const policy = policyOf();
    const training = policy.training!;
    const t = policyTrainingPresets.quick;
    expect(training.selectors.map((s) => s.id)).toEqual(["oracle", "longest", "bt", "star-dpo"]);
    const right = (value: number, a: string) => Number(a.match(/\d+/g)?.at(-1) ?? Number.NaN) === value;
    const rates = (items: { set: string; value: number; answers: string[] }[], set: string) => {
      const per = items
        .filter((i) => i.set === set)
        .map((i) => {
          const answers = i.answers.slice(0, t.evalSamples);
          return [
            answers.filter((a) => right(i.value, a)).length / answers.length,
            answers.filter((a) => Buffer.byteLength(a) >= 40).length / answers.length,
          ];
        });
      return [
        per.reduce((x, p) => x + p[0]!, 0) / per.length,
        per.reduce((x, p) => x + p[1]!, 0) / per.length,
      ];
    };
    const base = (
      JSON.parse(readFileSync(path.join(out, "policy", "answers.json"), "utf8")) as {
        items: { set: string; value: number; answers: string[] }[];
      }
    ).items;
    for (const s of training.selectors) {
      expect(s.rounds.map((r) => r.round)).toEqual([0, 1, 2]);
      for (const r of s.rounds) {
        const items =
          r.round === 0
            ? base
            : (
                JSON.parse(
                  readFileSync(
                    path.join(out, "policy", "training", s.id, `round-${r.round}-answers.json`),
                    "utf8",
                  ),
                ) as { evaluated: { set: string; value: number; answers: string[] }[] }
              ).evaluated;
        if (r.round > 0) {
          expect(r.rows).toBe(t.questions);
          expect(r.model.id).not.toBe(policy.policy.model.id);
        }
        for (const set of policy.sets) {
          const [shareRight, shareVerbose] = rates(items, set.name);
          expect(r.sets[set.name].right.share, `${s.id} round ${r.round} ${set.name}`).toBeCloseTo(
            shareRight!,
            12,
          );
          expect(r.sets[set.name].verbose.share).toBeCloseTo(shareVerbose!, 12);
        }
      }
    }
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    for (const metric of ["right", "verbose"]) {
      for (const i of [0, 1]) expect(html).toContain(`id="fig-policy-training-${metric}-${i}-desc"`);
    }
    expect(policyRun.stdout).toContain("policy training: share of the policy's answers right / verbose");
  });

  it("resumes the policy stage from its stage record", async () => {
    const again = await runCli([
      "demo",
      "--quick",
      "--policy",
      "--out",
      out,
      "--progress",
      "plain",
      "--json",
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/policy \(Best-of-N\): done in an earlier run/);
    expect((JSON.parse(again.stdout) as DemoResults).policy).toEqual(policyOf());
  }, 120_000);
});

describe("genrm demo --quick --policy killed mid-stage", () => {
  it("resumes after SIGKILL during expert iteration and gives the uninterrupted run's results", async () => {
    // The judges of the run above, without its sample store or anything of its policy stage, so
    // the policy stage regenerates every sample it needs.
    const killed = path.join(dir, "killed-policy");
    const skip = new Set([
      "samples.db",
      "samples.db-wal",
      "samples.db-shm",
      "policy",
      "results.json",
      "report.html",
    ]);
    cpSync(out, killed, {
      recursive: true,
      filter: (src) => !skip.has(path.basename(src)) && path.basename(src) !== "policy.json",
    });
    const args = ["demo", "--quick", "--policy", "--out", killed, "--progress", "plain"];
    const child = spawnCli(args);
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (d) => {
        stderr += d;
        if (/policy training: Bradley-Terry RM, round 1/.test(stderr) && child.exitCode === null) {
          child.kill("SIGKILL");
        }
      });
      child.on("close", (_code, signal) =>
        signal === "SIGKILL" ? resolve() : reject(new Error(`not killed:\n${stderr}`)),
      );
    });
    expect(existsSync(path.join(killed, "policy", "selections", "zero-shot-cot.json"))).toBe(true);
    expect(existsSync(path.join(killed, "stages", "policy.json"))).toBe(false);

    const resumed = await runCli([...args, "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // Finished selectors and rounds are read back, not redone.
    expect(resumed.stderr).not.toMatch(/policy: LLM judge \(CoT\) picking/);
    expect(resumed.stderr).not.toMatch(/policy training: longest answer, round 1/);
    const after = (JSON.parse(resumed.stdout) as DemoResults).policy!;
    expect(withoutRunVariance(after)).toEqual(withoutRunVariance(readResults().policy));
  }, 600_000);
});

describe("genrm demo with a failing lane", () => {
  it("fails naming the lane's stages and the cause, writes no results, and resumes to the same numbers once the cause is gone", async () => {
    const failing = path.join(dir, "failing-lane");
    mkdirSync(failing, { recursive: true });
    // A file where BT's stage directory goes: its lane cannot start the stage.
    writeFileSync(path.join(failing, "bt"), "in the way\n");
    const args = ["demo", "--quick", "--out", failing, "--methods", "zero-shot-direct,bt", "--jobs", "2"];
    const broken = await runCli([...args, "--progress", "plain"]);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/2 lanes side by side/);
    expect(broken.stderr).toMatch(/^genrm: .*demo lane \d \(bt\): /m);
    expect(broken.stderr).toContain(path.join(failing, "bt"));
    expect(existsSync(path.join(failing, "results.json"))).toBe(false);

    rmSync(path.join(failing, "bt"));
    const resumed = await runCli([...args, "--progress", "plain", "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const results = JSON.parse(resumed.stdout) as DemoResults;
    expect(results.methods.map((m) => m.id)).toEqual(["zero-shot-direct", "bt"]);
    const bt = readResults().methods.find((m) => m.id === "bt")!;
    expect(withoutRunVariance(results.methods[1])).toEqual(withoutRunVariance(bt));
  }, 300_000);
});

describe("genrm demo killed mid-stage", () => {
  it("resumes after SIGKILL during STaR training: finished stages are kept, the rest completes", async () => {
    const killed = path.join(dir, "killed");
    const args = [
      "demo",
      "--quick",
      "--out",
      killed,
      "--methods",
      "zero-shot-direct,star-dpo",
      "--progress",
      "plain",
    ];
    const child = spawnCli(args);
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (d) => {
        stderr += d;
        if (/star-dpo: .*phase train/.test(stderr) && child.exitCode === null) child.kill("SIGKILL");
      });
      child.on("close", (_code, signal) =>
        signal === "SIGKILL" ? resolve() : reject(new Error(`not killed:\n${stderr}`)),
      );
    });
    expect(existsSync(path.join(killed, "stages", "zero-shot-direct.json"))).toBe(true);
    expect(existsSync(path.join(killed, "stages", "star-dpo.json"))).toBe(false);
    expect(existsSync(path.join(killed, "results.json"))).toBe(false);

    const resumed = await runCli([...args.slice(0, -2), "--progress", "plain", "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming the demo/);
    expect(resumed.stderr).toMatch(/LLM judge \(no reasoning\): done in an earlier run/);
    expect(resumed.stderr).toMatch(/resuming .*star: /);
    const results = JSON.parse(resumed.stdout) as DemoResults;
    expect(results.methods.map((m) => m.id)).toEqual(["zero-shot-direct", "star-dpo"]);
    expect(results.methods[1]!.results.test.n).toBe(demoPresets.quick.evalPairs);

    // Same seed, another process, another directory, killed and resumed: the same results and
    // judgments as the uninterrupted run, wall-clock and cache-provenance fields aside.
    const uninterrupted = readResults();
    for (const id of ["zero-shot-direct", "star-dpo"]) {
      const a = uninterrupted.methods.find((m) => m.id === id)!;
      const b = results.methods.find((m) => m.id === id)!;
      expect(withoutRunVariance(b), id).toEqual(withoutRunVariance(a));
      for (const split of demoEvalSplits) {
        expect(judgmentsByPair(killed, id, split), `${id} ${split}`).toEqual(judgmentsByPair(out, id, split));
      }
    }
  }, 600_000);
});

/**
 * What may differ between two runs of the same demo: wall-clock fields, where files were written,
 * and whether a sample or stage was served from an earlier (killed) run.
 */
const runVarianceKeys = new Set([
  "seconds",
  "wallMs",
  "wallSeconds",
  "startedAt",
  "finishedAt",
  "cached",
  "cachedSamples",
  "path",
]);
const withoutRunVariance = (value: unknown) => withoutKeys(value, (k) => runVarianceKeys.has(k));

/**
 * A judge's judgments on a split, pair by pair: judgments.jsonl is appended in completion order (a
 * resumed run appends the rest later), so runs are compared by pair id.
 */
const judgmentsByPair = (root: string, id: string, split: string) =>
  readFileSync(path.join(root, id, "eval", split, "judgments.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { pairId: string })
    .sort((a, b) => a.pairId.localeCompare(b.pairId))
    .map(withoutRunVariance);
