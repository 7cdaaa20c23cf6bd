/**
 * `genrm train` and `genrm export` end to end on a tiny GGUF with its real (llama.cpp) tokenizer:
 * SFT teaches a fixed answer that llama.cpp then generates from the exported model; a SIGKILLed
 * run resumes from its last checkpoint and ends bit-for-bit where an uninterrupted run ends; a BT
 * run writes its head; bad rows stop the run with file, line and field.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLlamaCppEngine } from "../../src/engine/index.js";
import { readCheckpointFile } from "../../src/train/checkpoint.js";
import { runCli, spawnCli } from "../helpers/cli.js";
import { tinyModelOnce } from "../helpers/tinyModel.js";

let dir: string;
let modelPath: string;
const words = ["cat", "dog", "sun", "map", "pen", "cup", "box", "hat", "tea", "owl"];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "genrm-train-cli-"));
  modelPath = (
    await tinyModelOnce({ hidden: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 64, vocabSize: 320, seed: 5 })
  ).path;
  const sft = words.map((w, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `Name a ${w} ${words[(i + 3) % words.length]}.` },
        { role: "assistant", content: "Blue." },
      ],
    }),
  );
  await writeFile(join(dir, "sft.jsonl"), `${sft.join("\n")}\n`);
  const prefs = words.map((w) =>
    JSON.stringify({
      prompt: [{ role: "user", content: `Is a ${w} good?` }],
      chosen: [{ role: "assistant", content: "yes indeed" }],
      rejected: [{ role: "assistant", content: "no way" }],
    }),
  );
  await writeFile(join(dir, "prefs.jsonl"), `${prefs.join("\n")}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const metricsOf = async (runDir: string) =>
  (await readFile(join(runDir, "metrics.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>);

describe("genrm train", () => {
  it("SFT (full fine-tune) teaches a fixed answer that llama.cpp generates from the exported GGUF", async () => {
    const out = join(dir, "sft");
    const r = await runCli([
      "train",
      ...["--method", "sft", "--model", modelPath, "--data", join(dir, "sft.jsonl"), "--out", out],
      ...["--full", "--lr", "3e-3", "--max-steps", "40", "--batch-size", "5", "--warmup", "0.05"],
      ...["--eval-data", join(dir, "sft.jsonl"), "--progress", "plain", "--json"],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.stopReason).toBe("completed");
    expect(result.lastEval["eval/mean_token_accuracy"]).toBe(1);
    expect(r.stderr).toMatch(/data: 10 rows -> 10 examples/);
    const metrics = await metricsOf(out);
    expect(metrics.filter((m) => "loss" in m).map((m) => m.step)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(existsSync(join(out, "model.gguf"))).toBe(true);

    const engine = await openLlamaCppEngine({
      modelPath: join(out, "model.gguf"),
      threads: 1,
      contextSize: 256,
    });
    try {
      const gen = await engine.generate({
        messages: [{ role: "user", content: "Name a fox bee." }],
        seeds: [0],
        sampling: { temperature: 0, topP: 1, maxTokens: 8 },
      });
      expect(gen.samples[0]!.text).toBe("Blue.");
      expect(gen.samples[0]!.stopReason).toBe("eos");
    } finally {
      await engine.dispose();
    }
  });

  it("a SIGKILLed run resumes from its last checkpoint and ends where an uninterrupted run ends", async () => {
    const args = (out: string) => [
      "train",
      ...["--method", "dpo", "--model", modelPath, "--data", join(dir, "prefs.jsonl"), "--out", out],
      ...[
        "--lr",
        "5e-3",
        "--max-steps",
        "30",
        "--batch-size",
        "2",
        "--save-every",
        "2",
        "--progress",
        "plain",
      ],
    ];
    const straightDir = join(dir, "dpo-straight");
    const straight = await runCli(args(straightDir));
    expect(straight.code, straight.stderr).toBe(0);

    const killedDir = join(dir, "dpo-killed");
    const child = spawnCli(args(killedDir));
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise((resolve) => child.on("close", resolve));
    // Kill once a mid-run checkpoint exists and training has gone past it.
    for (let i = 0; i < 600; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const latest = join(killedDir, "checkpoints", "latest.json");
      if (existsSync(latest) && JSON.parse(await readFile(latest, "utf8")).step >= 4) break;
    }
    child.kill("SIGKILL");
    await exited;
    const latest = JSON.parse(await readFile(join(killedDir, "checkpoints", "latest.json"), "utf8"));
    expect(latest.step, stderr).toBeGreaterThanOrEqual(4);
    expect(latest.step).toBeLessThan(30);

    const resumed = await runCli(["train", "--resume", "--out", killedDir, "--progress", "plain"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed from step \d+/);

    const a = await metricsOf(straightDir);
    const b = await metricsOf(killedDir);
    expect(b.map((m) => m.step)).toEqual(a.map((m) => m.step));
    expect(b.map((m) => m.loss)).toEqual(a.map((m) => m.loss));
    const ca = await readCheckpointFile(join(straightDir, "checkpoints", "step-0000030.ckpt"));
    const cb = await readCheckpointFile(join(killedDir, "checkpoints", "step-0000030.ckpt"));
    for (const [name, t] of ca.tensors) expect(cb.tensors.get(name)?.data, name).toEqual(t.data);

    const adapter = join(dir, "dpo-adapter.gguf");
    const exp = await runCli(["export", "--checkpoint", killedDir, "--out", adapter, "--adapter"]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stdout).toMatch(/wrote LoRA adapter .*step 30/);
    const bytes = await readFile(adapter);
    expect(bytes.toString("latin1", 0, 4)).toBe("GGUF");
  });

  it("BT writes a head file next to the adapter; export restores it", async () => {
    const out = join(dir, "bt");
    const r = await runCli([
      "train",
      ...["--method", "bt", "--model", modelPath, "--data", join(dir, "prefs.jsonl"), "--out", out],
      ...["--lr", "1e-2", "--epochs", "4", "--batch-size", "5", "--progress", "silent", "--json"],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.last.accuracy).toBe(1);
    expect(Object.keys(result.artifacts).sort()).toEqual(["adapter", "head"]);
    const head = await readCheckpointFile<{ kind: string }>(join(out, "head.ckpt"));
    expect(head.meta.kind).toBe("score");
    const exp = await runCli(["export", "--checkpoint", out, "--out", join(dir, "bt-merged.gguf"), "--json"]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(JSON.parse(exp.stdout).head).toMatch(/bt-merged\.head\.ckpt$/);
  });

  it("PairRM: export carries the judge template the run trained with into the head file", async () => {
    const out = join(dir, "pairrm");
    const r = await runCli([
      "train",
      ...["--method", "pairrm", "--model", modelPath, "--data", join(dir, "prefs.jsonl"), "--out", out],
      ...[
        "--template",
        "world-direct@1",
        "--max-steps",
        "2",
        "--batch-size",
        "5",
        "--progress",
        "silent",
        "--json",
      ],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const exp = await runCli(["export", "--checkpoint", out, "--out", join(dir, "pairrm.gguf"), "--json"]);
    expect(exp.code, exp.stderr).toBe(0);
    const exported = await readCheckpointFile<{ template?: { id: string; hash: string } }>(
      JSON.parse(exp.stdout).head,
    );
    const trained = await readCheckpointFile<{ template?: { id: string; hash: string } }>(
      join(out, "head.ckpt"),
    );
    expect(exported.meta.template?.id).toBe("world-direct@1");
    expect(exported.meta.template).toEqual(trained.meta.template);
  });

  it("stops on a bad row with file, line and field, and refuses to overwrite a run", async () => {
    const bad = join(dir, "bad.jsonl");
    await writeFile(
      bad,
      `${JSON.stringify({ prompt: "q", chosen: "a", rejected: "b" })}\n{"prompt": "q", "chosen": "a"}\n`,
    );
    const r = await runCli([
      "train",
      "--method",
      "dpo",
      "--model",
      modelPath,
      "--data",
      bad,
      "--out",
      join(dir, "bad"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}, line 2, field "rejected"`);

    // With --skip-invalid the bad row is counted, named, and the run trains on the rest.
    const skipping = await runCli([
      "train",
      ...["--method", "dpo", "--model", modelPath, "--data", bad, "--out", join(dir, "skipping")],
      ...["--skip-invalid", "--max-steps", "1", "--batch-size", "1", "--json"],
    ]);
    expect(skipping.code, skipping.stderr).toBe(0);
    expect(skipping.stderr).toContain(`skipped 1 invalid record (first: ${bad}, line 2, field "rejected"`);
    expect(JSON.parse(skipping.stdout.trim().split("\n").at(-1)!)).toMatchObject({ step: 1 });

    const again = await runCli([
      "train",
      ...[
        "--method",
        "bt",
        "--model",
        modelPath,
        "--data",
        join(dir, "prefs.jsonl"),
        "--out",
        join(dir, "bt"),
      ],
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a training run[\s\S]*--resume/);
  });
});
