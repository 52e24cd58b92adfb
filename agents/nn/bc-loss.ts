/**
 * The behaviour-cloning losses of relay learning and of the flat "BC one layer" baseline
 * (docs/original-code.md §3.4, §3.6; the post's E11 compares the two kinds):
 *
 * - `"mse"` (the author's, the default): mean over rows and action dimensions of
 *   (a - a_target)², where a is the actor's *reparameterised, sampled* squashed action
 *   (docs/original-code.md §5.6: the author regressed a sample, not the mean).
 * - `"mse-mean"`: the same with the deterministic action act_limit · tanh(mean) (the fix of §5.6).
 * - `"nll"`: the negative log-likelihood of the target under the actor's squashed Gaussian,
 *   -(1/(m·d)) Σ [log N(u; mean, std) - log(1 - tanh² u)] with u = atanh(a_target / act_limit),
 *   the likelihood "of target actions under the actor distribution" the post tried. Targets on
 *   the bound are pulled in by {@link NLL_EDGE} so that atanh stays finite. The author's
 *   commented-out line scored the raw target under the pre-tanh Normal; that ignores the squash
 *   (and, for subgoals bounded at ±2.5, the scale), so it is not reproduced.
 *
 * Each loss comes with its gradient in the actor's parameters, written out as the rest of the
 * agent is (agents/nn: tfjs-core registers no gradients for the fused ops used here).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SquashedGaussianPolicy } from "./squashed-gaussian-policy.js";
import { LOG_STD_MAX, LOG_STD_MIN } from "./squashed-gaussian-policy.js";

export type BcLossKind = "mse" | "mse-mean" | "nll";

/**
 * A loss over the actor's parameters and its gradients, computed inside the caller's `tf.tidy`;
 * `seed` seeds any noise the loss draws.
 */
export type ActorLossTerm = (actor: readonly tf.Tensor[], seed: number) => { loss: tf.Scalar; grads: tf.Tensor[] };

/** A target at ±act_limit is scored at ±(1 - NLL_EDGE)·act_limit (2^-20, exact in float32). */
export const NLL_EDGE = 2 ** -20;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Supervised rows: inputs (observation ‖ goal) [m * obsDim] and target actions [m * actDim]. */
export interface BcRows {
  input: Float32Array;
  target: Float32Array;
}

/**
 * The loss `kind` over `rows` as an actor-loss term of the tfjs SAC engine (finetuning and
 * pretraining).
 */
export function bcTerm(
  policy: SquashedGaussianPolicy,
  actLimit: readonly number[],
  rows: BcRows,
  kind: BcLossKind,
  noise: (shape: [number, number], seed: number) => tf.Tensor2D = (shape, seed) =>
    tf.randomNormal(shape, 0, 1, "float32", seed) as tf.Tensor2D,
): ActorLossTerm {
  const { obsDim, actDim } = policy;
  const m = rows.input.length / obsDim;
  if (!Number.isInteger(m) || m === 0 || rows.target.length !== m * actDim) {
    throw new Error(
      `bcTerm: ${rows.input.length} input values and ${rows.target.length} target values do not make rows of ${obsDim} and ${actDim}`,
    );
  }
  if (actLimit.length !== actDim) throw new Error(`bcTerm: actLimit has ${actLimit.length} values for ${actDim} action dimensions`);
  return (actor, seed) => {
    const input = tf.tensor2d(rows.input, [m, obsDim]);
    const target = tf.tensor2d(rows.target, [m, actDim]);
    const limit = tf.tensor1d([...actLimit]);
    if (kind === "nll") return nllLoss(policy, actor, input, target, limit);
    // "mse-mean" is the sample with zero noise: u = mean, a = act_limit · tanh(mean).
    const eps = kind === "mse" ? noise([m, actDim], seed) : tf.zeros([m, actDim]);
    const sample = policy.sample(actor, input, eps as tf.Tensor2D, limit);
    const error = tf.sub(sample.action, target);
    const loss = tf.mean(tf.square(error)) as tf.Scalar;
    const dAction = tf.mul(error, 2 / (m * actDim)) as tf.Tensor2D;
    return { loss, grads: policy.backward(actor, sample, dAction, tf.scalar(0), limit) };
  };
}

function nllLoss(
  policy: SquashedGaussianPolicy,
  actor: readonly tf.Tensor[],
  input: tf.Tensor2D,
  target: tf.Tensor2D,
  limit: tf.Tensor1D,
): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const [m, d] = target.shape;
  const { out, trace } = policy.net.forward(actor, input);
  const [mean, rawLogStd] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const logStd = tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX);
  const std = tf.exp(logStd);
  const y = tf.clipByValue(tf.div(target, limit), -1 + NLL_EDGE, 1 - NLL_EDGE);
  // atanh(y) and log(1 - y²) through log1p(±y): 1 - y² itself loses its digits near the bound.
  const log1pY = tf.log1p(y);
  const log1mY = tf.log1p(tf.neg(y));
  const u = tf.mul(tf.sub(log1pY, log1mY), 0.5);
  const z = tf.div(tf.sub(u, mean), std);
  // log N(u; mean, std) - log(1 - tanh² u), per row and dimension; tanh(u) = y.
  const logProb = tf.sub(tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), HALF_LOG_2PI), tf.add(log1pY, log1mY));
  const scale = -1 / (m * d);
  const loss = tf.mul(tf.mean(logProb), -1) as tf.Scalar;
  // d log N / d mean = z / std; d log N / d log_std = z² - 1 (zero where the clip binds).
  const dMean = tf.mul(tf.div(z, std), scale);
  const dLogStd = tf.mul(tf.mul(tf.sub(tf.square(z), 1), scale), tf.cast(tf.equal(logStd, rawLogStd), "float32"));
  const dOut = tf.concat([dMean, dLogStd], 1) as tf.Tensor2D;
  return { loss, grads: policy.net.backward(actor, trace, dOut, "params").params! };
}
