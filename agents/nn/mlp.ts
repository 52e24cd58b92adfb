/**
 * A multi-layer perceptron: ReLU hidden layers, linear output, parameters in a flat vector, with
 * an explicit backward pass.
 *
 * The backward pass is written out rather than taken from `tf.grads`: tfjs-core alone registers
 * no gradients (the union package `@tensorflow/tfjs` does), and by hand each gradient that is not
 * needed (the critics' own weights inside the policy loss) is simply never computed.
 *
 * Parameter names follow tfjs-layers (`dense_1/kernel`, `dense_1/bias`, ...) so that a saved
 * actor is a Sequential model a browser can load with `tf.loadLayersModel`.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../../sim/core/rng.js";
import { denseBackward, denseForward, type Activation } from "./dense.js";
import { ParamLayout } from "./param-layout.js";

/** What a forward pass keeps for its backward pass: each layer's input and output. */
export interface MlpTrace {
  inputs: tf.Tensor2D[];
  outputs: tf.Tensor2D[];
}

export interface MlpGrads {
  /** Gradients in {@link Mlp.layout} order, or null if not asked for. */
  params: tf.Tensor[] | null;
  /** Gradient of the input, or null if not asked for. */
  input: tf.Tensor2D | null;
}

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

  /** The output for input x [batch, sizes[0]], and the trace {@link backward} needs. */
  forward(params: readonly tf.Tensor[], x: tf.Tensor2D): { out: tf.Tensor2D; trace: MlpTrace } {
    const trace: MlpTrace = { inputs: [], outputs: [] };
    let h = x;
    for (let i = 0; i < this.numLayers; i++) {
      trace.inputs.push(h);
      h = denseForward(h, params[2 * i] as tf.Tensor2D, params[2 * i + 1] as tf.Tensor1D, this.activation(i));
      trace.outputs.push(h);
    }
    return { out: h, trace };
  }

  /**
   * Gradients from `dOut`, the loss gradient of the output. `grad`: `params` (the input is data,
   * so the first layer's dx is skipped) or `input` (frozen weights: no dW, no db).
   */
  backward(params: readonly tf.Tensor[], trace: MlpTrace, dOut: tf.Tensor2D, grad: "params" | "input"): MlpGrads {
    const paramGrads: tf.Tensor[] = new Array<tf.Tensor>(2 * this.numLayers);
    let dy = dOut;
    for (let i = this.numLayers - 1; i >= 0; i--) {
      const layerGrad = grad === "input" ? "input" : i === 0 ? "params" : "all";
      const g = denseBackward(dy, trace.inputs[i]!, params[2 * i] as tf.Tensor2D, trace.outputs[i]!, this.activation(i), layerGrad);
      if (grad === "params") {
        paramGrads[2 * i] = g.dw!;
        paramGrads[2 * i + 1] = g.db!;
      }
      if (g.dx !== null) dy = g.dx;
    }
    return { params: grad === "params" ? paramGrads : null, input: grad === "input" ? dy : null };
  }

  private activation(layer: number): Activation {
    return layer === this.numLayers - 1 ? "linear" : "relu";
  }
}
