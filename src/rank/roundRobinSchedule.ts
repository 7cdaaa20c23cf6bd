/**
 * The N(N−1)/2 games of a round robin in a balanced order: on a seeded shuffle of the candidates,
 * first every candidate against its neighbour (the NeMo "circular" schedule: N games, each candidate
 * in two), then against the candidate two places on, and so on. Cutting the list anywhere (a
 * comparison budget) leaves every candidate with the same number of games give or take one, which
 * is what a Bradley–Terry or Copeland fit on a subsample needs.
 */
import { seededPermutation } from "./seededPermutation.js";

export function roundRobinSchedule(n: number, seed: number): [number, number][] {
  const order = seededPermutation(n, seed, "genrm/rank/round-robin");
  const games: [number, number][] = [];
  for (let d = 1; d <= Math.floor(n / 2); d++) {
    for (let k = 0; k < n; k++) {
      // With n even, distance n/2 reaches each pair from both ends; keep the first.
      if (2 * d === n && k >= d) break;
      games.push([order[k], order[(k + d) % n]]);
    }
  }
  return games;
}
