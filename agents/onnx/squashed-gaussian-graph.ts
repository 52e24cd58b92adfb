/**
 * The SAC actor in a graph: a reparameterised tanh-squashed Gaussian sample and its backward
 * pass, the maths of agents/nn/squashed-gaussian-policy.ts (Haarnoja et al. 2018, appendix C).
 */
import { LOG_STD_MAX, LOG_STD_MIN } from "../nn/squashed-gaussian-policy.js";
import type { Graph } from "./graph.js";
import { mlpBackward, mlpForward, type MlpParams, type MlpTrace } from "./mlp-graph.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface PolicySampleValues {
  /** a = act_limit * tanh(u), [rows, actDim]. */
  action: string;
  /** log pi(tanh(u) | s), [rows, 1]; the act_limit scaling is left out, as in the seed code. */
  logProb: string;
  trace: { net: MlpTrace; eps: string; tanhU: string; std: string; logStdInRange: string };
}

/** The mean and the clipped log-std halves of the actor's output, and where the clip binds. */
export function gaussianHead(g: Graph, out: string, actDim: number): { mean: string; logStd: string; logStdInRange: string } {
  const mean = g.slice(out, 0, actDim, 1);
  const rawLogStd = g.slice(out, actDim, 2 * actDim, 1);
  const logStd = g.op("Clip", [rawLogStd, g.constant([LOG_STD_MIN]), g.constant([LOG_STD_MAX])]);
  return { mean, logStd, logStdInRange: g.mask(g.op("Equal", [logStd, rawLogStd])) };
}

/** u = mean + std * eps for standard-normal `eps` [rows, actDim]; `actLimit` is a [actDim] value. */
export function policySample(g: Graph, actor: MlpParams, obs: string, eps: string, actLimit: string, actDim: number): PolicySampleValues {
  const { out, trace } = mlpForward(g, actor, obs);
  const { mean, logStd, logStdInRange } = gaussianHead(g, out, actDim);
  const std = g.op("Exp", [logStd]);
  const u = g.add(mean, g.mul(std, eps));
  const tanhU = squash(g, u);
  // log N(u; mean, std) = -eps^2/2 - log std - log(2 pi)/2, since (u - mean)/std is eps exactly.
  // log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)), stable where 1 - tanh^2 rounds to 0.
  const z = g.mul(u, g.constant([-2]));
  const logDetTanh = g.add(g.sub(z, g.mul(g.op("Softplus", [z]), g.constant([2]))), g.constant([2 * Math.LN2]));
  const perDim = g.add(g.add(g.mul(g.mul(eps, eps), g.constant([0.5])), g.add(logStd, logDetTanh)), g.constant([HALF_LOG_2PI]));
  const logProb = g.op("Neg", [g.reduceSum(perDim, [1], true)]);
  return { action: g.mul(tanhU, actLimit), logProb, trace: { net: trace, eps, tanhU, std, logStdInRange } };
}

/**
 * The actor's parameter gradients of a loss, from its gradients in the sample's action
 * ([rows, actDim], or null) and log-prob (broadcast against [rows, 1], or null).
 */
export function policyBackward(
  g: Graph,
  actor: MlpParams,
  sample: PolicySampleValues,
  dAction: string | null,
  dLogProb: string | null,
  actLimit: string,
): string[] {
  const { eps, tanhU, std, logStdInRange, net } = sample.trace;
  // d log pi / du = 2 tanh(u) (from -log(1 - tanh^2 u)); da/du = act_limit (1 - tanh^2 u).
  const fromAction = dAction === null ? null : g.mul(dAction, g.mul(actLimit, g.sub(g.constant([1]), g.mul(tanhU, tanhU))));
  const fromLogProb = dLogProb === null ? null : g.mul(dLogProb, g.mul(tanhU, g.constant([2])));
  const dU = fromAction === null ? fromLogProb! : fromLogProb === null ? fromAction : g.add(fromAction, fromLogProb);
  // u = mean + exp(log_std) eps, and log pi holds -log_std directly; the clip passes no gradient.
  const viaU = g.mul(dU, g.mul(std, eps));
  const dLogStd = g.mul(dLogProb === null ? viaU : g.sub(viaU, dLogProb), logStdInRange);
  return mlpBackward(g, actor, net, g.concat([dU, dLogStd], 1), "params");
}

/** The deterministic (evaluation) action act_limit * tanh(mean). */
export function policyMode(g: Graph, actor: MlpParams, obs: string, actLimit: string, actDim: number): string {
  const { out } = mlpForward(g, actor, obs);
  return g.mul(squash(g, g.slice(out, 0, actDim, 1)), actLimit);
}

/** tanh, clipped to [-1, 1]: ORT's fast tanh can return 1 + 1 ulp, which would step outside the action bound. */
function squash(g: Graph, u: string): string {
  return g.op("Clip", [g.op("Tanh", [u]), g.constant([-1]), g.constant([1])]);
}
