/**
 * Files from the llama.cpp source node-llama-cpp ships as a git bundle: the vocab-only GGUFs
 * (`models/ggml-vocab-*.gguf`) and chat templates (`models/templates/*.jinja`). The bundle is cloned
 * (without checkout) into the OS temp dir once per machine and each file read out with `git show`
 * into `${GENRM_CACHE_DIR:-~/.cache/genrm}/llama-cpp-files/<bundle commit>/`, written to a temp name
 * and renamed, so concurrent test processes never see half a file.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bundle = join(repoRoot, "node_modules/node-llama-cpp/llama/gitRelease.bundle");

let commitOnce: Promise<string> | undefined;
let cloneOnce: Promise<string> | undefined;

function bundleCommit(): Promise<string> {
  commitOnce ??= run("git", ["bundle", "list-heads", bundle]).then(
    ({ stdout }) => stdout.trim().split(/\s+/)[0]!,
  );
  return commitOnce;
}

async function clone(commit: string): Promise<string> {
  const repo = join(tmpdir(), `genrm-llama-cpp-${commit.slice(0, 12)}`);
  if (existsSync(join(repo, ".git", "HEAD"))) return repo;
  const partial = `${repo}.${process.pid}.tmp`;
  await rm(partial, { recursive: true, force: true });
  await run("git", ["clone", "-q", "--no-checkout", bundle, partial]);
  try {
    await rename(partial, repo);
  } catch {
    // Another process cloned it first.
    await rm(partial, { recursive: true, force: true });
  }
  return repo;
}

/** The cached copy of `path` (inside llama.cpp's tree) at the bundle's commit. */
export async function llamaCppFile(path: string): Promise<string> {
  const commit = await bundleCommit();
  const cacheRoot = process.env.GENRM_CACHE_DIR || join(homedir(), ".cache/genrm");
  const dest = join(cacheRoot, "llama-cpp-files", commit, path.replaceAll("/", "__"));
  if (existsSync(dest)) return dest;
  cloneOnce ??= clone(commit);
  const repo = await cloneOnce;
  const { stdout } = await run("git", ["-C", repo, "show", `${commit}:${path}`], {
    encoding: "buffer",
    maxBuffer: 64 << 20,
  });
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  await writeFile(tmp, stdout);
  await rename(tmp, dest);
  return dest;
}

/** `models/ggml-vocab-<name>.gguf`. */
export const llamaCppVocab = (name: string) => llamaCppFile(`models/ggml-vocab-${name}.gguf`);
/** `models/templates/<name>.jinja`. */
export const llamaCppTemplate = (name: string) => llamaCppFile(`models/templates/${name}.jinja`);
