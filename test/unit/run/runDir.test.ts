/**
 * The run-directory module every command uses: the config guard (eval's config.json, the demo's
 * demo.json, STaR's manifest), saved options and their merge on --resume, atomic JSON lines,
 * `slug`, and `evaluateInDir` as `genrm eval` drives it (fresh start, summary of a stopped run).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, InputError, throwIfAborted } from "../../../src/errors.js";
import { createLengthJudge } from "../../../src/judge/index.js";
import type { Judge } from "../../../src/judge/types.js";
import { createTinyModel } from "../../../src/model/index.js";
import { evaluateInDir } from "../../../src/run/evaluateInDir.js";
import { readJsonFile, writeJsonLinesFile } from "../../../src/run/jsonFile.js";
import {
  configHash,
  prepareRunDir,
  readSavedOptions,
  resumeOptions,
  savedOptions,
  slug,
} from "../../../src/run/runDir.js";
import { runStar } from "../../../src/star/runStar.js";
import { lengthPairs } from "../../helpers/lengthPairs.js";

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-rundir-"));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
};

describe("the config guard", () => {
  it("reuses a directory with the same config and refuses another, naming both hashes", () => {
    const dir = path.join(root, "guard");
    const first = prepareRunDir(dir, "eval", { k: 8 }, "0");
    expect(prepareRunDir(dir, "eval", { k: 8 }, "0")).toEqual(first);
    const err = caught(() => prepareRunDir(dir, "eval", { k: 4 }, "0"));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(
      `out: ${dir} holds a eval run with another configuration, model or data (config hash ${first.configHash}, this run ${configHash({ k: 4 })})`,
    );
    expect((err as ConfigError).hint).toMatch(/--out.*--fresh/);
  });

  it("--fresh records the new config over the old one", () => {
    const dir = path.join(root, "fresh");
    prepareRunDir(dir, "eval", { k: 8 }, "0");
    const fresh = prepareRunDir(dir, "eval", { k: 4 }, "0", { fresh: true });
    expect(fresh.configHash).toBe(configHash({ k: 4 }));
    expect(prepareRunDir(dir, "eval", { k: 4 }, "0")).toEqual(fresh);
  });

  it("keeps the demo's demo.json, and accepts one written before the record named its command", () => {
    const dir = path.join(root, "demo");
    fs.mkdirSync(dir);
    const config = { preset: "quick", seed: 0 };
    const file = path.join(dir, "demo.json");
    fs.writeFileSync(file, JSON.stringify({ genrm: "0.1.0", configHash: configHash(config), config }));
    const options = { file: "demo.json", hint: "pass --fresh", tornHint: "rerun with --fresh" };
    expect(prepareRunDir(dir, "demo", config, "0", options).configHash).toBe(configHash(config));
    const err = caught(() => prepareRunDir(dir, "demo", { ...config, seed: 3 }, "0", options));
    expect((err as ConfigError).message).toMatch(/holds a demo run with another configuration/);
    expect((err as ConfigError).hint).toBe("pass --fresh");
    fs.writeFileSync(file, "{");
    expect(caught(() => prepareRunDir(dir, "demo", config, "0", options))).toBeInstanceOf(InputError);
    expect(fs.existsSync(path.join(dir, "config.json"))).toBe(false);
  });

  it("a torn STaR manifest is an error naming it, not a SyntaxError", async () => {
    const dir = path.join(root, "star");
    const base = path.join(root, "base.gguf");
    await createTinyModel({ path: base, hidden: 16, layers: 1, heads: 2, kvHeads: 1, ffn: 32 });
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "manifest.json"), '{"format": "genrm-st');
    const run = runStar({ method: "star-sft", baseModel: base, pairs: lengthPairs(3), outDir: dir });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(/manifest\.json: not valid JSON/);
  });
});

describe("saved options", () => {
  interface Flags {
    method?: string;
    lr?: number;
    epochs?: number;
    resume?: boolean;
  }

  it("saves the options given, minus the ones that are not the run's", () => {
    const given: Flags = { method: "dpo", lr: 1e-5, epochs: undefined, resume: true };
    expect(savedOptions(given, (k) => k !== "resume")).toEqual({ method: "dpo", lr: 1e-5 });
  });

  it("on --resume, a flag given again overrides the saved one and one not given does not", () => {
    const saved: Flags = { method: "dpo", lr: 1e-5, epochs: 3 };
    expect(resumeOptions<Flags>(saved, { lr: 2e-5, epochs: undefined, resume: true })).toEqual({
      method: "dpo",
      lr: 2e-5,
      epochs: 3,
      resume: true,
    });
  });

  it("reads them back; no file is null, a torn one an error naming it", () => {
    const file = path.join(root, "run.json");
    expect(readSavedOptions<Flags>(file, "h")).toBeNull();
    fs.writeFileSync(file, JSON.stringify({ genrm: "0", options: { method: "sft" } }));
    expect(readSavedOptions<Flags>(file, "h")).toEqual({ method: "sft" });
    fs.writeFileSync(file, '{"options": {');
    expect(caught(() => readSavedOptions<Flags>(file, "restore it"))).toBeInstanceOf(InputError);
  });
});

describe("files and names", () => {
  it("writes JSON lines whole, with no temp file left", () => {
    const file = path.join(root, "rows.jsonl");
    writeJsonLinesFile(file, [{ a: 1 }, { a: 2 }]);
    writeJsonLinesFile(file, [{ a: 3 }]);
    expect(fs.readFileSync(file, "utf8")).toBe('{"a":3}\n');
    expect(fs.readdirSync(root).filter((f) => f.startsWith("rows.jsonl"))).toEqual(["rows.jsonl"]);
  });

  it("slugs free text into a directory name", () => {
    expect(slug("model.gguf cot cot-pair-v2@1")).toBe("model.gguf-cot-cot-pair-v2-1");
    expect(slug("///")).toBe("x");
    expect(slug("a".repeat(60))).toHaveLength(48);
  });
});

describe("evaluateInDir as genrm eval drives it", () => {
  const pairs = lengthPairs(6);

  it("resumes from judgments.jsonl unless fresh, and passes what judging did to extra", async () => {
    const dir = path.join(root, "eval");
    const extra = (o: { judged: number; resumed: number }) => ({
      run: { judged: o.judged, resumed: o.resumed },
    });
    const first = await evaluateInDir(createLengthJudge(), pairs, dir, { extra });
    expect(first.record.run).toEqual({ judged: 6, resumed: 0 });
    expect((await evaluateInDir(createLengthJudge(), pairs, dir, { extra })).record.run).toEqual({
      judged: 0,
      resumed: 6,
    });
    const fresh = await evaluateInDir(createLengthJudge(), pairs, dir, { extra, fresh: true });
    expect(fresh.record.run).toEqual({ judged: 6, resumed: 0 });
    expect(readJsonFile(fresh.summaryFile, { hint: "" })).toEqual(fresh.record);
  });

  it("summarizes the pairs judged before a stop when asked to, else throws the abort", async () => {
    const controller = new AbortController();
    const length = createLengthJudge();
    let calls = 0;
    const stopping: Judge = {
      info: length.info,
      // Like an engine-backed judge: a judgment asked for after the stop is refused.
      judge: async (pair, o) => {
        throwIfAborted(o?.signal);
        if (++calls === 3) controller.abort(new Error("SIGINT"));
        return length.judge(pair, o);
      },
    };
    const summarized = await evaluateInDir(stopping, pairs, path.join(root, "stopped"), {
      concurrency: 1,
      signal: controller.signal,
      onStop: "summarize",
    });
    expect(summarized.outcome.interrupted).toBe(true);
    expect(summarized.judgments.length).toBeLessThan(pairs.length);
    expect(summarized.summary.counts.judgments).toBe(summarized.judgments.length);
    await expect(
      evaluateInDir(createLengthJudge(), pairs, path.join(root, "thrown"), { signal: controller.signal }),
    ).rejects.toThrow();
  });
});
