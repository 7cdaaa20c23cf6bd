/**
 * `npm run bench:gemm`: GFLOP/s of genrm's native GEMM on square float32 matrices next to
 * numpy/OpenBLAS measured in the same run, in alternating rounds so both see the same machine
 * load. Each number is the best of its timed runs. The ratio compares NN (what numpy's a @ b
 * does); NT and TN are the layouts of a linear layer's forward and weight gradient.
 *
 *   npm run bench:gemm -- [--sizes 256,512,1024,2048] [--rounds 3] [--seconds 0.3]
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng, loadNativeBackend } from "../src/tensor/index.js";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const sizes = opt("sizes", "256,512,1024,2048").split(",").map(Number);
const rounds = Number(opt("rounds", "3"));
const seconds = Number(opt("seconds", "0.3"));

const { backend, error } = loadNativeBackend();
if (backend === null) {
  console.error(`native addon unavailable: ${error}\nbuild it with \`npm run build:native\``);
  process.exit(1);
}

type Layout = "NN" | "NT" | "TN";
const layouts: Layout[] = ["NN", "NT", "TN"];

function ours(n: number, layout: Layout): number {
  const rng = createRng(n);
  const a = Float32Array.from({ length: n * n }, () => rng.normal());
  const b = Float32Array.from({ length: n * n }, () => rng.normal());
  const c = new Float32Array(n * n);
  const run = () => backend!.gemm(c, a, b, n, n, n, layout === "TN", layout === "NT", false);
  run();
  const flops = 2 * n * n * n;
  const reps = Math.max(1, Math.round((seconds * 50e9) / flops));
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) run();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    best = Math.max(best, (flops * reps) / s / 1e9);
  }
  return best;
}

const peerScript = join(dirname(fileURLToPath(import.meta.url)), "peers", "gemm_numpy.py");
// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine to protect old OpenBLAS
// builds; they slow a current one, so the peer runs without them (and only the peer).
const peerEnv = { ...process.env };
delete peerEnv.OPENBLAS_CORETYPE;
delete peerEnv.OPENBLAS_L2_SIZE;
let peerInfo = "numpy unavailable";

function numpy(n: number): number | null {
  const res = spawnSync("python3", [peerScript, String(n), "--seconds", String(seconds)], {
    env: peerEnv,
    encoding: "utf8",
  });
  if (res.status !== 0) {
    peerInfo = `numpy peer failed: ${(res.stderr || res.error?.message || "").trim().split("\n").pop()}`;
    return null;
  }
  const lines = res.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  peerInfo = `numpy ${lines[0].blas} kernel, ${lines[0].threads} threads`;
  return lines[1]?.gflops ?? null;
}

const best = new Map<string, number>();
const keep = (key: string, v: number | null) => {
  if (v !== null) best.set(key, Math.max(best.get(key) ?? 0, v));
};
for (let r = 0; r < rounds; r++) {
  for (const n of sizes) {
    for (const layout of layouts) keep(`${n} ${layout}`, ours(n, layout));
    keep(`${n} numpy`, numpy(n));
  }
}

const threads = (backend as { threads?: () => number }).threads?.() ?? 1;
const isa = (backend as { isa?: string }).isa ?? "?";
console.log(
  `genrm native GEMM (${isa}, ${threads} threads) vs ${peerInfo}; best of ${rounds} rounds, GFLOP/s`,
);
console.log("     n      NN      NT      TN   numpy   NN/numpy");
for (const n of sizes) {
  const cell = (k: string) => (best.get(`${n} ${k}`)?.toFixed(1) ?? "-").padStart(7);
  const np = best.get(`${n} numpy`);
  const ratio = np ? ((best.get(`${n} NN`) ?? 0) / np).toFixed(2) : "-";
  console.log(
    `${String(n).padStart(6)} ${cell("NN")} ${cell("NT")} ${cell("TN")} ${cell("numpy")}   ${ratio.padStart(8)}`,
  );
}
