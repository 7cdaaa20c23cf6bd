/**
 * Loss values and gradients against hand computations. Notation: ls(x) = log σ(x) =
 * −log(1 + e^−x), σ(x) = 1 / (1 + e^−x). Constants were evaluated in float64.
 */
import { describe, expect, it } from "vitest";
import { backward, parameter, tensor, tokenLogProbs } from "../../../src/tensor/index.js";
import { resolveTrainConfig } from "../../../src/train/config.js";
import {
  btLoss,
  completionCounts,
  completionRows,
  dpoLoss,
  pairwiseLoss,
  sequenceLogProbs,
  sftLoss,
  verdictLoss,
} from "../../../src/train/losses/index.js";

const close = (got: number, want: number, tol = 1e-6) => expect(Math.abs(got - want)).toBeLessThan(tol);

describe("dpoLoss", () => {
  // β = 0.5.
  // pair 1: π_c −3, π_r −5, ref_c −4, ref_r −4 → z = 0.5·((−3+5) − (−4+4)) = 1,     −ls(1)     = 0.31326168751822286
  // pair 2: π_c −6, π_r −2, ref_c −5.5, ref_r −3 → z = 0.5·((−6+2) − (−5.5+3)) = −0.75, −ls(−0.75) = 1.1368710061148999
  // mean = 0.7250663468165613
  // ∂L/∂π_c,i = −(1/B)·β·σ(−z_i): −0.25·σ(−1) = −0.06723535534249878, −0.25·σ(0.75) = −0.16979467479384824
  const input = () => ({
    policyChosen: parameter(tensor([-3, -6])),
    policyRejected: parameter(tensor([-5, -2])),
    refChosen: Float32Array.of(-4, -5.5),
    refRejected: Float32Array.of(-4, -3),
  });

  it("without β uses the trainer's β, the paper's 1.0 (it was TRL's 0.1 here and 1.0 in the trainer)", () => {
    // β = 1: z = 2 and −1.5 → (−ls(2) − ls(−1.5)) / 2
    close(dpoLoss(input()).loss.item(), 0.9141706445128625);
    const trainer = resolveTrainConfig({ method: "dpo" }).beta;
    close(dpoLoss(input()).loss.item(), dpoLoss(input(), { beta: trainer }).loss.item());
  });

  it("matches the hand-computed sigmoid loss, gradients and TRL metrics", () => {
    const x = input();
    const { loss, metrics, count } = dpoLoss(x, { beta: 0.5 });
    close(loss.item(), 0.7250663468165613);
    expect(count).toBe(2);
    backward(loss);
    close(x.policyChosen.grad!.data[0]!, -0.06723535534249878);
    close(x.policyChosen.grad!.data[1]!, -0.16979467479384824);
    close(x.policyRejected.grad!.data[0]!, 0.06723535534249878);
    close(x.policyRejected.grad!.data[1]!, 0.16979467479384824);
    // rewards/chosen = mean(β(π_c − ref_c)) = mean(0.5, −0.25) = 0.125
    // rewards/rejected = mean(0.5·(−5+4), 0.5·(−2+3)) = mean(−0.5, 0.5) = 0
    close(metrics["rewards/chosen"]!, 0.125);
    close(metrics["rewards/rejected"]!, 0);
    close(metrics["rewards/margins"]!, 0.125);
    close(metrics["rewards/accuracies"]!, 0.5);
    close(metrics["logps/chosen"]!, -4.5);
    close(metrics["logps/rejected"]!, -3.5);
  });

  it("divides by the step normalizer for gradient accumulation", () => {
    const { loss } = dpoLoss(input(), { beta: 0.5, normalizer: 4 });
    close(loss.item(), (0.31326168751822286 + 1.1368710061148999) / 4);
  });

  it("applies label smoothing ε: −(1−ε)·ls(z) − ε·ls(−z)", () => {
    const x = input();
    const { loss } = dpoLoss(
      { ...x, policyChosen: parameter(tensor([-3])), policyRejected: parameter(tensor([-5])) },
      { beta: 0.5, labelSmoothing: 0.1 },
    );
    // z = 1: 0.9·0.31326168751822286 + 0.1·1.3132616875182228 = 0.41326168751822286
    close(loss.item(), 0.413261687518223);
  });

  it("stays finite when the policy is confidently wrong", () => {
    const { loss } = dpoLoss(
      {
        policyChosen: parameter(tensor([-400])),
        policyRejected: parameter(tensor([0])),
        refChosen: Float32Array.of(0),
        refRejected: Float32Array.of(0),
      },
      { beta: 1 },
    );
    close(loss.item(), 400, 1e-3);
  });
});

