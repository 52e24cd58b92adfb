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

/**
 * Gradients of a {@link denseForward} call from the gradient `dy` of its output `y`.
 *
 * XNNPACK packs (transposes into its own layout) the right-hand operand of every matMul whose
 * right-hand tensor it has not seen before, at ~4 ns per element: about as much as the product
 * itself when that operand is batch-sized. So each product below is oriented to pack the smaller
 * of its two candidate operands, and whichever orientation is taken costs one plain 2-D matMul.
 */
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
    dx: grad === "params" ? null : inputGrad(dz, w),
    ...(wantParams ? paramGrads(dz, x) : { dw: null, db: null }),
  };
}

/**
 * dx = dz W^T. A weight smaller than dz (a first layer's [in, out] with in < batch, a last
 * layer's [in, 1]) is transposed and packed; otherwise (W dz^T)^T packs the batch-sized dz^T, far
 * cheaper than transposing and packing a fresh [256, 256] W.
 */
function inputGrad(dz: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (w.size <= dz.size) return tf.matMul(dz, tf.transpose(w)) as tf.Tensor2D;
  return tf.transpose(tf.matMul(w, tf.transpose(dz))) as tf.Tensor2D;
}

/**
 * dW = x^T dz and db = 1^T dz (db as a matMul: the wasm backend's Sum over axis 0 transposes
 * first and costs several times more at [256, 256]). When the layer widens (in < out, a first
 * layer) dW is computed as (dz^T x)^T, which packs x [batch, in] instead of dz [batch, out].
 */
function paramGrads(dz: tf.Tensor2D, x: tf.Tensor2D): { dw: tf.Tensor2D; db: tf.Tensor1D } {
  const [batch, inSize] = x.shape;
  if (inSize < dz.shape[1]) {
    const dzT = tf.transpose(dz);
    return {
      dw: tf.transpose(tf.matMul(dzT, x)) as tf.Tensor2D,
      db: tf.reshape(tf.matMul(dzT, tf.ones([batch, 1])), [-1]) as tf.Tensor1D,
    };
  }
  return {
    dw: tf.matMul(tf.transpose(x), dz) as tf.Tensor2D,
    // dz is already packed by the dW product, so this one reuses XNNPACK's cached operand.
    db: tf.reshape(tf.matMul(tf.ones([1, batch]), dz), [-1]) as tf.Tensor1D,
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
