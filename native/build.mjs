// Builds the native addon (build/Release/genrm_native.node) with node-gyp.
//
// Run by `npm install` (scripts.install) and by `npm run build:native` (with --strict). Under
// install it never fails: a machine without a C++ toolchain still installs genrm, which then
// runs on the TypeScript reference backend and says so once at run time. It downloads nothing:
// when this Node's own headers are on disk (a distro or tarball install), node-gyp is pointed
// at them with --nodedir instead of fetching a header tarball.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const strict = process.argv.includes("--strict");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function giveUp(reason) {
  const msg = `genrm: native kernels not built (${reason}); genrm will use its slower TypeScript backend.`;
  if (strict) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(`${msg} Retry with \`npm run build:native\`.`);
  process.exit(0);
}

if (process.env.GENRM_SKIP_NATIVE === "1" && !strict) giveUp("GENRM_SKIP_NATIVE=1");

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) {
    candidates.push(join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  }
  candidates.push(join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not installed locally
  }
  return candidates.find((p) => existsSync(p)) ?? null;
}

const gyp = findNodeGyp();
if (gyp === null) giveUp("node-gyp not found");

// configure + build rather than rebuild: rebuild deletes build/ first, so a running process or test
// would briefly find no addon; build replaces the .node only once the new one is linked.
const args = [gyp, "configure", "build", "--jobs", "max"];
const prefix = resolve(dirname(process.execPath), "..");
if (existsSync(join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);

const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
if (result.error) giveUp(result.error.message);
if (result.status !== 0) giveUp(`node-gyp exited with ${result.status ?? result.signal}`);
if (!existsSync(join(root, "build", "Release", "genrm_native.node"))) giveUp("node-gyp produced no addon");
