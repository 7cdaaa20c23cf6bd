/**
 * `genrm report` end to end: two eval runs (the length baseline, and a sampled chain-of-thought
 * judge served by a scripted model-free OpenAI-compatible server: k = 4, both orders) and a tiny
 * DPO training run, all made here by the CLI; the page they give is opened in a real headless
 * Chromium (Debian's package, installed by this file's setup where absent), which must render it
 * with no console error and no request leaving the file, and draw every chart with its marks.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOrInstallChromium } from "../helpers/chromium.js";
import { runCli } from "../helpers/cli.js";
import { rewardBenchRows } from "../helpers/reportFixtures.js";
import { type ScriptedJudgeServer, startScriptedJudgeServer } from "../helpers/scriptedJudgeServer.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let dir: string;
let server: ScriptedJudgeServer;
let chromium: { path: string } | { skip: string };
const runs = { length: "", scripted: "", train: "" };
let page: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-report-"));
  chromium = findOrInstallChromium();
  if ("skip" in chromium) console.warn(`report browser test skipped: ${chromium.skip}`);
  const data = path.join(dir, "rb.jsonl");
  fs.writeFileSync(
    data,
    `${rewardBenchRows(40)
      .map((r) => JSON.stringify(r))
      .join("\n")}\n`,
  );
  server = await startScriptedJudgeServer();
  runs.length = path.join(dir, "eval-length");
  runs.scripted = path.join(dir, "eval-scripted");
  runs.train = path.join(dir, "train-dpo");
  const evalLength = await runCli(["eval", "--data", data, "--baseline", "length", "--out", runs.length]);
  expect(evalLength.code, evalLength.stderr).toBe(0);
  const evalScripted = await runCli([
    ...["eval", "--data", data, "--base-url", server.url, "--model", "scripted-judge"],
    ...["-k", "4", "--order", "both", "--store", path.join(dir, "store.db"), "--out", runs.scripted],
  ]);
  expect(evalScripted.code, evalScripted.stderr).toBe(0);

  const model = await tinyModelOnce({
    hidden: 32,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ffn: 64,
    vocabSize: 320,
    seed: 5,
  });
  const prefs = path.join(dir, "prefs.jsonl");
  const rows = ["cat", "dog", "sun", "map", "pen", "cup"].map((w) =>
    JSON.stringify({
      prompt: [{ role: "user", content: `Is a ${w} good?` }],
      chosen: [{ role: "assistant", content: "yes indeed" }],
      rejected: [{ role: "assistant", content: "no way" }],
    }),
  );
  fs.writeFileSync(prefs, `${rows.join("\n")}\n`);
  const train = await runCli([
    ...["train", "--method", "dpo", "--model", model.path, "--data", prefs, "--eval-data", prefs],
    ...["--out", runs.train, "--max-steps", "12", "--batch-size", "3", "--eval-every", "4", "--lr", "1e-3"],
    ...["--progress", "silent"],
  ]);
  expect(train.code, train.stderr).toBe(0);

  page = path.join(dir, "out", "report.html");
  const report = await runCli(["report", runs.length, runs.scripted, runs.train, "--out", page]);
  expect(report.code, report.stderr).toBe(0);
  expect(report.stdout).toMatch(/wrote .*report\.html \(3 runs: 2 eval, 1 train/);
}, 900_000);

afterAll(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const summaryOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));

describe("genrm report on two eval runs and a train run", () => {
  it("writes one self-contained page, the same bytes for the same runs", async () => {
    const html = fs.readFileSync(page, "utf8");
    // Nothing to fetch: no scripts, stylesheets, images or frames by reference, no remote URL.
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/url\((?!#)/);
    const again = path.join(dir, "again.html");
    const res = await runCli(["report", runs.length, runs.scripted, runs.train, "--out", again]);
    expect(res.code, res.stderr).toBe(0);
    expect(fs.readFileSync(again, "utf8")).toBe(html);
  });

  it("refuses a directory that is no run, naming it and what it expected", async () => {
    const empty = path.join(dir, "not-a-run");
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, "notes.txt"), "hello\n");
    const res = await runCli(["report", runs.length, empty, "--out", path.join(dir, "x.html")]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`${empty}: not a genrm run directory`);
    expect(res.stderr).toMatch(/expected a run directory of genrm eval .*got notes\.txt/);
    expect(fs.existsSync(path.join(dir, "x.html"))).toBe(false);
  });

  it("renders in headless Chromium with no console error and every chart drawn", async (ctx) => {
    if ("skip" in chromium) {
      ctx.skip();
      return;
    }
    const { chromium: playwright } = await import("playwright-core");
    let browser: Browser | undefined;
    try {
      browser = await playwright.launch({ executablePath: chromium.path, args: ["--no-sandbox"] });
      const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      tab.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      tab.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      tab.on("request", (r) => requests.push(r.url()));
      await tab.goto(`file://${page}`, { waitUntil: "load" });

      const sections = (await tab.evaluate(inspectSections)) as Record<string, SectionView>;
      expect(problems).toEqual([]);
      expect(requests).toEqual([`file://${page}`]);
      expect(await tab.title()).toBe("genrm report: eval-length, eval-scripted, train-dpo");

      const length = summaryOf(runs.length);
      const scripted = summaryOf(runs.scripted);
      const charts = (id: string) => sections[id]?.charts ?? [];
      // Every chart on the page is laid out and has marks; each section has the charts it should.
      for (const [id, s] of Object.entries(sections)) {
        for (const c of s.charts) {
          expect(c.width, `${id}: ${c.title}`).toBeGreaterThan(100);
          expect(c.height, `${id}: ${c.title}`).toBeGreaterThan(100);
          expect(c.bars + c.lines + c.dots, `${id}: ${c.title}`).toBeGreaterThan(0);
        }
      }
      const subsets = Object.keys(scripted.subsets).length;
      expect(charts("accuracy").map((c) => [c.kind, c.bars])).toEqual([["bars", 2 * (1 + subsets)]]);
      // RewardBench's four sections, overall (both ways) and pair mean: one bar per run each.
      const rbKeys = Object.keys(scripted.metrics).filter((k) => k.startsWith("rewardbench/"));
      expect(rbKeys.length).toBeGreaterThanOrEqual(6);
      expect(charts("official").map((c) => [c.title, c.bars])).toEqual([["rewardbench", 2 * rbKeys.length]]);
      // maj@k per order (k = 1..4) and by samples spent (k = 1..8, both orders): one line each, the
      // sampled judge's; the baseline draws no samples and says so.
      expect(charts("majk").map((c) => [c.title, c.lines, c.dots])).toEqual([
        ["maj@k (k samples per order)", 1, scripted.majAtK.length],
        ["Maj@k (k samples in all)", 1, scripted.majAtKTotal.length],
      ]);
      expect(scripted.majAtKTotal).toHaveLength(8);
      expect(sections.majk!.notes.join(" ")).toMatch(/No k-sample curve for eval-length/);
      // Calibration: the sampled judge's vote shares have a reliability table (a dot per non-empty
      // bin, and the diagonal's two ends); the baseline's P(A) is 0, ½ or 1 and has none.
      expect(length.calibration).toBeNull();
      const nonEmpty = scripted.calibration.reliability.filter((b: { n: number }) => b.n > 0).length;
      expect(charts("calibration").map((c) => [c.kind, c.lines, c.dots])).toEqual([
        ["lines", 2, nonEmpty + 2],
      ]);
      expect(charts("calibration")[0]!.title).toBe(
        `eval-scripted, ECE ${scripted.calibration.ece.toFixed(3)}`,
      );
      expect(sections.calibration!.notes.join(" ")).toMatch(
        /No calibration table in the summary\.json of eval-length/,
      );
      expect(charts("position").map((c) => [c.kind, c.bars])).toEqual([["bars", 2]]);
      expect(charts("length").map((c) => [c.kind, c.bars])).toEqual([["bars", 2 * 5]]);
      expect(charts("cost").map((c) => [c.title, c.bars])).toEqual([
        ["tokens per judgment", 2],
        ["samples per judgment", 2],
      ]);
      expect(charts("training").map((c) => c.title)).toEqual([
        "loss",
        "DPO rewards (chosen / rejected)",
        "reward margin",
        "preference accuracy",
        "learning rate",
        "gradient norm",
        "logps/chosen",
        "logps/rejected",
      ]);
      // loss, margin, accuracy: a train and an eval line; rewards: chosen and rejected, each both.
      expect(charts("training").map((c) => c.lines)).toEqual([2, 4, 2, 2, 1, 1, 2, 2]);

      // The bars are the runs' numbers: height over the 280-unit plot is the accuracy.
      const bars = (await tab.evaluate(accuracyBars)) as { run: string; group: string; height: number }[];
      for (const [name, summary] of [
        ["eval-length", length],
        ["eval-scripted", scripted],
      ] as const) {
        const all = bars.find((b) => b.run === name && b.group === "all")!;
        expect(all.height).toBeCloseTo(280 * summary.accuracy.accuracy, 1);
        for (const [subset, r] of Object.entries(summary.subsets) as [string, { accuracy: number }][]) {
          const bar = bars.find((b) => b.run === name && b.group === subset)!;
          expect(bar.height).toBeCloseTo(280 * r.accuracy, 1);
        }
      }

      // Failure examples: the sampled judge's come with the rationale it wrote.
      const failures = (await tab.evaluate(failureTexts)) as string[];
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.some((t) => /Final verdict: \[\[[AB]\]\]/.test(t))).toBe(true);
    } finally {
      await browser?.close();
    }
  });
});

interface ChartView {
  kind: string;
  title: string;
  width: number;
  height: number;
  bars: number;
  lines: number;
  dots: number;
}

interface SectionView {
  charts: ChartView[];
  notes: string[];
}

// Run in the page (the test's TypeScript has no DOM types, so these are source text).
const inspectSections = `(() => {
  const out = {};
  for (const s of document.querySelectorAll("section[data-section]")) {
    out[s.dataset.section] = {
      charts: [...s.querySelectorAll("svg.chart")].map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          kind: svg.dataset.chart,
          title: svg.querySelector("title").textContent,
          width: box.width,
          height: box.height,
          bars: [...svg.querySelectorAll("rect.bar")].filter((r) => r.getBBox().width > 0).length,
          lines: [...svg.querySelectorAll("g.series polyline")].filter((l) => l.getBBox().width > 0).length,
          dots: svg.querySelectorAll("g.series circle").length,
        };
      }),
      notes: [...s.querySelectorAll("p.note")].map((p) => p.textContent),
    };
  }
  return out;
})()`;

const accuracyBars = `[...document.querySelectorAll("#accuracy rect.bar")].map((r) => ({
  run: r.dataset.run, group: r.dataset.group, height: Number(r.getAttribute("height")),
}))`;

const failureTexts = `[...document.querySelectorAll("#failures details.failure")].map((d) => d.textContent)`;
