/**
 * A dense layer `act(x W + b)` whose gradient never uses `matMul` with `transposeA`/`transposeB`.
 *
 * tfjs's own gradient of `matMul` transposes through the matMul flags; the wasm backend sends any
 * flagged (or batched) matMul to a naive loop that is ~18x slower than XNNPACK at 256x256. Here
 * every product is a plain 2-D matMul, and the operands that XNNPACK packs (its right-hand side)
 * are batch-sized where possible: packing a fresh 256x256 weight costs about half a matMul.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core leaves gradient registration to the union package `@tensorflow/tfjs`; without this,
// tf.grads finds no gradient for Add, Mul, ... Every gradient in agents/ goes through this file.
import "@tensorflow/tfjs-core/dist/register_all_gradients";

export type Activation = "relu" | "linear";

/**
 * Which inputs get a gradient: `params` (W, b; x is data), `input` (x only; W, b frozen, as for
 * the critics inside the policy loss) or `all`. Skipping a gradient skips its matMul.
 */
export type DenseGrad = "params" | "input" | "all";

/** `act(x W + b)` for x [batch, in], W [in, out], b [out]. */
export function dense(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  activation: Activation,
  grad: DenseGrad,
): tf.Tensor2D {
  const forward = (xv: tf.Tensor2D, wv: tf.Tensor2D, bv: tf.Tensor1D): tf.Tensor2D =>
    tf.fused.matMul({ a: xv, b: wv, bias: bv, activation }) as tf.Tensor2D;
  // Gradient of the pre-activation z = x W + b, from the layer output y.
  const preActivationGrad = (dy: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D =>
    activation === "relu" ? (tf.mul(dy, tf.step(y)) as tf.Tensor2D) : dy;
  // dx = dz W^T, computed as (W dz^T)^T: transposing the batch-sized dz and the result is cheaper
  // than transposing W, and XNNPACK then packs dz^T [out, batch] instead of W^T [out, in].
  const inputGrad = (dz: tf.Tensor2D, wv: tf.Tensor2D): tf.Tensor2D =>
    tf.transpose(tf.matMul(wv, tf.transpose(dz))) as tf.Tensor2D;
  const weightGrad = (dz: tf.Tensor2D, xv: tf.Tensor2D): tf.Tensor2D => tf.matMul(tf.transpose(xv), dz) as tf.Tensor2D;

  if (grad === "params") {
    const op = tf.customGrad((wIn, bIn, save) => {
      const wv = wIn as tf.Tensor2D;
      const y = forward(x, wv, bIn as tf.Tensor1D);
      (save as tf.GradSaveFunc)([y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
          const dz = preActivationGrad(dy, saved[0] as tf.Tensor2D);
          return [weightGrad(dz, x), tf.sum(dz, 0)];
        },
      };
    });
    return op(w, b);
  }
  if (grad === "input") {
    const op = tf.customGrad((xIn, save) => {
      const y = forward(xIn as tf.Tensor2D, w, b);
      (save as tf.GradSaveFunc)([y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => inputGrad(preActivationGrad(dy, saved[0] as tf.Tensor2D), w),
      };
    });
    return op(x);
  }
  const op = tf.customGrad((xIn, wIn, bIn, save) => {
    const xv = xIn as tf.Tensor2D;
    const wv = wIn as tf.Tensor2D;
    const y = forward(xv, wv, bIn as tf.Tensor1D);
    (save as tf.GradSaveFunc)([xv, wv, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = preActivationGrad(dy, ys);
        return [inputGrad(dz, ws), weightGrad(dz, xs), tf.sum(dz, 0)];
      },
    };
  });
  return op(x, w, b);
}
