/**
 * `genrm star` at scale, with real processes end to end (issue: STaR at the paper's scale): llama-server
 * (built by the suite) samples, and `genrm train --from-spec` trains through `--trainer-cmd`, exactly
 * as an external trainer would be run (the spec file in, a model and trainer-result.json out), on
 * mini-world data with the bundled world base model.
 *
 * The LoRA hot-load hand-off needs a server that loads adapters at run time (vLLM, SGLang), which
 * these machines cannot run; it is tested against their HTTP contract in test/unit/star/starSampler.test.ts.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StarManifest } from "../../src/star/index.js";
import { repoRoot, runCli, spawnCli } from "../helpers/cli.js";
import { freePort, requireLlamaServer, startLlamaServer } from "../helpers/llamaServer.js";

const baseModel = path.join(repoRoot, "assets/world/base.gguf");
const genrm = `${process.execPath} --import ${import.meta.resolve("tsx")} ${path.join(repoRoot, "src/cli/bin.ts")}`;
const trainer = `${genrm} train --from-spec {spec} --progress plain`;

let dir: string;
let data: string;
let llamaServer: string;

beforeAll(async () => {
  llamaServer = requireLlamaServer();
  dir = await mkdtemp(path.join(tmpdir(), "genrm-star-scale-"));
  const world = await runCli([
    "world",
    "generate",
    "--out",
    path.join(dir, "world"),
    "--splits",
    "train",
    "--size",
    "train=16",
  ]);
  expect(world.code, world.stderr).toBe(0);
  data = path.join(dir, "world", "train.jsonl");
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const common = (out: string) => [
  "star",
  ...["--method", "star-dpo", "--model", baseModel, "--data", data, "--out", out],
  ...["-k", "4", "--template", "world-cot@1", "--max-tokens", "96"],
  ...["--max-steps", "6", "--batch-size", "2", "--save-every", "2"],
  ...["--concurrency", "2", "--progress", "plain"],
];

const serveCmd = (port: number) =>
  `${llamaServer} -m {model} --host 127.0.0.1 --port ${port} --threads 1 --ctx-size 2048 --parallel 4 ` +
  "--no-webui --no-warmup --poll 0 --cache-ram 0";

const manifestOf = (out: string) =>
  JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8")) as StarManifest;

/** (model id, pair, order, index) of every stored sample: none may be there twice. */
function storedSamples(out: string): { total: number; distinct: number; models: string[] } {
  const db = new Database(path.join(out, "samples.db"), { readonly: true });
  try {
    const rows = db.prepare("SELECT model_id AS m, pair_id AS p, ord AS o, idx AS i FROM samples").all() as {
      m: string;
      p: string;
      o: string;
      i: number;
    }[];
    return {
      total: rows.length,
      distinct: new Set(rows.map((r) => `${r.m}|${r.p}|${r.o}|${r.i}`)).size,
      models: [...new Set(rows.map((r) => r.m))].sort(),
    };
  } finally {
    db.close();
  }
}

