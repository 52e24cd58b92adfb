/**
 * TQC's changes to SAC's update (Kuznetsov et al. 2020, "Controlling Overestimation Bias with
 * Truncated Mixture of Continuous Distributional Quantile Critics"), as the pieces
 * sac-update-graph.ts uses in place of the twin critics' min:
 * - the target pools both target nets' atoms at (s', a'), keeps all but the `dropPerNet` largest
 *   per net, and takes each kept atom as a target (the truncation is what curbs overestimation,
 *   so no min of the nets is needed);
 * - each net's loss is the quantile Huber loss (kappa 1) of its M atoms against every kept target;
 * - the actor maximises the mean of every atom of both nets.
 * Names follow the paper: M quantiles per net, N = 2 nets, k = M - d kept per net, tau_m = (2m + 1) / 2M.
 */
import type { Graph } from "./graph.js";
import type { TqcSettings } from "./sac-state-layout.js";

/** Atoms kept in the pooled target: (M - d) per net, both nets. */
function keptAtoms(tqc: TqcSettings): number {
  return 2 * (tqc.quantiles - tqc.dropPerNet);
}

/**
 * The kept atoms of the target nets' `target` [2, n, M] at (s', a'): both nets' atoms pooled per
 * row, the 2d largest dropped. Returns [n, K], what the target bootstraps from in place of SAC's min.
 */
export function tqcKeptAtoms(g: Graph, tqc: TqcSettings, target: string): string {
  const pooled = g.op("Reshape", [g.op("Transpose", [target], { perm: [1, 0, 2] }), g.ints([-1, 2 * tqc.quantiles])]);
  return g.topK(pooled, keptAtoms(tqc), false);
}

/**
 * Each net's quantile Huber loss against the targets [n, K] (r + gamma (1 - done) (z - alpha log
 * pi(a'|s')) for every kept atom z), mean over rows, its atoms and the targets: [2]; and its
 * gradient in the atoms `q` [2, n, M] (the nets' losses summed, as SAC's qf1_loss + qf2_loss).
 * With u = y - theta_m, the loss of a pair is |tau_m - 1{u < 0}| huber(u), whose derivative in
 * theta_m is -|tau_m - 1{u < 0}| clip(u, -1, 1).
 */
export function tqcCriticLoss(g: Graph, tqc: TqcSettings, q: string, targets: string, n: string): { losses: string; dq: string } {
  const m = tqc.quantiles;
  const k = keptAtoms(tqc);
  const u = g.sub(g.op("Unsqueeze", [targets, g.ints([0, 2])]), g.op("Unsqueeze", [q, g.ints([3])]));
  const tau = g.constant(
    Array.from({ length: m }, (_, i) => (2 * i + 1) / (2 * m)),
    [m, 1],
  );
  const weight = g.op("Abs", [g.sub(tau, g.mask(g.op("Less", [u, g.constant([0])])))]);
  const absU = g.op("Abs", [u]);
  const inner = g.op("Min", [absU, g.constant([1])]);
  // huber(u) = 0.5 u^2 for |u| <= 1, |u| - 0.5 beyond: both are a (|u| - a / 2) with a = min(|u|, 1).
  const huber = g.mul(inner, g.sub(absU, g.mul(inner, g.constant([0.5]))));
  const losses = g.reduceMean(g.mul(weight, huber), [1, 2, 3], false);
  const clipped = g.op("Max", [g.op("Min", [u, g.constant([1])]), g.constant([-1])]);
  const dq = g.div(g.mul(g.reduceSum(g.mul(weight, clipped), [3], false), g.constant([-1 / (m * k)])), n);
  return { losses, dq };
}

/** The actor's value of its sample: the mean of both nets' atoms `qfPi` [2, n, M], as [n, 1]; and its gradient in `qfPi` for the loss -mean(value). */
export function tqcActorValue(g: Graph, tqc: TqcSettings, qfPi: string, n: string): { value: string; dQ: string } {
  const value = g.reduceMean(g.reduceMean(qfPi, [0], false), [1], true);
  const dQ = g.div(g.op("Expand", [g.constant([-1 / (2 * tqc.quantiles)]), g.op("Shape", [qfPi])]), n);
  return { value, dQ };
}
