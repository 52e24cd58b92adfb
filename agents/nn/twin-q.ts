/**
 * Twin Q critics (Fujimoto et al. 2018, used by SAC): two independent MLPs Q(s, a) -> R in one
 * flat parameter vector, qf1's parameters first.
 *
 * They stay two plain matMul chains rather than one batched matMul: the wasm backend runs any
 * matMul with a batch dimension in a naive loop, slower than two XNNPACK calls.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Mlp } from "./mlp.js";
import { ParamLayout } from "./param-layout.js";

export class TwinQ {
  readonly net: Mlp;
  /** `qf1/dense_1/kernel`, ..., then `qf2/...`. */
  readonly layout: ParamLayout;

  constructor(obsDim: number, actDim: number, hidden: readonly number[]) {
    this.net = new Mlp([obsDim + actDim, ...hidden, 1]);
    this.layout = ParamLayout.concat([this.net.layout.prefixed("qf1"), this.net.layout.prefixed("qf2")]);
  }

  /**
   * [Q1(s, a), Q2(s, a)], each [batch]. `grad`: `params` to train the critics, `input` for the
   * policy loss, which needs dQ/da but not the critics' own gradients.
   */
  apply(params: readonly tf.Tensor[], obs: tf.Tensor2D, act: tf.Tensor2D, grad: "params" | "input"): [tf.Tensor1D, tf.Tensor1D] {
    const x = tf.concat([obs, act], 1);
    const half = params.length / 2;
    const q1 = this.net.apply(params.slice(0, half), x, grad);
    const q2 = this.net.apply(params.slice(half), x, grad);
    return [tf.reshape(q1, [-1]), tf.reshape(q2, [-1])];
  }
}
