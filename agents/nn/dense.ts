/**
 * A dense layer `act(x W + b)` and its backward pass, with no `matMul` using `transposeA` or
 * `transposeB` and no batched matMul.
 *
 * The wasm backend sends flagged or batched matMuls to a naive loop, ~18x slower than XNNPACK at
 * 256x256, and tfjs's own matMul gradient uses those flags. Here every product is a plain 2-D
 * matMul, and the operand XNNPACK packs (its right-hand side) is batch-sized where possible:
 * packing a fresh 256x256 weight costs about half a matMul.
 *
 * {@link denseBackward} is used directly by the hand-written SAC backward pass; {@link dense}
 * wraps the same maths in `tf.customGrad` for callers that differentiate with `tf.grads`.
 */
import * as tf from "@tensorflow/tfjs-core";

export type Activation = "relu" | "linear";

/**
 * Which gradients a backward pass produces: `params` (dW, db; x is data), `input` (dx only; the
 * weights are frozen, as for the critics inside the policy loss) or `all`. Each skipped gradient
 * skips a matMul.
 */
export type DenseGrad = "params" | "input" | "all";

export interface DenseGrads {
  dx: tf.Tensor2D | null;
  dw: tf.Tensor2D | null;
  db: tf.Tensor1D | null;
}

/** `act(x W + b)` for x [batch, in], W [in, out], b [out], as one fused kernel. */
export function denseForward(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b, activation }) as tf.Tensor2D;
}

/** Gradients of a {@link denseForward} call from the gradient `dy` of its output `y`. */
export function denseBackward(
  dy: tf.Tensor2D,
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  y: tf.Tensor2D,
  activation: Activation,
  grad: DenseGrad,
): DenseGrads {
  // relu'(z) is step(y): y > 0 exactly where z > 0.
  const dz = activation === "relu" ? (tf.mul(dy, tf.step(y)) as tf.Tensor2D) : dy;
  const wantParams = grad !== "input";
  return {
    // dx = dz W^T, computed as (W dz^T)^T: transposing the batch-sized dz and result is cheaper
    // than transposing W, and XNNPACK then packs dz^T [out, batch] rather than W^T [out, in].
    dx: grad === "params" ? null : (tf.transpose(tf.matMul(w, tf.transpose(dz))) as tf.Tensor2D),
    dw: wantParams ? (tf.matMul(tf.transpose(x), dz) as tf.Tensor2D) : null,
    // db = 1^T dz as a matMul: the wasm backend's Sum over axis 0 transposes first and costs
    // several times more at [256, 256].
    db: wantParams ? (tf.reshape(tf.matMul(tf.ones([1, dz.shape[0]]), dz), [-1]) as tf.Tensor1D) : null,
  };
}

/** {@link denseForward} differentiable by `tf.grads` in x, W and b through {@link denseBackward}. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  const op = tf.customGrad((xIn, wIn, bIn, save) => {
    const xv = xIn as tf.Tensor2D;
    const wv = wIn as tf.Tensor2D;
    const y = denseForward(xv, wv, bIn as tf.Tensor1D, activation);
    (save as tf.GradSaveFunc)([xv, wv, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const { dx, dw, db } = denseBackward(dy, xs, ws, ys, activation, "all");
        return [dx!, dw!, db!];
      },
    };
  });
  return op(x, w, b);
}
