/**
 * The behaviour-cloning losses of agents/rpl/bc-loss.ts in a graph, each with its gradients in
 * the actor's parameters, over rows of their own: inputs `bc_input` [m, obsDim] and `bc_target`
 * [m, actDim], and for `"sample"` the noise `bc_eps` [m, actDim].
 *
 * `"sample"` is the MSE between the reparameterised squashed action and the target: the author's
 * `"mse"` with standard-normal noise, `"mse-mean"` with the noise fed as zeros (then u is the
 * mean and the action act_limit · tanh(mean)). `"nll"` is the negative log-likelihood of the
 * target under the squashed Gaussian.
 *
 * A row mask (`rowMask`, [m, 1] of 0/1, e.g. the Q-filter's) zeroes the loss and gradient of the
 * rows it drops; the mean stays over all m rows, so a dropped row counts as a zero. `kept` is the
 * share of rows it keeps (1 without a mask).
 */
import { NLL_EDGE, type BcLossKind } from "../nn/bc-loss.js";
import type { Graph } from "./graph.js";
import { mlpBackward, mlpForward, type MlpParams } from "./mlp-graph.js";
import { gaussianHead, policyBackward, policySample } from "./squashed-gaussian-graph.js";

export type BcGraphKind = "sample" | "nll";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The graph that computes a loss kind (`"mse-mean"` is `"sample"` fed zero noise). */
export function bcGraphKind(kind: BcLossKind): BcGraphKind {
  return kind === "nll" ? "nll" : "sample";
}

export function bcLossGraph(
  g: Graph,
  kind: BcGraphKind,
  actor: MlpParams,
  obsDim: number,
  actDim: number,
  actLimit: string,
  rowMask?: (input: string, target: string) => string,
): { loss: string; grads: string[]; kept: string } {
  const input = g.input("bc_input", ["m", obsDim]);
  const target = g.input("bc_target", ["m", actDim]);
  // 1 / (m · actDim): both losses are means over rows and action dimensions.
  const scale = g.div(g.constant([1 / actDim]), g.rows(input));
  const mask = rowMask?.(input, target) ?? null;
  const kept = mask === null ? g.constant([1]) : g.reduceMean(mask, [0, 1], false);
  if (kind === "nll") return { ...nllGraph(g, actor, input, target, actDim, actLimit, scale, mask), kept };
  const sample = policySample(g, actor, input, g.input("bc_eps", ["m", actDim]), actLimit, actDim);
  const error = mask === null ? g.sub(sample.action, target) : g.mul(g.sub(sample.action, target), mask);
  const loss = g.reduceMean(g.mul(error, error), [0, 1], false);
  const dAction = g.mul(g.mul(error, g.constant([2])), scale);
  return { loss, grads: policyBackward(g, actor, sample, dAction, null, actLimit), kept };
}

/**
 * -(1/(m·d)) Σ [log N(u; mean, std) - log(1 - tanh² u)] with u = atanh(target / act_limit), the
 * target pulled in from the bound by NLL_EDGE so that atanh stays finite.
 */
function nllGraph(
  g: Graph,
  actor: MlpParams,
  input: string,
  target: string,
  actDim: number,
  actLimit: string,
  scale: string,
  mask: string | null,
): { loss: string; grads: string[] } {
  const { out, trace } = mlpForward(g, actor, input);
  const { mean, logStd, logStdInRange } = gaussianHead(g, out, actDim);
  const std = g.op("Exp", [logStd]);
  const y = g.op("Clip", [g.div(target, actLimit), g.constant([-1 + NLL_EDGE]), g.constant([1 - NLL_EDGE])]);
  // atanh(y) and log(1 - y²) through log(1 ± y): 1 - y² itself loses its digits near the bound.
  const logOnePlusY = g.op("Log", [g.add(g.constant([1]), y)]);
  const logOneMinusY = g.op("Log", [g.sub(g.constant([1]), y)]);
  const u = g.mul(g.sub(logOnePlusY, logOneMinusY), g.constant([0.5]));
  const z = g.div(g.sub(u, mean), std);
  const zz = g.mul(z, z);
  const logProb = g.op("Neg", [
    g.add(g.add(g.add(g.mul(zz, g.constant([0.5])), logStd), g.constant([HALF_LOG_2PI])), g.add(logOnePlusY, logOneMinusY)),
  ]);
  const counted = mask === null ? logProb : g.mul(logProb, mask);
  const loss = g.op("Neg", [g.reduceMean(counted, [0, 1], false)]);
  // d log N / d mean = z / std; d log N / d log_std = z² - 1 (zero where the clip binds).
  const negScale = mask === null ? g.op("Neg", [scale]) : g.mul(g.op("Neg", [scale]), mask);
  const dMean = g.mul(g.div(z, std), negScale);
  const dLogStd = g.mul(g.mul(g.sub(zz, g.constant([1])), negScale), logStdInRange);
  return { loss, grads: mlpBackward(g, actor, trace, g.concat([dMean, dLogStd], 1), "params") };
}
