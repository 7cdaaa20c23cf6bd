/** Four standard errors of a binomial share: a bound a correct generator misses about once in 16,000 runs. */
export function binomialTolerance(p: number, n: number): number {
  return 4 * Math.sqrt((p * (1 - p)) / n);
}
