/**
 * The package as a user gets it: `npm pack` of this checkout, installed into a fresh project, and a
 * TypeScript program that imports only "genrm" (test/e2e/package/consumer.ts) type-checked against
 * the packed declarations and run. Deep imports are refused by the exports map.
 *
 * The install is offline: the tarball is unpacked to node_modules/genrm as npm lays it out, and
 * only the dependencies package.json declares are linked in from this checkout, so a module the
 * package imports without declaring it fails here as it would for a user. Install scripts are not
 * run (as with `npm install --ignore-scripts`), so training runs on the TypeScript kernels.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "genrm-package-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 300_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

describe("the packed package", () => {
  it("installs, type-checks a program that imports only 'genrm', judges, trains a step and summarizes", () => {
    // `npm pack` runs `prepare` (the build), so the tarball holds this checkout's dist/.
    const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], repo)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("assets/world/base.gguf");
    expect(files).toContain("LICENSE");
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("src/"))).toEqual([]);

    const project = path.join(work, "project");
    const modules = path.join(project, "node_modules");
    mkdirSync(path.join(modules, "genrm"), { recursive: true });
    run(
      "tar",
      [
        "xzf",
        path.join(work, packed[0]!.filename),
        "--strip-components=1",
        "-C",
        path.join(modules, "genrm"),
      ],
      work,
    );
    // A TypeScript user's own dev dependency, for `process` in the program.
    for (const dep of [...Object.keys(pkg.dependencies), "@types/node"]) {
      mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
      symlinkSync(path.join(repo, "node_modules", dep), path.join(modules, dep), "dir");
    }
    writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          types: ["node"],
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
    writeFileSync(
      path.join(project, "consumer.ts"),
      readFileSync(path.join(import.meta.dirname, "package/consumer.ts")),
    );

    // Type-check and compile against the packed .d.ts, with this checkout's TypeScript.
    run(process.execPath, [path.join(repo, "node_modules/typescript/bin/tsc"), "-p", "."], project);
    const out = run(process.execPath, ["out/consumer.js", work], project);
    const result = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(result.version).toBe(pkg.version);
    expect(["A", "B", "tie"]).toContain(result.verdict);
    expect(result.pA).toBeGreaterThan(0);
    expect(result.pA).toBeLessThan(1);
    expect(result.scored).toBe(1);
    expect([0, 0.5, 1]).toContain(result.accuracy);
    expect(result.steps).toBe(1);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.refused).toBe("GENRM_INPUT");

    // Deep paths are not part of the API: the exports map refuses them.
    const deep = `import("genrm/dist/judge/judgePair.js").then(() => console.log("loaded"), (e) => console.log(e.code))`;
    expect(run(process.execPath, ["--input-type=module", "-e", deep], project).trim()).toBe(
      "ERR_PACKAGE_PATH_NOT_EXPORTED",
    );
  }, 600_000);
});