describe("btLoss", () => {
  // r_c = (2, 0.5), r_r = (1, 1.5): d = (1, −1), losses (0.31326168751822286, 1.3132616875182228),
  // mean 0.8132616875182228; ∂L/∂r_c,0 = −½σ(−1) = −0.13447071068499755.
  it("matches the hand-computed Bradley–Terry loss and metrics", () => {
    const rc = parameter(tensor([2, 0.5]));
    const rr = parameter(tensor([1, 1.5]));
    const { loss, metrics } = btLoss(rc, rr);
    close(loss.item(), 0.8132616875182228);
    backward(loss);
    close(rc.grad!.data[0]!, -0.13447071068499755);
    close(rr.grad!.data[0]!, 0.13447071068499755);
    expect(metrics).toEqual({ accuracy: 0.5, margin: 0, mean_reward: 1.25, min_reward: 0.5, max_reward: 2 });
  });

  it("subtracts a per-pair margin", () => {
    // d = (1 − 0.5, −1 − 0) → (−ls(0.5) + −ls(−1)) / 2 = (0.4740769841801067 + 1.3132616875182228) / 2
    const { loss } = btLoss(tensor([2, 0.5]), tensor([1, 1.5]), { margin: Float32Array.of(0.5, 0) });
    close(loss.item(), 0.8936693358491647);
  });

  it("adds the centering term c·(r_c + r_r)²", () => {
    // pair (2, 1): −ls(1) + 0.01·9 = 0.40326168751822286
    const { loss } = btLoss(tensor([2]), tensor([1]), { centerRewardsCoefficient: 0.01 });
    close(loss.item(), 0.403261687518223);
  });
});

describe("pairwiseLoss", () => {
  // z = (2, −1, 0.5), y = (1, 1, 0.5):
  //   −ls(2) = 0.1269280110429725, −ls(−1) = 1.3132616875182228,
  //   tie: −½(ls(0.5) + ls(−0.5)) = 0.7240769841801067; mean 0.7214222275804341
  it("matches hand-computed binary cross-entropy with soft tie labels", () => {
    const z = parameter(tensor([2, -1, 0.5]));
    const { loss, metrics } = pairwiseLoss(z, Float32Array.of(1, 1, 0.5));
    close(loss.item(), 0.7214222275804341);
    backward(loss);
    // ∂/∂z of −[y ls(z) + (1−y) ls(−z)] / 3 = (σ(z) − y) / 3
    close(z.grad!.data[0]!, (1 / (1 + Math.exp(-2)) - 1) / 3);
    close(z.grad!.data[2]!, (1 / (1 + Math.exp(-0.5)) - 0.5) / 3);
    close(metrics.accuracy!, 0.5);
  });
});

describe("sftLoss", () => {
  // row 0 logits (0,0,0), target 1: log 3 = 1.0986122886681098
  // row 1 logits (1,2,3), target 2: log(e + e² + e³) − 3 = 0.40760596444438013; mean 0.7531091265562448
  it("is the token mean of cross-entropy with token accuracy", () => {
    const logits = parameter(tensor([0, 0, 0, 1, 2, 3], [2, 3]));
    const { loss, metrics, count } = sftLoss(logits, Int32Array.of(1, 2));
    close(loss.item(), 0.7531091265562448);
    expect(count).toBe(2);
    expect(metrics.mean_token_accuracy).toBe(0.5);
  });
});

describe("sequence log-probs", () => {
  it("sums each sequence's completion tokens and skips prompt and padding", () => {
    // B = 2, T = 3; sequence 0 predicts tokens at t=1,2; sequence 1 only at t=0.
    const targets = Int32Array.of(-100, 2, 0, 1, -100, -100);
    const c = completionRows(targets, 2, 3);
    expect([...c.rows]).toEqual([1, 2, 3]);
    expect([...c.sequence]).toEqual([0, 0, 1]);
    expect([...completionCounts(c)]).toEqual([2, 1]);
    const logits = parameter(tensor([0.5, -1, 2, 1, 1, 1, 3, 0, -2], [3, 3]));
    const per = tokenLogProbs(logits, c.targets).data;
    const seq = sequenceLogProbs(logits, c);
    expect(seq.shape).toEqual([2]);
    close(seq.data[0]!, per[0]! + per[1]!);
    close(seq.data[1]!, per[2]!);
    backward(seq, { grad: Float32Array.of(1, 0) });
    // Sequence 1's row gets no gradient from sequence 0's sum.
    expect([...logits.grad!.data.subarray(6)]).toEqual([0, 0, 0]);
  });
});

describe("verdictLoss", () => {
  // logits (0, 1, 2, 0), gold = token 2 ("B"), candidates (1, 2):
  //   CE = log(1 + e + e² + 1) − 2 = 0.49381170907223826; p_gold = σ(2 − 1) = 0.7310585786300049
  it("is cross-entropy on the verdict token with two-letter read-out metrics", () => {
    const { loss, metrics } = verdictLoss(parameter(tensor([0, 1, 2, 0], [1, 4])), Int32Array.of(2), {
      candidates: [1, 2],
    });
    close(loss.item(), 0.49381170907223826);
    close(metrics["verdict/p_gold"]!, 0.7310585786300049);
    expect(metrics["verdict/accuracy"]).toBe(1);
  });
});
