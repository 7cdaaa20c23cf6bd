/** `genrm world pretrain|measure` argv → options, without running anything. */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../src/cli/main.js";

async function parse(argv: string[]) {
  const calls: { command: string; options: Record<string, unknown> }[] = [];
  const program = buildProgram(async (command, options) => {
    calls.push({ command, options });
  });
  const quiet = (c: Command) => {
    c.exitOverride();
    c.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(program);
  await program.parseAsync(["node", "genrm", ...argv]);
  return calls;
}

describe("genrm world", () => {
  it("pretrain parses its options and defaults", async () => {
    const [call] = await parse([
      "world",
      "pretrain",
      "--quick",
      "--seed",
      "3",
      "--rows",
      "800",
      "--out",
      "q.gguf",
    ]);
    expect(call?.command).toBe("world pretrain");
    expect(call?.options).toMatchObject({ quick: true, seed: 3, rows: 800, out: "q.gguf", pairs: 120, k: 4 });
    const [plain] = await parse(["world", "pretrain", "--epochs", "1.5", "--measure", "-k", "8"]);
    expect(plain?.options).toMatchObject({
      out: "world-base.gguf",
      seed: 0,
      epochs: 1.5,
      measure: true,
      k: 8,
    });
  });

  it("rejects bad values", async () => {
    await expect(parse(["world", "pretrain", "--rows", "0"])).rejects.toThrow();
    await expect(parse(["world", "measure"])).rejects.toThrow(/--model/);
  });

  it("measure takes a model and splits", async () => {
    const [call] = await parse(["world", "measure", "--model", "m.gguf", "--splits", "test,ood-mixed"]);
    expect(call?.command).toBe("world measure");
    expect(call?.options).toMatchObject({ model: "m.gguf", splits: ["test", "ood-mixed"], pairs: 120 });
  });
});
