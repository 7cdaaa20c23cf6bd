/**
 * The command table reads its defaults from the libraries, and still loads no trainer, tensors,
 * zod or llama.cpp: `genrm --help` stays fast. Walks main.ts's static imports (type-only and
 * dynamic imports load nothing at startup).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const src = path.resolve(import.meta.dirname, "../../../src");

function staticImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+"([^"]+)";/gms)) {
    const names = m[2]!.match(/^\{([^}]*)\}$/)?.[1];
    const typeOnly = m[1] !== undefined || names?.split(",").every((n) => /^\s*(type\s|$)/.test(n)) === true;
    if (!typeOnly) specs.push(m[3]!);
  }
  return specs;
}

function loadedAtStartup(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (!spec.startsWith(".")) packages.add(spec);
      else visit(path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts"));
    }
  };
  visit(entry);
  return { files, packages };
}

describe("genrm --help", () => {
  it("loads the defaults' modules, not the libraries behind them", () => {
    const { files, packages } = loadedAtStartup(path.join(src, "cli/main.ts"));
    const rel = [...files].map((f) => path.relative(src, f));
    expect(rel).toContain("train/trainDefaults.ts");
    expect(rel).toContain("judge/judgeDefaults.ts");
    expect(rel).toContain("star/starDefaults.ts");
    expect(
      rel.filter((f) => /^(tensor|model\/(?!lora\/loraDefaults)|train\/(?!trainDefaults))/.test(f)),
    ).toEqual([]);
    expect(
      [...packages].filter((p) => ["zod", "node-llama-cpp", "better-sqlite3", "hono"].includes(p)),
    ).toEqual([]);
  });
});
