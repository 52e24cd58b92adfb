/**
 * Twin Q critics (Fujimoto et al. 2018, used by SAC): two independent MLPs Q(s, a) -> R in one
 * flat parameter vector, qf1's parameters first.
 *
 * They stay two plain matMul chains rather than one batched matMul: the wasm backend runs any
 * matMul with a batch dimension in a naive loop, slower than two XNNPACK calls.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Mlp, type MlpTrace } from "./mlp.js";
import { ParamLayout } from "./param-layout.js";

export interface TwinQValues {
  qf1: tf.Tensor1D;
  qf2: tf.Tensor1D;
  traces: [MlpTrace, MlpTrace];
}

export class TwinQ {
  readonly obsDim: number;
  readonly actDim: number;
  readonly net: Mlp;
  /** `qf1/dense_1/kernel`, ..., then `qf2/...`. */
  readonly layout: ParamLayout;

  constructor(obsDim: number, actDim: number, hidden: readonly number[]) {
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.net = new Mlp([obsDim + actDim, ...hidden, 1]);
    this.layout = ParamLayout.concat([this.net.layout.prefixed("qf1"), this.net.layout.prefixed("qf2")]);
  }

  /** Q1(s, a) and Q2(s, a), each [batch]. */
  forward(params: readonly tf.Tensor[], obs: tf.Tensor2D, act: tf.Tensor2D): TwinQValues {
    const x = tf.concat([obs, act], 1);
    const half = params.length / 2;
    const q1 = this.net.forward(params.slice(0, half), x);
    const q2 = this.net.forward(params.slice(half), x);
    return { qf1: tf.reshape(q1.out, [-1]), qf2: tf.reshape(q2.out, [-1]), traces: [q1.trace, q2.trace] };
  }

  /** Gradients of both critics' parameters (layout order) from dLoss/dQ1 and dLoss/dQ2. */
  paramGrads(params: readonly tf.Tensor[], values: TwinQValues, dq1: tf.Tensor1D, dq2: tf.Tensor1D): tf.Tensor[] {
    const half = params.length / 2;
    const g1 = this.net.backward(params.slice(0, half), values.traces[0], tf.reshape(dq1, [-1, 1]), "params");
    const g2 = this.net.backward(params.slice(half), values.traces[1], tf.reshape(dq2, [-1, 1]), "params");
    return [...g1.params!, ...g2.params!];
  }

  /** dLoss/da [batch, actDim] from dLoss/dQ1 and dLoss/dQ2, the critics' weights held fixed. */
  actionGrad(params: readonly tf.Tensor[], values: TwinQValues, dq1: tf.Tensor1D, dq2: tf.Tensor1D): tf.Tensor2D {
    const half = params.length / 2;
    const g1 = this.net.backward(params.slice(0, half), values.traces[0], tf.reshape(dq1, [-1, 1]), "input");
    const g2 = this.net.backward(params.slice(half), values.traces[1], tf.reshape(dq2, [-1, 1]), "input");
    return tf.slice(tf.add(g1.input!, g2.input!), [0, this.obsDim], [-1, this.actDim]) as tf.Tensor2D;
  }
}
