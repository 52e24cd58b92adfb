/**
 * Adam over a list of parameter tensors, as PyTorch's `torch.optim.Adam` computes it
 * (bias-corrected, eps added to the corrected second-moment root).
 *
 * The bias corrections are host-side scalars (the step count lives on the host), so a step is a
 * few element-wise ops per tensor and no read-back.
 *
 * Every {@link FLUSH_INTERVAL} steps the moments are flushed to zero below float32's smallest
 * normal number, on the host. A weight whose gradient is exactly zero (a dead ReLU's inputs)
 * leaves its moments stuck among the subnormals for ever (0.9 · m rounds back to m there), and
 * WebAssembly cannot set the CPU's flush-to-zero mode, so every op on them takes the slow path:
 * late in a PointMassPush run 57% of the moments were subnormal and an update cost 24 ms instead
 * of 14 (docs/benchmarks.md, "learn"). Flushing moves no weight: sqrt(v) < 1.1e-19 vanishes
 * beside eps, and lr · m / eps < 1e-33. Doing it with tensor ops on every step cost 3–5 ms per
 * update; on the host every 1000 steps it costs nothing measurable, and moments decay into the
 * subnormals over hundreds of steps, so few come back between flushes.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ParamLayout } from "./param-layout.js";

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

/** Host copy of an optimiser's state, moments flat in layout order, for checkpoints. */
export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  /** Steps taken so far. */
  t: number;
}

export const adamDefaults: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** The smallest normal float32, 2^-126; below it lie the subnormals. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/** Steps between flushes of subnormal moments (see the file comment). */
export const FLUSH_INTERVAL = 1000;

export class Adam {
  readonly config: AdamConfig;
  readonly layout: ParamLayout;
  private m: tf.Tensor[];
  private v: tf.Tensor[];
  private t = 0;

  constructor(layout: ParamLayout, config: Partial<AdamConfig> = {}) {
    this.config = { ...adamDefaults, ...config };
    this.layout = layout;
    this.m = layout.specs.map((s) => tf.keep(tf.zeros([...s.shape])));
    this.v = layout.specs.map((s) => tf.keep(tf.zeros([...s.shape])));
  }

  /**
   * Returns the updated parameters and advances the moments. Call inside `tf.tidy`: the moments
   * are kept across tidies by this object, the returned tensors belong to the caller's scope.
   */
  step(params: readonly tf.Tensor[], grads: readonly tf.Tensor[]): tf.Tensor[] {
    const { lr, beta1, beta2, eps } = this.config;
    this.t += 1;
    // lr * m_hat / (sqrt(v_hat) + eps), with both bias corrections folded into two scalars.
    const rootCorrection = Math.sqrt(1 - beta2 ** this.t);
    const stepSize = (lr * rootCorrection) / (1 - beta1 ** this.t);
    const epsHat = eps * rootCorrection;
    const next = params.map((theta, i) => {
      const g = grads[i]!;
      const m = tf.keep(tf.add(this.m[i]!, tf.mul(tf.sub(g, this.m[i]!), 1 - beta1)));
      const v = tf.keep(tf.add(this.v[i]!, tf.mul(tf.sub(tf.square(g), this.v[i]!), 1 - beta2)));
      this.m[i]!.dispose();
      this.v[i]!.dispose();
      this.m[i] = m;
      this.v[i] = v;
      return tf.sub(theta, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsHat)), stepSize));
    });
    if (this.t % FLUSH_INTERVAL === 0) {
      this.m = this.m.map(flushSubnormals);
      this.v = this.v.map(flushSubnormals);
    }
    return next;
  }

  getState(): AdamState {
    return { m: this.layout.toFlat(this.m), v: this.layout.toFlat(this.v), t: this.t };
  }

  setState(state: AdamState): void {
    if (!Number.isInteger(state.t) || state.t < 0) throw new Error(`Adam.setState: bad step count ${state.t}`);
    const m = this.layout.toTensors(state.m);
    const v = this.layout.toTensors(state.v);
    this.dispose();
    this.m = m.map((t) => tf.keep(t));
    this.v = v.map((t) => tf.keep(t));
    this.t = state.t;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

/** `moment` itself when it holds no subnormal; else a kept copy with them zeroed, `moment` disposed. */
function flushSubnormals(moment: tf.Tensor): tf.Tensor {
  const values = moment.dataSync();
  if (!values.some((x) => x !== 0 && Math.abs(x) < FLOAT32_MIN_NORMAL)) return moment;
  const flushed = Float32Array.from(values, (x) => (Math.abs(x) < FLOAT32_MIN_NORMAL ? 0 : x));
  const copy = tf.keep(tf.tensor(flushed, moment.shape));
  moment.dispose();
  return copy;
}
