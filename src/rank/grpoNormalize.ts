/**
 * GRPO's group normalisation: (r − mean) / (std + 1e-4) over a group, with the unbiased std, as
 * TRL's GRPOTrainer computes it. The 1e-4 keeps a group of equal rewards at zeros instead of NaN.
 * Null rewards (nothing judged) stay null and are left out of the mean and std.
 */
const stdEpsilon = 1e-4;

export function grpoNormalize(rewards: readonly (number | null)[]): (number | null)[] {
  const known = rewards.filter((r): r is number => r !== null);
  const mean = known.reduce((s, r) => s + r, 0) / Math.max(known.length, 1);
  const std =
    known.length < 2 ? 0 : Math.sqrt(known.reduce((s, r) => s + (r - mean) ** 2, 0) / (known.length - 1));
  return rewards.map((r) => (r === null ? null : (r - mean) / (std + stdEpsilon)));
}
