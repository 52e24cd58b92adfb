/**
 * A ReLU MLP in a graph, forward and backward written out as ops (agents/nn/mlp.ts's maths).
 *
 * One net's kernels are [in, out] and biases [out]. Twin nets (the critics) are stored stacked,
 * kernels [2, in, out] and biases [2, 1, out], and run as one batched MatMul: a [rows, in] input
 * broadcasts against both, and every later activation is [2, rows, width].
 */
import type { Graph } from "./graph.js";

export interface MlpParams {
  /** Value names, input layer first. */
  readonly kernels: readonly string[];
  readonly biases: readonly string[];
  /** Stacked twin nets ([2, ...] parameters). */
  readonly twin: boolean;
}

/** What a forward pass keeps for its backward pass. */
export interface MlpTrace {
  /** Each layer's input, and its rank (2, or 3 for a twin's hidden activations). */
  readonly inputs: readonly { value: string; rank: number }[];
  /** Each layer's output (after its ReLU). */
  readonly outputs: readonly string[];
}

/** Parameter names `prefix/dense_i/kernel`, `prefix/dense_i/bias` (tfjs-layers naming, as agents/nn). */
export function mlpParams(prefix: string, layers: number, twin: boolean): MlpParams {
  const names = (kind: string): string[] => Array.from({ length: layers }, (_, i) => `${prefix}/dense_${i + 1}/${kind}`);
  return { kernels: names("kernel"), biases: names("bias"), twin };
}

/** Kernel and bias shapes of an MLP with widths `sizes`, in layer order. */
export function mlpShapes(sizes: readonly number[], twin: boolean): { kernel: number[]; bias: number[] }[] {
  return sizes.slice(1).map((out, i) => ({
    kernel: twin ? [2, sizes[i]!, out] : [sizes[i]!, out],
    bias: twin ? [2, 1, out] : [out],
  }));
}

export function mlpForward(g: Graph, p: MlpParams, x: string): { out: string; trace: MlpTrace } {
  const inputs: { value: string; rank: number }[] = [];
  const outputs: string[] = [];
  let h = x;
  const last = p.kernels.length - 1;
  p.kernels.forEach((kernel, i) => {
    inputs.push({ value: h, rank: p.twin && i > 0 ? 3 : 2 });
    const z = g.add(g.matMul(h, kernel), p.biases[i]!);
    h = i === last ? z : g.op("Relu", [z]);
    outputs.push(h);
  });
  return { out: h, trace: { inputs, outputs } };
}

/**
 * Backward from `dOut`, the loss gradient of the output. `want`: `params` (kernel and bias
 * gradients, interleaved as kernel_1, bias_1, ...; the input is data, so its gradient is never
 * formed) or `input` (the weights held fixed: no dW, no db). A twin's input gradient is
 * [2, rows, in], one per net.
 */
export function mlpBackward(g: Graph, p: MlpParams, trace: MlpTrace, dOut: string, want: "params" | "input"): string[] {
  const grads: string[] = new Array<string>(2 * p.kernels.length);
  let dy = dOut;
  for (let i = p.kernels.length - 1; i >= 0; i--) {
    // ReLU passes the gradient where its output is positive. A 0/1 mask times dy measured ~2x
    // faster in ORT than Where(h > 0, dy, 0) or dy · Sign(h) on [2, 100, 256].
    const dz = i === p.kernels.length - 1 ? dy : g.mul(dy, g.mask(g.op("Greater", [trace.outputs[i]!, g.constant([0])])));
    if (want === "params") {
      const input = trace.inputs[i]!;
      grads[2 * i] = g.matMul(g.transpose(input.value, input.rank), dz);
      const rank = p.twin ? 3 : 2;
      grads[2 * i + 1] = g.reduceSum(dz, [rank - 2], p.twin);
    }
    if (i > 0 || want === "input") dy = g.matMul(dz, g.transpose(p.kernels[i]!, p.twin ? 3 : 2));
  }
  return want === "params" ? grads : [dy];
}
