/**
 * The native addon against the reference backend, kernel by kernel, on several shapes including
 * sizes that are not multiples of the GEMM's micro-tile (6×16) or block (144×256). Each case
 * prints its max abs diff. Fails when the addon is not built: run `npm run build:native`.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/tensor/backend/types.js";
import { createRng, loadNativeBackend, referenceBackend } from "../../src/tensor/index.js";

const loaded = loadNativeBackend();
const native = loaded.backend;
const ref = referenceBackend;

const rng = createRng(42);
const rand = (n: number, s = 1) => Float32Array.from({ length: n }, () => rng.normal() * s);

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    m = Math.max(m, Math.abs(a[i]! - b[i]!));
  }
  return m;
}

/** Runs `fn` on both backends with fresh copies of `outs` and compares every output. */
function agree(
  label: string,
  outs: Float32Array[],
  fn: (be: Backend, outs: Float32Array[]) => void,
  tol: number,
) {
  const r = outs.map((o) => Float32Array.from(o));
  const n = outs.map((o) => Float32Array.from(o));
  fn(ref, r);
  fn(native!, n);
  const diffs = r.map((ro, i) => maxDiff(ro, n[i]!));
  console.log(`${label}: max abs diff ${diffs.map((d) => d.toExponential(2)).join(", ")}`);
  for (const d of diffs) expect(d).toBeLessThanOrEqual(tol);
}

