/**
 * Bradley–Terry strengths from pairwise outcomes: P(i ≻ j) = σ(θ_i − θ_j), fitted by Newton's
 * method on the log-posterior with a backtracking line search. Newton converges quadratically, so
 * the fit is exact to rounding in a handful of steps, where MM (Hunter 2004) crawls linearly on
 * near-separable data (a sweep by one candidate). N is a candidate set (≤ a few hundred), so the
 * dense N×N solve costs nothing.
 *
 * A candidate that won every game has no finite maximum-likelihood strength, and one with no games
 * has no information at all. Both are handled by a prior written as virtual games: each candidate
 * wins `prior` and loses `prior` games against a virtual opponent of fixed strength θ = 0. That
 * makes the objective strictly concave (so the optimum is unique and finite) and anchors the scale
 * without renormalising; it pulls every strength towards 0 by the same pseudo-count.
 */

export interface PairwiseOutcome {
  i: number;
  j: number;
  /** Share of the game won by i, in [0, 1]: 1 a win, 0 a loss, ½ a tie, or a soft p̂(i ≻ j). */
  winI: number;
  /** Weight of the game (e.g. a number of votes). Defaults to 1. */
  weight?: number;
}

export interface BradleyTerryOptions {
  /** Virtual wins and losses per candidate against a θ = 0 opponent. Defaults to 0.1. */
  prior?: number;
  /** Stop when the largest gradient entry is below this. Defaults to 1e-10. */
  tolerance?: number;
  /** Newton steps. Defaults to 100 (a fit takes about 5 to 15). */
  maxIterations?: number;
}

export const defaultBradleyTerryOptions = {
  prior: 0.1,
  tolerance: 1e-10,
  maxIterations: 100,
} satisfies BradleyTerryOptions;

export interface BradleyTerryResult {
  /** Log-strengths θ_i, on the scale where the prior's virtual opponent has θ = 0. */
  theta: number[];
  iterations: number;
  converged: boolean;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** log σ(x) without overflow for large |x|. */
const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));

export function fitBradleyTerry(
  n: number,
  outcomes: readonly PairwiseOutcome[],
  options: BradleyTerryOptions = {},
): BradleyTerryResult {
  const {
    prior = defaultBradleyTerryOptions.prior,
    tolerance = defaultBradleyTerryOptions.tolerance,
    maxIterations = defaultBradleyTerryOptions.maxIterations,
  } = options;
  if (!(prior > 0))
    throw new RangeError(`prior must be > 0 (it keeps all-win strengths finite), got ${prior}`);
  for (const o of outcomes) {
    if (o.i === o.j || o.i < 0 || o.j < 0 || o.i >= n || o.j >= n) {
      throw new RangeError(`outcome (${o.i}, ${o.j}) is not a game between two of ${n} candidates`);
    }
    if (!(o.winI >= 0 && o.winI <= 1)) throw new RangeError(`winI must be in [0, 1], got ${o.winI}`);
  }

  const logPosterior = (theta: Float64Array) => {
    let l = 0;
    for (let i = 0; i < n; i++) l += prior * (logSigmoid(theta[i]) + logSigmoid(-theta[i]));
    for (const o of outcomes) {
      const d = theta[o.i] - theta[o.j];
      l += (o.weight ?? 1) * (o.winI * logSigmoid(d) + (1 - o.winI) * logSigmoid(-d));
    }
    return l;
  };

  let theta = new Float64Array(n);
  let current = logPosterior(theta);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    // Gradient g and the negated Hessian A (positive definite thanks to the prior).
    const g = new Float64Array(n);
    const A = Array.from({ length: n }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const s = sigmoid(theta[i]);
      g[i] += prior * (1 - 2 * s);
      A[i][i] += 2 * prior * s * (1 - s);
    }
    for (const o of outcomes) {
      const w = o.weight ?? 1;
      const s = sigmoid(theta[o.i] - theta[o.j]);
      g[o.i] += w * (o.winI - s);
      g[o.j] -= w * (o.winI - s);
      const h = w * s * (1 - s);
      A[o.i][o.i] += h;
      A[o.j][o.j] += h;
      A[o.i][o.j] -= h;
      A[o.j][o.i] -= h;
    }
    if (g.reduce((m, x) => Math.max(m, Math.abs(x)), 0) < tolerance) {
      converged = true;
      break;
    }
    iterations++;
    const step = solveSymmetric(A, g);
    // Backtracking: halve the step until the posterior does not decrease. Near the optimum the gain
    // (~ g²) falls below the rounding of a sum of hundreds of log terms, so "does not decrease" is
    // judged up to that rounding; otherwise a correct Newton step would be refused and the fit stall.
    const slack = 1e-12 * Math.max(1, Math.abs(current));
    let t = 1;
    let next: typeof theta | undefined;
    let value = current;
    for (let tries = 0; tries < 60; tries++, t /= 2) {
      const candidate = theta.map((x, i) => x + t * step[i]);
      const v = logPosterior(candidate);
      if (v >= current - slack) {
        next = candidate;
        value = v;
        break;
      }
    }
    if (!next) break;
    const moved = next.reduce((m, x, i) => Math.max(m, Math.abs(x - theta[i])), 0);
    theta = next;
    current = value;
    if (moved < 1e-13) {
      converged = true;
      break;
    }
  }
  return { theta: Array.from(theta), iterations, converged };
}

/** Solves A x = b for a symmetric positive definite A by Cholesky decomposition (A is copied). */
function solveSymmetric(A: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const L = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i][j];
      for (let k = 0; k < j; k++) sum -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(Math.max(sum, Number.MIN_VALUE)) : sum / L[j][j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= L[i][k] * y[k];
    y[i] = sum / L[i][i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= L[k][i] * x[k];
    x[i] = sum / L[i][i];
  }
  return x;
}
