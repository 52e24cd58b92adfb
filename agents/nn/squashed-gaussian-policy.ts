/**
 * The SAC actor: an MLP whose output is the mean and log-std of a Gaussian over u, with the action
 * a = act_limit * tanh(u) (Haarnoja et al. 2018, appendix C).
 */
import * as tf from "@tensorflow/tfjs-core";
import { Mlp } from "./mlp.js";

/** Log-std bounds of the seed code (Spinning Up's): wide enough never to bind in practice. */
export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface PolicySample {
  /** a = act_limit * tanh(u), [batch, actDim]. */
  action: tf.Tensor2D;
  /** log pi(tanh(u) | s), [batch]; the act_limit scaling is left out, as in the seed code. */
  logProb: tf.Tensor1D;
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

  /**
   * A reparameterised sample u = mean + std * eps from standard-normal `eps` [batch, actDim],
   * differentiable in the parameters.
   */
  sample(params: readonly tf.Tensor[], obs: tf.Tensor2D, eps: tf.Tensor2D, actLimit: tf.Tensor1D): PolicySample {
    const [mean, rawLogStd] = tf.split(this.net.apply(params, obs, "params"), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const logStd = tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX);
    const u = tf.add(mean, tf.mul(tf.exp(logStd), eps));
    // log N(u; mean, std) = -eps^2/2 - log std - log(2 pi)/2: (u - mean)/std is eps exactly, and
    // its derivative through u cancels the one through mean, so the eps^2 term is a constant.
    const gaussianConst = tf.sub(tf.mul(tf.sum(tf.square(eps), 1), -0.5), this.actDim * HALF_LOG_2PI);
    // log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)): stable for large |u|, where
    // 1 - tanh(u)^2 rounds to 0 (Spinning Up's form). With z = -2u it is 2 log 2 + z - 2 softplus(z).
    const z = tf.mul(u, -2);
    const logDetTanh = tf.add(tf.sub(z, tf.mul(tf.softplus(z), 2)), 2 * Math.LN2);
    const logProb = tf.sub(gaussianConst, tf.sum(tf.add(logStd, logDetTanh), 1)) as tf.Tensor1D;
    return { action: tf.mul(tf.tanh(u), actLimit), logProb };
  }

  /** The deterministic (evaluation) action act_limit * tanh(mean). */
  mode(params: readonly tf.Tensor[], obs: tf.Tensor2D, actLimit: tf.Tensor1D): tf.Tensor2D {
    const out = this.net.apply(params, obs, "params");
    const mean = tf.slice(out, [0, 0], [-1, this.actDim]);
    return tf.mul(tf.tanh(mean), actLimit);
  }
}