describe("native backend", () => {
  it("loads", () => {
    expect(loaded.error).toBe("");
    expect(native).not.toBeNull();
    console.log(`native isa ${(native as unknown as { isa: string }).isa}`);
  });

  const gemmShapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [6, 16, 8],
    [7, 17, 300],
    [37, 1, 64],
    [1, 53, 129],
    [150, 70, 257],
    [97, 161, 513],
  ];
  for (const [M, N, K] of gemmShapes) {
    for (const [transA, transB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      for (const accumulate of [false, true]) {
        it(`gemm ${M}x${N}x${K} ${transA ? "T" : "N"}${transB ? "T" : "N"}${accumulate ? " +=" : ""}`, () => {
          const a = rand(M * K);
          const b = rand(K * N);
          agree(
            `gemm ${M}x${N}x${K} ${transA ? "T" : "N"}${transB ? "T" : "N"}${accumulate ? "+" : ""}`,
            [rand(M * N)],
            (be, [c]) => be.gemm(c!, a, b, M, N, K, transA, transB, accumulate),
            1e-4 * Math.sqrt(K) + 1e-5,
          );
        });
      }
    }
  }

  it("gemm splits across threads without overlap on a large odd shape", () => {
    const [M, N, K] = [301, 389, 130];
    const a = rand(M * K);
    const b = rand(N * K);
    agree(
      "gemm 301x389x130 NT",
      [new Float32Array(M * N)],
      (be, [c]) => be.gemm(c!, a, b, M, N, K, false, true, false),
      2e-3,
    );
  });

  for (const [N, C] of [
    [1, 1],
    [5, 7],
    [33, 96],
    [300, 130],
  ] as const) {
    it(`rmsnorm N=${N} C=${C}`, () => {
      const x = rand(N * C);
      const w = rand(C);
      const dout = rand(N * C);
      const rstd = new Float32Array(N);
      ref.rmsnormForward(new Float32Array(N * C), rstd, x, w, N, C, 1e-5);
      agree(
        `rmsnorm fwd N=${N} C=${C}`,
        [new Float32Array(N * C), new Float32Array(N)],
        (be, [o, r]) => be.rmsnormForward(o!, r!, x, w, N, C, 1e-5),
        1e-5,
      );
      agree(
        `rmsnorm bwd N=${N} C=${C}`,
        [rand(N * C), rand(C)],
        (be, [dx, dw]) => be.rmsnormBackward(dx!, dw!, dout, x, w, rstd, N, C),
        1e-4,
      );
    });
  }

  for (const style of ["neox", "interleaved"] as const) {
    for (const [N, H, D] of [
      [1, 1, 2],
      [7, 3, 6],
      [40, 4, 64],
    ] as const) {
      it(`rope ${style} N=${N} H=${H} D=${D}`, () => {
        const P = 50;
        const cos = rand((P * D) / 2);
        const sin = rand((P * D) / 2);
        const pos = Int32Array.from({ length: N }, () => rng.int(P));
        const x = rand(N * H * D);
        for (const inverse of [false, true]) {
          agree(
            `rope ${style}${inverse ? " inverse" : ""} N=${N} H=${H} D=${D}`,
            [new Float32Array(N * H * D)],
            (be, [o]) => be.rope(o!, x, pos, cos, sin, N, H, D, style, inverse),
            1e-5,
          );
        }
      });
    }
  }

  for (const n of [1, 13, 100_003]) {
    it(`swiglu n=${n}`, () => {
      const g = rand(n, 3);
      const u = rand(n);
      const d = rand(n);
      agree(`swiglu fwd n=${n}`, [new Float32Array(n)], (be, [o]) => be.swigluForward(o!, g, u, n), 1e-5);
      agree(
        `swiglu bwd n=${n}`,
        [rand(n), rand(n)],
        (be, [dg, du]) => be.swigluBackward(dg!, du!, d, g, u, n),
        1e-5,
      );
    });
  }

  const attnShapes: {
    B: number;
    T: number;
    H: number;
    Hkv: number;
    D: number;
    mask?: "lengths" | "left";
    /** Packed rows: segment lengths of each row, cycled until the row is full. */
    segments?: number[];
  }[] = [
    { B: 1, T: 1, H: 1, Hkv: 1, D: 1 },
    { B: 2, T: 5, H: 4, Hkv: 2, D: 3 },
    { B: 1, T: 37, H: 3, Hkv: 1, D: 16, mask: "lengths" },
    { B: 3, T: 20, H: 6, Hkv: 3, D: 64, mask: "left" },
    { B: 1, T: 130, H: 2, Hkv: 1, D: 32 },
    { B: 2, T: 150, H: 4, Hkv: 2, D: 16, mask: "lengths" },
    { B: 1, T: 300, H: 4, Hkv: 2, D: 16, segments: [70, 1, 130, 40, 64] },
    { B: 2, T: 200, H: 2, Hkv: 1, D: 8, mask: "lengths", segments: [63, 65, 5] },
  ];
  for (const { B, T, H, Hkv, D, mask: kind, segments } of attnShapes) {
    it(`attention B=${B} T=${T} H=${H} Hkv=${Hkv} D=${D}${kind ? ` ${kind}` : ""}${segments ? " packed" : ""}`, () => {
      const q = rand(B * T * H * D);
      const k = rand(B * T * Hkv * D);
      const v = rand(B * T * Hkv * D);
      const dout = rand(B * T * H * D);
      let mask: Uint8Array | null = null;
      if (kind !== undefined) {
        mask = new Uint8Array(B * T);
        for (let b = 0; b < B; b++) {
          const len = 1 + rng.int(T);
          for (let t = 0; t < T; t++) mask[b * T + t] = (kind === "lengths" ? t < len : t >= T - len) ? 1 : 0;
        }
      }
      let seg: Int32Array | null = null;
      if (segments !== undefined) {
        seg = new Int32Array(B * T);
        for (let b = 0; b < B; b++) {
          let start = 0;
          for (let s = 0; start < T; s++) {
            const end = Math.min(T, start + segments[s % segments.length]!);
            seg.fill(start, b * T + start, b * T + end);
            start = end;
          }
        }
      }
      const scale = 1 / Math.sqrt(D);
      const out = new Float32Array(B * T * H * D);
      const lse = new Float32Array(B * H * T);
      ref.attentionForward(out, lse, q, k, v, mask, seg, B, T, H, Hkv, D, scale);
      agree(
        `attention fwd B=${B} T=${T} H=${H}/${Hkv} D=${D}`,
        [new Float32Array(out.length), new Float32Array(lse.length)],
        (be, [o, l]) => be.attentionForward(o!, l!, q, k, v, mask, seg, B, T, H, Hkv, D, scale),
        1e-5,
      );
      agree(
        `attention bwd B=${B} T=${T} H=${H}/${Hkv} D=${D}`,
        [rand(q.length), rand(k.length), rand(v.length)],
        (be, [dq, dk, dv]) =>
          be.attentionBackward(dq!, dk!, dv!, dout, q, k, v, out, lse, mask, seg, B, T, H, Hkv, D, scale),
        1e-4,
      );
    });
  }

  for (const [N, V] of [
    [1, 2],
    [9, 37],
    [64, 1000],
  ] as const) {
    it(`crossentropy N=${N} V=${V}`, () => {
      const logits = rand(N * V, 3);
      const targets = Int32Array.from({ length: N }, (_, i) => (i % 4 === 3 ? -100 : rng.int(V)));
      const dl = rand(N);
      const lse = new Float32Array(N);
      ref.crossentropyForward(new Float32Array(N), lse, logits, targets, N, V, -100);
      agree(
        `crossentropy fwd N=${N} V=${V}`,
        [new Float32Array(N), new Float32Array(N)],
        (be, [l, s]) => be.crossentropyForward(l!, s!, logits, targets, N, V, -100),
        1e-5,
      );
      agree(
        `crossentropy bwd N=${N} V=${V}`,
        [rand(N * V)],
        (be, [d]) => be.crossentropyBackward(d!, dl, logits, lse, targets, N, V, -100),
        1e-5,
      );
    });
  }

  for (const n of [1, 7, 70_001]) {
    it(`adamw n=${n}`, () => {
      const g = rand(n);
      const m0 = rand(n, 0.1);
      const v0 = Float32Array.from(rand(n, 0.1), (x) => x * x);
      for (const step of [1, 10]) {
        agree(
          `adamw n=${n} step=${step}`,
          [rand(n), Float32Array.from(m0), Float32Array.from(v0)],
          (be, [p, m, v]) => be.adamw(p!, g, m!, v!, n, 1e-3, 0.9, 0.999, 1e-8, 0.1, step),
          1e-6,
        );
      }
    });
  }

  it("rejects arrays shorter than the dims say instead of reading past them", () => {
    expect(() =>
      native!.gemm(
        new Float32Array(3),
        new Float32Array(4),
        new Float32Array(4),
        2,
        2,
        2,
        false,
        false,
        false,
      ),
    ).toThrow(/gemm: argument 0 has 3 elements, needs 4/);
    expect(() =>
      native!.crossentropyForward(
        new Float32Array(1),
        new Float32Array(1),
        new Float32Array(3),
        Int32Array.of(3),
        1,
        3,
        -100,
      ),
    ).toThrow(/target 3 is outside/);
    // A segment start the kernel would read keys before: refused, not read out of the row.
    const f = (n: number) => new Float32Array(n);
    expect(() =>
      native!.attentionForward(
        f(4),
        f(4),
        f(4),
        f(4),
        f(4),
        null,
        Int32Array.of(0, 0, 2, 1),
        1,
        4,
        1,
        1,
        1,
        1,
      ),
    ).toThrow(/segment start 1 at row 0, position 3/);
  });
});

