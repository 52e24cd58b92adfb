/**
 * Adam over one flat parameter vector, as PyTorch's `torch.optim.Adam` computes it
 * (bias-corrected, eps added to the corrected second-moment root).
 *
 * The bias corrections are host-side scalars (the step count lives on the host), so a step is a
 * dozen element-wise ops on the device and no read-back.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface AdamConfig {
  /** @defaultValue 1e-3 */
  lr: number;
  /** @defaultValue 0.9 */
  beta1: number;
  /** @defaultValue 0.999 */
  beta2: number;
  /** @defaultValue 1e-8 */
  eps: number;
}

/** Host copy of an optimiser's state, for checkpoints. */
export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  /** Steps taken so far. */
  t: number;
}

export const adamDefaults: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export class FlatAdam {
  readonly config: AdamConfig;
  readonly size: number;
  private m: tf.Tensor1D;
  private v: tf.Tensor1D;
  private t = 0;

  constructor(size: number, config: Partial<AdamConfig> = {}) {
    this.config = { ...adamDefaults, ...config };
    this.size = size;
    this.m = tf.keep(tf.zeros([size]));
    this.v = tf.keep(tf.zeros([size]));
  }

  /**
   * Returns the updated parameters and advances the moments. Call inside `tf.tidy`; the moments
   * are kept across tidies by this object, the returned vector is the caller's.
   */
  step(theta: tf.Tensor1D, grad: tf.Tensor1D): tf.Tensor1D {
    const { lr, beta1, beta2, eps } = this.config;
    this.t += 1;
    const m: tf.Tensor1D = tf.add(this.m, tf.mul(tf.sub(grad, this.m), 1 - beta1));
    const v: tf.Tensor1D = tf.add(this.v, tf.mul(tf.sub(tf.square(grad), this.v), 1 - beta2));
    // lr * m_hat / (sqrt(v_hat) + eps), with both corrections folded into two scalars.
    const rootCorrection = Math.sqrt(1 - beta2 ** this.t);
    const stepSize = (lr * rootCorrection) / (1 - beta1 ** this.t);
    const next: tf.Tensor1D = tf.sub(theta, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps * rootCorrection)), stepSize));
    this.replaceMoments(tf.keep(m), tf.keep(v));
    return next;
  }

  getState(): AdamState {
    return { m: Float32Array.from(this.m.dataSync()), v: Float32Array.from(this.v.dataSync()), t: this.t };
  }

  setState(state: AdamState): void {
    if (state.m.length !== this.size || state.v.length !== this.size) {
      throw new Error(`FlatAdam.setState: expected moments of length ${this.size}, got ${state.m.length}/${state.v.length}`);
    }
    if (!Number.isInteger(state.t) || state.t < 0) throw new Error(`FlatAdam.setState: bad step count ${state.t}`);
    this.replaceMoments(tf.keep(tf.tensor1d(state.m)), tf.keep(tf.tensor1d(state.v)));
    this.t = state.t;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }

  private replaceMoments(m: tf.Tensor1D, v: tf.Tensor1D): void {
    this.m.dispose();
    this.v.dispose();
    this.m = m;
    this.v = v;
  }
}
