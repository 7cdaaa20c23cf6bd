/**
 * `npm run bench:gemm`: GFLOP/s of genrm's native GEMM on square float32 matrices next to
 * numpy/OpenBLAS measured in the same run. The two alternate one timed run at a time (numpy in a
 * persistent peer process), so both see the same machine load; the table gives the best and the
 * median of each. The ratio compares NN, what numpy's a @ b does; NT and TN are the layouts of a
 * linear layer's forward and weight gradient.
 *
 *   npm run bench:gemm -- [--sizes 256,512,1024,2048] [--rounds 7] [--seconds 0.25]
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createRng, loadNativeBackend } from "../src/tensor/index.js";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const sizes = opt("sizes", "256,512,1024,2048").split(",").map(Number);
const rounds = Number(opt("rounds", "7"));
const seconds = Number(opt("seconds", "0.25"));

const { backend, error } = loadNativeBackend();
if (backend === null) {
  console.error(`native addon unavailable: ${error}\nbuild it with \`npm run build:native\``);
  process.exit(1);
}

type Layout = "NN" | "NT" | "TN";
const layouts: Layout[] = ["NN", "NT", "TN"];

function timeOurs(n: number, layout: Layout, a: Float32Array, b: Float32Array, c: Float32Array): number {
  const flops = 2 * n * n * n;
  const reps = Math.max(1, Math.round((seconds * 100e9) / flops));
  const t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) backend!.gemm(c, a, b, n, n, n, layout === "TN", layout === "NT", false);
  return (flops * reps) / (Number(process.hrtime.bigint() - t) / 1e9) / 1e9;
}

// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine to protect old OpenBLAS
// builds; they slow a current one, so the peer runs without them (and only the peer).
const peerEnv = { ...process.env };
delete peerEnv.OPENBLAS_CORETYPE;
delete peerEnv.OPENBLAS_L2_SIZE;
const peerScript = join(dirname(fileURLToPath(import.meta.url)), "peers", "gemm_numpy.py");
const peer = spawn("python3", [peerScript], { env: peerEnv, stdio: ["pipe", "pipe", "inherit"] });
const peerLines = createInterface({ input: peer.stdout })[Symbol.asyncIterator]();
const peerRead = async (): Promise<Record<string, unknown> | null> => {
  const next = await peerLines.next();
  return next.done ? null : (JSON.parse(next.value) as Record<string, unknown>);
};
const hello = await peerRead();
const peerInfo =
  hello === null ? "numpy unavailable" : `numpy ${hello.blas} kernel, ${hello.threads} threads`;
async function timeNumpy(n: number): Promise<number | null> {
  if (hello === null) return null;
  peer.stdin.write(`${n} ${seconds}\n`);
  const res = await peerRead();
  return res === null ? null : (res.gflops as number);
}

const runs = new Map<string, number[]>();
const add = (key: string, v: number | null) => {
  if (v !== null) runs.set(key, [...(runs.get(key) ?? []), v]);
};
for (const n of sizes) {
  const rng = createRng(n);
  const a = Float32Array.from({ length: n * n }, () => rng.normal());
  const b = Float32Array.from({ length: n * n }, () => rng.normal());
  const c = new Float32Array(n * n);
  for (const layout of layouts) backend.gemm(c, a, b, n, n, n, layout === "TN", layout === "NT", false);
  for (let r = 0; r < rounds; r++) {
    for (const layout of layouts) {
      add(`${n} ${layout}`, timeOurs(n, layout, a, b, c));
      if (layout === "NN") add(`${n} numpy`, await timeNumpy(n));
    }
  }
}
peer.stdin.end();

const stat = (key: string, which: "best" | "median"): number | undefined => {
  const xs = [...(runs.get(key) ?? [])].sort((x, y) => x - y);
  if (xs.length === 0) return undefined;
  return which === "best" ? xs[xs.length - 1] : xs[Math.floor(xs.length / 2)];
};
const threads = (backend as { threads?: () => number }).threads?.() ?? 1;
const isa = (backend as { isa?: string }).isa ?? "?";
console.log(
  `genrm native GEMM (${isa}, ${threads} threads) vs ${peerInfo}; ${rounds} alternating runs each, GFLOP/s`,
);
for (const which of ["best", "median"] as const) {
  console.log(`${which.padEnd(6)}     NN      NT      TN   numpy   NN/numpy`);
  for (const n of sizes) {
    const cell = (k: string) => (stat(`${n} ${k}`, which)?.toFixed(1) ?? "-").padStart(7);
    const np = stat(`${n} numpy`, which);
    const ratio = np ? ((stat(`${n} NN`, which) ?? 0) / np).toFixed(2) : "-";
    console.log(
      `${String(n).padStart(6)} ${cell("NN")} ${cell("NT")} ${cell("TN")} ${cell("numpy")}   ${ratio.padStart(8)}`,
    );
  }
}