describe("native thread pool", () => {
  // In a child process: a lost wake-up hangs the synchronous call, which no in-process timeout
  // can interrupt.
  it("survives resizing right before a threaded call, many times", () => {
    const script = `
      const addon = require(${JSON.stringify(resolve("build/Release/genrm_native.node"))});
      const M = 96, N = 160, K = 128;
      const a = new Float32Array(M * K).fill(1), b = new Float32Array(K * N).fill(2);
      for (let i = 0; i < 300; i++) {
        addon.setThreads(2 + (i % 3));
        const c = new Float32Array(M * N);
        addon.gemm(c, a, b, M, N, K, false, false, false);
        if (c.some((x) => x !== 2 * K)) throw new Error("wrong result at iteration " + i);
      }
      console.log("threads", addon.threads());`;
    const res = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(res.signal, "the pool hung").toBeNull();
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe(`threads ${2 + (299 % 3)}`);
  });
});

describe("GEMM micro-kernels other than the one this CPU picks", () => {
  // The ISA is fixed per process, so each capped choice runs in a child against a plain loop.
  for (const isa of ["avx2", "scalar"]) {
    it(`GENRM_GEMM_ISA=${isa} agrees with a plain loop`, () => {
      const script = `
        const addon = require(${JSON.stringify(resolve("build/Release/genrm_native.node"))});
        let seed = 7;
        const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
        let worst = 0;
        for (const [M, N, K] of [[7, 17, 300], [150, 70, 257], [29, 33, 5]]) {
          for (const ta of [false, true]) for (const tb of [false, true]) for (const acc of [false, true]) {
            const a = Float32Array.from({ length: M * K }, rnd), b = Float32Array.from({ length: K * N }, rnd);
            const c = Float32Array.from({ length: M * N }, rnd), ref = Float64Array.from(c);
            addon.gemm(c, a, b, M, N, K, ta, tb, acc);
            for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
              let s = acc ? ref[i * N + j] : 0;
              for (let p = 0; p < K; p++) s += (ta ? a[p * M + i] : a[i * K + p]) * (tb ? b[j * K + p] : b[p * N + j]);
              worst = Math.max(worst, Math.abs(s - c[i * N + j]));
            }
          }
        }
        console.log(addon.isa(), worst);`;
      const res = spawnSync(process.execPath, ["-e", script], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, GENRM_GEMM_ISA: isa },
      });
      expect(res.stderr).toBe("");
      const [got, worst] = res.stdout.trim().split(" ");
      console.log(`gemm isa ${got}: max abs diff vs float64 loop ${Number(worst).toExponential(2)}`);
      if (isa === "scalar" || process.arch === "x64") expect(got).toBe(isa);
      expect(Number(worst)).toBeLessThan(1e-4);
    });
  }
});
