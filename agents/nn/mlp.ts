/**
 * A multi-layer perceptron: ReLU hidden layers, linear output, parameters in a flat vector.
 *
 * Parameter names follow tfjs-layers (`dense_1/kernel`, `dense_1/bias`, ...) so that a saved
 * actor is a Sequential model a browser can load with `tf.loadLayersModel`.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../../sim/rng.js";
import { dense, type DenseGrad } from "./dense.js";
import { ParamLayout } from "./param-layout.js";

export class Mlp {
  /** Widths from input to output, e.g. [10, 256, 256, 4]. */
  readonly sizes: readonly number[];
  readonly layout: ParamLayout;

  constructor(sizes: readonly number[]) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new Error(`Mlp needs at least two positive integer widths, got [${sizes.join(", ")}]`);
    }
    this.sizes = sizes;
    const specs = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      specs.push({ name: `dense_${i + 1}/kernel`, shape: [sizes[i]!, sizes[i + 1]!] });
      specs.push({ name: `dense_${i + 1}/bias`, shape: [sizes[i + 1]!] });
    }
    this.layout = new ParamLayout(specs);
  }

  get numLayers(): number {
    return this.sizes.length - 1;
  }

  /**
   * PyTorch's `nn.Linear` default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, so
   * that learning curves compare with the PyTorch anchors from the same starting scale.
   */
  init(rng: Rng): Float32Array {
    const flat = new Float32Array(this.layout.size);
    let offset = 0;
    for (let i = 0; i < this.numLayers; i++) {
      const bound = 1 / Math.sqrt(this.sizes[i]!);
      const count = (this.sizes[i]! + 1) * this.sizes[i + 1]!;
      for (let k = 0; k < count; k++) flat[offset + k] = rng.uniform(-bound, bound);
      offset += count;
    }
    return flat;
  }

  /**
   * Forward pass over `params` (this layout's {@link ParamLayout.split} output). `grad` says what
   * a surrounding `tf.grads` differentiates: the parameters (the input is data), the input only
   * (the parameters are frozen) or both.
   */
  apply(params: readonly tf.Tensor[], x: tf.Tensor2D, grad: "params" | "input"): tf.Tensor2D {
    let h = x;
    for (let i = 0; i < this.numLayers; i++) {
      const layerGrad: DenseGrad = grad === "input" ? "input" : i === 0 ? "params" : "all";
      const last = i === this.numLayers - 1;
      h = dense(h, params[2 * i] as tf.Tensor2D, params[2 * i + 1] as tf.Tensor1D, last ? "linear" : "relu", layerGrad);
    }
    return h;
  }
}
