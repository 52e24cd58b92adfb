/**
 * The SAC actor: an MLP whose output is the mean and log-std of a Gaussian over u, with the action
 * a = act_limit * tanh(u) (Haarnoja et al. 2018, appendix C), and the backward pass of a sample.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Mlp, type MlpTrace } from "./mlp.js";

/** Log-std bounds of the seed code (Spinning Up's): wide enough never to bind in practice. */
export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface PolicySample {
  /** a = act_limit * tanh(u), [batch, actDim]. */
  action: tf.Tensor2D;
  /** log pi(tanh(u) | s), [batch]; the act_limit scaling is left out, as in the seed code. */
  logProb: tf.Tensor1D;
  /** What {@link SquashedGaussianPolicy.backward} needs. */
  trace: { net: MlpTrace; eps: tf.Tensor2D; tanhU: tf.Tensor2D; std: tf.Tensor2D; logStdInRange: tf.Tensor2D };
}

export class SquashedGaussianPolicy {
  readonly obsDim: number;
  readonly actDim: number;
  readonly net: Mlp;

  /** `hidden`: the trunk's widths; the last layer outputs [mean, log-std], 2 * actDim units. */
  constructor(obsDim: number, actDim: number, hidden: readonly number[]) {
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.net = new Mlp([obsDim, ...hidden, 2 * actDim]);
  }

  /** A reparameterised sample u = mean + std * eps from standard-normal `eps` [batch, actDim]. */
  sample(params: readonly tf.Tensor[], obs: tf.Tensor2D, eps: tf.Tensor2D, actLimit: tf.Tensor1D): PolicySample {
    const { out, trace } = this.net.forward(params, obs);
    const [mean, rawLogStd] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const logStd = tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX);
    const std = tf.exp(logStd);
    const u = tf.add(mean, tf.mul(std, eps));
    const tanhU = tf.tanh(u) as tf.Tensor2D;
    // log N(u; mean, std) = -eps^2/2 - log std - log(2 pi)/2, since (u - mean)/std is eps exactly.
    const gaussian = tf.sub(tf.mul(tf.sum(tf.square(eps), 1), -0.5), this.actDim * HALF_LOG_2PI);
    // log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)): stable for large |u|, where
    // 1 - tanh(u)^2 rounds to 0 (Spinning Up's form). With z = -2u: 2 log 2 + z - 2 softplus(z).
    const z = tf.mul(u, -2);
    const logDetTanh = tf.add(tf.sub(z, tf.mul(tf.softplus(z), 2)), 2 * Math.LN2);
    const logProb = tf.sub(gaussian, tf.sum(tf.add(logStd, logDetTanh), 1)) as tf.Tensor1D;
    const logStdInRange = tf.cast(tf.equal(logStd, rawLogStd), "float32") as tf.Tensor2D;
    return {
      action: tf.mul(tanhU, actLimit),
      logProb,
      trace: { net: trace, eps, tanhU, std: std as tf.Tensor2D, logStdInRange },
    };
  }

  /**
   * Parameter gradients of a loss from its gradients in the sample's action [batch, actDim] and
   * log-prob [batch] (or one value broadcast over the batch).
   */
  backward(
    params: readonly tf.Tensor[],
    sample: PolicySample,
    dAction: tf.Tensor2D,
    dLogProb: tf.Tensor,
    actLimit: tf.Tensor1D,
  ): tf.Tensor[] {
    const { eps, tanhU, std, logStdInRange, net } = sample.trace;
    const dLogProbCol = dLogProb.rank === 1 ? tf.reshape(dLogProb, [-1, 1]) : dLogProb;
    // d log pi / du = 2 tanh(u) (from -log(1 - tanh^2 u)); da/du = act_limit (1 - tanh^2 u).
    const dU = tf.add(tf.mul(dLogProbCol, tf.mul(tanhU, 2)), tf.mul(dAction, tf.mul(actLimit, tf.sub(1, tf.square(tanhU)))));
    // u = mean + exp(log_std) eps, and log pi holds -log_std directly; the clip passes no gradient.
    const dLogStd = tf.mul(tf.sub(tf.mul(dU, tf.mul(std, eps)), dLogProbCol), logStdInRange);
    const dOut = tf.concat([dU, dLogStd], 1) as tf.Tensor2D;
    return this.net.backward(params, net, dOut, "params").params!;
  }

  /** The deterministic (evaluation) action act_limit * tanh(mean). */
  mode(params: readonly tf.Tensor[], obs: tf.Tensor2D, actLimit: tf.Tensor1D): tf.Tensor2D {
    const { out } = this.net.forward(params, obs);
    const mean = tf.slice(out, [0, 0], [-1, this.actDim]);
    return tf.mul(tf.tanh(mean), actLimit);
  }
}
