/**
 * Adam in a graph, as agents/nn/adam.ts computes it (PyTorch's `torch.optim.Adam`): the bias
 * corrections are folded on the host into two scalar inputs per optimiser, the step size
 * lr·sqrt(1-β2^t)/(1-β1^t) and eps·sqrt(1-β2^t), so the graph holds no step counter and the two
 * engines do the same float32 arithmetic.
 */
import { adamDefaults } from "../nn/adam.js";
import type { Graph } from "./graph.js";

const { beta1, beta2, eps } = adamDefaults;

/** The two host-side scalars of an optimiser's `t`-th step (t counts from 1). */
export function adamScalars(lr: number, t: number): { stepSize: number; epsHat: number } {
  const rootCorrection = Math.sqrt(1 - beta2 ** t);
  return { stepSize: (lr * rootCorrection) / (1 - beta1 ** t), epsHat: eps * rootCorrection };
}

/** The graph inputs of one optimiser's scalars, named `${prefix}/step_size` and `${prefix}/eps_hat`. */
export function adamInputs(g: Graph, prefix: string): AdamScalarValues {
  return { stepSize: g.input(`${prefix}/step_size`, []), epsHat: g.input(`${prefix}/eps_hat`, []) };
}

export interface AdamScalarValues {
  stepSize: string;
  epsHat: string;
}

/** One parameter's step: its new value and moments. */
export function adamStep(
  g: Graph,
  param: string,
  grad: string,
  m: string,
  v: string,
  s: AdamScalarValues,
): { param: string; m: string; v: string } {
  const m2 = g.add(m, g.mul(g.sub(grad, m), g.constant([1 - beta1])));
  const v2 = g.add(v, g.mul(g.sub(g.mul(grad, grad), v), g.constant([1 - beta2])));
  const step = g.mul(g.div(m2, g.add(g.op("Sqrt", [v2]), s.epsHat)), s.stepSize);
  return { param: g.sub(param, step), m: m2, v: v2 };
}
