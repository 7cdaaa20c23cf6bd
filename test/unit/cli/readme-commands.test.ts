/**
 * The README's commands work as written. Every `npx genrm ...` line of its code blocks parses with
 * the real command table (so no example uses a flag or value genrm refuses), and every one that
 * needs no model, server or file of the reader's own runs to exit 0 from a directory beside
 * ../shared, as a reader would run it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../../helpers/cli.js";
import { parseArgv } from "../../helpers/parseArgv.js";
import { sharedData, sharedDataMissing } from "../../helpers/sharedData.js";

/** The README's genrm command lines, continuations joined, comments and env prefixes dropped. */
function readmeCommands(): string[][] {
  const text = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const blocks = [...text.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const commands: string[][] = [];
  for (const block of blocks) {
    const lines = block.replace(/\\\n\s*/g, " ").split("\n");
    for (const line of lines) {
      const m = /(?:^|\s)npx genrm (.*)$/.exec(line);
      if (m === null) continue;
      const words = m[1]!.replace(/\s+#.*$/, "").match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
      commands.push(words.map((w) => w.replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1")));
    }
  }
  return commands;
}

const commands = readmeCommands();

/** A command that reads only what ships with genrm or lies in ../shared, and starts no server. */
function runnable(argv: string[]): boolean {
  if (["demo", "serve"].includes(argv[0]!) || argv.includes("--resume")) return false;
  return argv.every((w, i) => {
    const isOut = argv[i - 1] === "--out";
    const looksLikeFile = /\.(gguf|jsonl?|parquet|csv|ckpt)$/.test(w) || w.includes("/");
    return !looksLikeFile || isOut || w.startsWith("../shared/");
  });
}

describe("README commands", () => {
  it("finds the README's commands", () => {
    expect(commands.length).toBeGreaterThan(15);
  });

  it.each(commands.map((c) => [c.join(" "), c] as const))("parses: genrm %s", async (_name, argv) => {
    const calls = await parseArgv(argv);
    expect(calls).toHaveLength(1);
  });

  const runnables = commands.filter(runnable);
  it("runs the ones that need no model, server or file of your own", async () => {
    expect(runnables.map((c) => c.slice(0, 2).join(" "))).toEqual(
      expect.arrayContaining(["data formats", "data inspect", "world generate", "eval --data"]),
    );
    if (sharedDataMissing !== null) {
      process.stderr.write(`README commands on ../shared/data not run: ${sharedDataMissing}\n`);
      return;
    }
    // A directory beside ../shared, as the README assumes (it is run from the repository root).
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-readme-"));
    fs.symlinkSync(path.dirname(sharedData), path.join(root, "shared"));
    const cwd = path.join(root, "genrm");
    fs.mkdirSync(cwd);
    try {
      for (const argv of runnables) {
        const r = await runCli(argv, { cwd });
        expect(r.code, `genrm ${argv.join(" ")}\n${r.stderr}`).toBe(0);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);
});