/** Whether a process whose command line contains `needle` is running. */
function running(needle: string): boolean {
  try {
    execFileSync("pgrep", ["-f", needle], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const commandRuns = (log: string) => (fs.readFileSync(log, "utf8").match(/^# .* \$ /gm) ?? []).length;

describe("genrm star --trainer command over llama-server", () => {
  it("runs 2 STaR-DPO iterations, restarting the server on each new model, with every model's lineage", async () => {
    const out = path.join(dir, "restart");
    const port = await freePort();
    const r = await runCli([
      ...common(out),
      ...["--iterations", "2", "--trainer", "command", "--trainer-cmd", trainer],
      ...["--base-url", `http://127.0.0.1:${port}/v1`, "--serve-cmd", serveCmd(port)],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(out);
    expect(m.status).toBe("done");
    expect(m.config).toMatchObject({
      trainer: { kind: "command" },
      sampler: { kind: "http", handoff: "restart" },
    });
    const [it1, it2] = m.iterations;
    // M0 sampled iteration 1; the model iteration 1 trained sampled iteration 2.
    expect(it1!.samplingModel.id).toBe(m.baseModel.id);
    expect(it2!.samplingModel.id).toBe(it1!.model!.id);
    expect(it1!.model!.id).not.toBe(m.baseModel.id);
    expect(it2!.model!.id).not.toBe(it1!.model!.id);
    expect(m.finalModel?.id).toBe(it2!.model!.id);
    for (const it of [it1!, it2!]) {
      const model = it.model!;
      // Which command made it, from which data, sampled by which model.
      expect(model.producedBy?.command).toBe(
        `${genrm} train --from-spec ${path.join(out, `iter-${it.iteration}`, "train-spec.json")} --progress plain`,
      );
      expect(model.producedBy?.data).toBe(path.join(`iter-${it.iteration}`, "dpo.trl.jsonl"));
      expect(model.producedBy?.samplingModel).toBe(it.samplingModel.id);
      expect(model.producedBy?.metrics).toMatchObject({ steps: 6 });
      expect(it.training?.external?.result).toBe(
        path.join(`iter-${it.iteration}`, "trainer-out", "trainer-result.json"),
      );
      const spec = JSON.parse(
        fs.readFileSync(path.join(out, `iter-${it.iteration}`, "train-spec.json"), "utf8"),
      );
      expect(spec).toMatchObject({
        format: "genrm-train-spec",
        method: "dpo",
        model: { id: it.startModel.id },
        hyperparameters: { max_steps: 6, batch_size: 2, beta: 1 },
        output: { want: "any" },
      });
      expect(spec.data.rows_count).toBe(it.counts!.rows);
      // The model file the manifest names is the one the trainer wrote.
      expect(fs.existsSync(model.path)).toBe(true);
    }
    // Samples were drawn by each iteration's own model, each once.
    const stored = storedSamples(out);
    expect(stored.total).toBe(stored.distinct);
    expect(stored.total).toBe(2 * 8 * 4);
    expect(stored.models).toEqual([it1!.samplingModel.id, it2!.samplingModel.id].sort());
    // The server ran once per model, and genrm stopped it at the end.
    const serverLog = fs.readFileSync(path.join(out, "server.log"), "utf8");
    expect(
      serverLog.match(/^# .* \$ .*llama-server -m \S+/gm)?.map((l) => l.split(" -m ")[1]!.split(" ")[0]),
    ).toEqual([baseModel, it1!.model!.path]);
    expect(running(`--port ${port}`)).toBe(false);
  }, 300_000);

  it("SIGKILLed during external training: the rerun trains that iteration again and samples nothing twice", async () => {
    const out = path.join(dir, "killed");
    const port = await freePort();
    const args = [
      ...common(out),
      ...["--iterations", "2", "--trainer", "command"],
      ...["--trainer-cmd", `echo training-started; sleep 3; ${trainer}`],
      ...["--base-url", `http://127.0.0.1:${port}/v1`, "--serve-cmd", serveCmd(port)],
    ];
    const child = spawnCli(args);
    const log1 = path.join(out, "iter-1", "trainer.log");
    const deadline = Date.now() + 120_000;
    while (!(fs.existsSync(log1) && fs.readFileSync(log1, "utf8").includes("training-started"))) {
      if (Date.now() > deadline) throw new Error("the trainer never started");
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    await new Promise((r) => setTimeout(r, 500));
    // Neither the trainer nor the sampling server outlives genrm.
    expect(running(path.join(out, "iter-1", "train-spec.json"))).toBe(false);
    expect(running(`--port ${port}`)).toBe(false);
    const before = storedSamples(out);
    expect(manifestOf(out).iterations[0]!.status).toBe("sampled");

    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    const m = manifestOf(out);
    expect(m.status).toBe("done");
    const after = storedSamples(out);
    expect(after.total).toBe(after.distinct);
    expect(after.total).toBe(2 * 8 * 4);
    // Iteration 1's samples came from the store, not the server.
    expect(r.stderr).toContain(`iteration 2: sampling`);
    expect(r.stderr).not.toContain("iteration 1: sampling");
    expect(before.total).toBe(8 * 4);
    // The killed training ran again, once; iteration 2 trained once.
    expect(commandRuns(log1)).toBe(2);
    expect(commandRuns(path.join(out, "iter-2", "trainer.log"))).toBe(1);
  }, 300_000);

  it("a trainer that exits 1 stops the run with its log's last lines and the command to resume; a fixed trainer resumes it", async () => {
    const out = path.join(dir, "failing");
    const port = await freePort();
    const args = (cmd: string) => [
      ...common(out),
      ...["--iterations", "1", "--trainer", "command", "--trainer-cmd", cmd],
      ...["--base-url", `http://127.0.0.1:${port}/v1`, "--serve-cmd", serveCmd(port)],
    ];
    const r = await runCli(args("echo 'CUDA out of memory (simulated)' >&2; exit 1"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("iteration 1: the trainer failed (exit code 1)");
    expect(r.stderr).toContain("CUDA out of memory (simulated)");
    expect(r.stderr).toContain(`genrm star --resume --out ${out}`);
    expect(running(`--port ${port}`)).toBe(false);
    const m = manifestOf(out);
    expect(m.iterations[0]!.status).toBe("sampled");
    expect(fs.existsSync(path.join(out, "iter-1", "dpo.trl.jsonl"))).toBe(true);
    const sampled = storedSamples(out).total;

    const fixed = await runCli(["star", "--resume", "--out", out, "--trainer-cmd", trainer]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(manifestOf(out).status).toBe("done");
    expect(storedSamples(out).total).toBe(sampled);
  }, 300_000);

  it("a server that dies mid-sampling: the samples go to the next endpoint", async () => {
    const a = await startLlamaServer({ model: baseModel, threads: 1, parallel: 2, contextSize: 2048 });
    const b = await startLlamaServer({ model: baseModel, threads: 1, parallel: 2, contextSize: 2048 });
    try {
      const out = path.join(dir, "failover");
      const child = spawnCli([
        ...common(out),
        ...["--iterations", "1", "--trainer", "command", "--trainer-cmd", trainer],
        ...["--base-url", `${a.baseUrl},${b.baseUrl}`, "--served-model", "tiny"],
      ]);
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += d;
      });
      // Killed once it has answered a request, while the others are still to come.
      await a.nextLog(/print_timing|prompt eval time/, 60_000);
      await a.kill();
      const code = await new Promise((r) => child.on("close", r));
      expect(code, stderr).toBe(0);
      const m = manifestOf(out);
      expect(m.status).toBe("done");
      // One iteration: its slice is all 16 pairs.
      expect(m.iterations[0]!.counts!.samples).toBe(16 * 4);
      const stored = storedSamples(out);
      expect(stored.total).toBe(16 * 4);
      expect(stored.total).toBe(stored.distinct);
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 300_000);
});
