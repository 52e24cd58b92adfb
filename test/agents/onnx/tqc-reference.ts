/**
 * TQC's losses (Kuznetsov et al. 2020) in the plain float64 loops of sac-reference.ts, restated from
 * the paper rather than from agents/onnx/tqc-critic-graph.ts: the graph test differentiates them by
 * central differences. M atoms per net, two nets, the d largest per net dropped from the pooled
 * target, tau_m = (2m + 1) / 2M, quantile Huber loss with kappa 1.
 */
import {
  clipTarget,
  concat,
  mlpRow,
  qfSizes,
  row,
  sampleRow,
  type Hyper,
  type NetDims,
  type Tensors,
  type Transitions,
} from "./sac-reference.js";

function settings(d: NetDims): { quantiles: number; dropPerNet: number } {
  if (!d.tqc) throw new Error("tqc-reference: NetDims without tqc");
  return d.tqc;
}

/** Both nets' atoms of `prefix` at (obs, act), net 0's first. */
function atoms(p: Tensors, d: NetDims, prefix: string, obs: ArrayLike<number>, act: ArrayLike<number>): number[] {
  const x = concat(obs, act);
  return [...mlpRow(p, prefix, qfSizes(d), 0, x), ...mlpRow(p, prefix, qfSizes(d), 1, x)];
}

/** Per row, the kept targets r + gamma (1 - done) (z - alpha log pi(a'|s')) for the 2(M - d) smallest target atoms z. */
export function tqcTargets(p: Tensors, d: NetDims, t: Transitions, h: Hyper): number[][] {
  const { quantiles, dropPerNet } = settings(d);
  const alpha = Math.exp(h.logAlpha);
  return Array.from({ length: t.n }, (_, r) => {
    const next = row(t.nextObs, d.obsDim, r);
    const pi = sampleRow(p, d, next, row(t.epsNext, d.actDim, r), h.actLimit);
    const kept = atoms(p, d, "qf_target", next, pi.action)
      .sort((a, b) => a - b)
      .slice(0, 2 * (quantiles - dropPerNet));
    return kept.map((z) => clipTarget(t.rew[r]! + (1 - t.done[r]!) * h.gamma * (z - alpha * pi.logProb), h));
  });
}

/** Each net's quantile Huber loss against `targets`, mean over rows, atoms and targets; and the mean of net 0's atoms. */
export function tqcCriticLosses(
  p: Tensors,
  d: NetDims,
  t: Transitions,
  targets: readonly (readonly number[])[],
): { qf1Loss: number; qf2Loss: number; qf1Mean: number } {
  const m = settings(d).quantiles;
  const losses = [0, 0];
  let qf1Mean = 0;
  for (let r = 0; r < t.n; r++) {
    const theta = atoms(p, d, "qf", row(t.obs, d.obsDim, r), row(t.act, d.actDim, r));
    const ys = targets[r]!;
    for (let i = 0; i < 2 * m; i++) {
      const tau = (2 * (i % m) + 1) / (2 * m);
      for (const y of ys) {
        const u = y - theta[i]!;
        const huber = Math.abs(u) <= 1 ? 0.5 * u * u : Math.abs(u) - 0.5;
        losses[i < m ? 0 : 1]! += (Math.abs(tau - (u < 0 ? 1 : 0)) * huber) / (t.n * m * ys.length);
      }
      if (i < m) qf1Mean += theta[i]! / (t.n * m);
    }
  }
  return { qf1Loss: losses[0]!, qf2Loss: losses[1]!, qf1Mean };
}

/** The critics' value of an action under TQC: the mean of both nets' atoms (the actor loss's, rlActorLoss's `value`). */
export function meanAtom(p: Tensors, d: NetDims, prefix: string, obs: ArrayLike<number>, act: ArrayLike<number>): number {
  const z = atoms(p, d, prefix, obs, act);
  return z.reduce((a, b) => a + b, 0) / z.length;
}
