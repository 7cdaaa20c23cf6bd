/**
 * Bradley–Terry reward-model loss (paper Eqs. 1–2; TRL's `RewardTrainer`):
 *
 *   loss = −log σ(r(x, y_w) − r(x, y_l) − m)
 *
 * with r a scalar head on the final non-pad token and m an optional per-pair margin (TRL's
 * `margin` column, e.g. a rating gap). An optional centering term c·mean((r_w + r_l)²) (Eisenstein
 * et al. 2023; TRL's `center_rewards_coefficient`) keeps rewards near zero, since BT only sees
 * differences. Metrics follow TRL: accuracy, margin, min/mean/max reward.
 */
import { add, logSigmoid, mul, scale, sub, sum, type Tensor, tensor } from "../../tensor/index.js";
import { type LossResult, type ReductionOptions, resolveNormalizer } from "./types.js";

export interface BtLossOptions extends ReductionOptions {
  /** Per-pair margin m (B) subtracted inside the sigmoid. Defaults to none. */
  margin?: Float32Array;
  /** Weight c of c·(r_w + r_l)² per pair. Defaults to 0. */
  centerRewardsCoefficient?: number;
}

/** rewardsChosen (B), rewardsRejected (B) -> mean BT loss. */
export function btLoss(
  rewardsChosen: Tensor,
  rewardsRejected: Tensor,
  options: BtLossOptions = {},
): LossResult {
  const { margin, centerRewardsCoefficient = 0 } = options;
  const B = rewardsChosen.size;
  let diff = sub(rewardsChosen, rewardsRejected); // (B)
  if (margin !== undefined) diff = sub(diff, tensor(margin, [B]));
  let total = scale(sum(logSigmoid(diff)), -1);
  if (centerRewardsCoefficient > 0) {
    const s = add(rewardsChosen, rewardsRejected); // (B)
    total = add(total, scale(sum(mul(s, s)), centerRewardsCoefficient));
  }
  const loss = scale(total, 1 / resolveNormalizer(options.normalizer, B));

  let acc = 0;
  let gap = 0;
  let all = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < B; i++) {
    const c = rewardsChosen.data[i]!;
    const r = rewardsRejected.data[i]!;
    if (c > r) acc++;
    gap += c - r;
    all += c + r;
    min = Math.min(min, c, r);
    max = Math.max(max, c, r);
  }
  return {
    loss,
    count: B,
    metrics:
      B === 0
        ? {}
        : {
            accuracy: acc / B,
            margin: gap / B,
            mean_reward: all / (2 * B),
            min_reward: min,
            max_reward: max,
          },
  };
}
