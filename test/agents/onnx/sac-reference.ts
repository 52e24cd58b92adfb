/**
 * A float64, forward-only reference of the SAC and behaviour-cloning losses, written as plain
 * loops so that it shares no code with agents/onnx (or tfjs): the graph tests differentiate it by
 * central differences and hold the graphs' hand-written backward passes against the result.
 *
 * Parameters are held by name, as the graphs name them (`actor/dense_1/kernel`, ...), in a
 * `Tensors` map of row-major Float64Arrays: one net's kernel is [in, out] and its bias [out]; the
 * twin critics are stacked, kernel [2, in, out] and bias [2, 1, out].
 */

export type Tensors = Map<string, Float64Array>;

export interface NetDims {
  obsDim: number;
  actDim: number;
  hidden: readonly number[];
  /** TQC's critics (tqc-reference.ts): M outputs per net, the d largest per net dropped from the target. */
  tqc?: { quantiles: number; dropPerNet: number } | null;
}

/** The constants of one update: alpha is exp(logAlpha), the one before the update's own alpha step. */
export interface Hyper {
  actLimit: readonly number[];
  gamma: number;
  logAlpha: number;
  /** Clip each target to [-1/(1 - gamma), 0] (SacConfig.clipReturn). */
  clipReturn?: boolean;
}

/** A target as the update regresses it: clipped to [-1/(1 - gamma), 0] when `h.clipReturn`. */
export const clipTarget = (y: number, h: Hyper): number => (h.clipReturn === true ? Math.min(0, Math.max(-1 / (1 - h.gamma), y)) : y);

/** One minibatch, row-major, with the two noise draws of the update (next-state and current-state samples). */
export interface Transitions {
  n: number;
  obs: Float64Array;
  act: Float64Array;
  rew: Float64Array;
  nextObs: Float64Array;
  done: Float64Array;
  epsNext: Float64Array;
  epsCur: Float64Array;
}

/** Behaviour-cloning rows; `eps` is the sampled action's noise (zeros for the mean action's MSE). */
export interface BcData {
  m: number;
  input: Float64Array;
  target: Float64Array;
  eps: Float64Array;
}

export type BcKind = "sample" | "nll";

const LOG_STD_MIN = -20;
const LOG_STD_MAX = 2;
/** The NLL target is pulled in from the bound by 2^-20 (agents/nn/bc-loss.ts's NLL_EDGE, restated). */
const EDGE = 2 ** -20;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export const actorSizes = (d: NetDims): number[] => [d.obsDim, ...d.hidden, 2 * d.actDim];
export const qfSizes = (d: NetDims): number[] => [d.obsDim + d.actDim, ...d.hidden, d.tqc?.quantiles ?? 1];

/** Names and shapes of an MLP's parameters, layer by layer (kernel then bias). */
export function netEntries(prefix: string, sizes: readonly number[], twin: boolean): { name: string; shape: number[] }[] {
  return sizes.slice(1).flatMap((out, i) => {
    const inSize = sizes[i]!;
    return [
      { name: `${prefix}/dense_${i + 1}/kernel`, shape: twin ? [2, inSize, out] : [inSize, out] },
      { name: `${prefix}/dense_${i + 1}/bias`, shape: twin ? [2, 1, out] : [out] },
    ];
  });
}

export function tensor(p: Tensors, name: string): Float64Array {
  const t = p.get(name);
  if (t === undefined) throw new Error(`reference: no tensor '${name}'`);
  return t;
}

/** Row `r` of a row-major [rows, width] array. */
export function row(values: Float64Array, width: number, r: number): Float64Array {
  return values.subarray(r * width, (r + 1) * width);
}

/** The ReLU MLP `prefix` (net `net` of a twin, else 0) on one input row; the last layer is linear. */
export function mlpRow(p: Tensors, prefix: string, sizes: readonly number[], net: number, x: ArrayLike<number>): Float64Array {
  let h = Float64Array.from(x);
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const kernel = tensor(p, `${prefix}/dense_${l + 1}/kernel`);
    const bias = tensor(p, `${prefix}/dense_${l + 1}/bias`);
    const out = new Float64Array(nOut);
    for (let j = 0; j < nOut; j++) {
      let z = bias[net * nOut + j]!;
      for (let i = 0; i < nIn; i++) z += h[i]! * kernel[(net * nIn + i) * nOut + j]!;
      out[j] = l + 2 < sizes.length ? Math.max(0, z) : z;
    }
    h = out;
  }
  return h;
}

/** log(1 - tanh(u)^2) = log 4 - 2|u| - 2 log(1 + e^{-2|u|}): sech^2 written so that large |u| keeps its digits. */
export function logOneMinusTanhSq(u: number): number {
  const a = Math.abs(u);
  return Math.log(4) - 2 * a - 2 * Math.log1p(Math.exp(-2 * a));
}

/** The actor's mean and clipped log-std for one observation row. */
export function gaussianRow(
  p: Tensors,
  d: NetDims,
  obs: ArrayLike<number>,
): { mean: Float64Array; logStd: Float64Array; rawLogStd: Float64Array } {
  const out = mlpRow(p, "actor", actorSizes(d), 0, obs);
  const rawLogStd = out.slice(d.actDim, 2 * d.actDim);
  return { mean: out.slice(0, d.actDim), logStd: rawLogStd.map((s) => Math.min(LOG_STD_MAX, Math.max(LOG_STD_MIN, s))), rawLogStd };
}

/**
 * A reparameterised squashed-Gaussian sample: u = mean + std eps, a = act_limit tanh(u), and
 * log pi = sum_d [log N(u; mean, std) - log(1 - tanh^2 u)] (the act_limit scaling left out).
 */
export function sampleRow(
  p: Tensors,
  d: NetDims,
  obs: ArrayLike<number>,
  eps: ArrayLike<number>,
  actLimit: readonly number[],
): { action: Float64Array; logProb: number } {
  const { mean, logStd } = gaussianRow(p, d, obs);
  const action = new Float64Array(d.actDim);
  let logProb = 0;
  for (let k = 0; k < d.actDim; k++) {
    const std = Math.exp(logStd[k]!);
    const u = mean[k]! + std * eps[k]!;
    const z = (u - mean[k]!) / std;
    logProb += -0.5 * z * z - logStd[k]! - HALF_LOG_2PI - logOneMinusTanhSq(u);
    action[k] = actLimit[k]! * Math.tanh(u);
  }
  return { action, logProb };
}

export const concat = (a: ArrayLike<number>, b: ArrayLike<number>): Float64Array => Float64Array.from([...Array.from(a), ...Array.from(b)]);

/** min of the twin critics `prefix` at (obs, act). */
export function minQ(p: Tensors, d: NetDims, prefix: string, obs: ArrayLike<number>, act: ArrayLike<number>): number {
  const x = concat(obs, act);
  return Math.min(mlpRow(p, prefix, qfSizes(d), 0, x)[0]!, mlpRow(p, prefix, qfSizes(d), 1, x)[0]!);
}

/** y = r + gamma (1 - done) (min Q_target(s', a') - alpha log pi(a'|s')), a' from the current actor, clipped when asked. */
export function criticTargets(p: Tensors, d: NetDims, t: Transitions, h: Hyper): Float64Array {
  const alpha = Math.exp(h.logAlpha);
  return Float64Array.from({ length: t.n }, (_, r) => {
    const next = row(t.nextObs, d.obsDim, r);
    const pi = sampleRow(p, d, next, row(t.epsNext, d.actDim, r), h.actLimit);
    return clipTarget(t.rew[r]! + (1 - t.done[r]!) * h.gamma * (minQ(p, d, "qf_target", next, pi.action) - alpha * pi.logProb), h);
  });
}

/** Each critic's mean squared error to the targets `y`, and Q1's mean (the critics `qf`). */
export function criticLosses(
  p: Tensors,
  d: NetDims,
  t: Transitions,
  y: Float64Array,
): { qf1Loss: number; qf2Loss: number; qf1Mean: number } {
  const losses = [0, 0];
  let qf1Mean = 0;
  for (let r = 0; r < t.n; r++) {
    const x = concat(row(t.obs, d.obsDim, r), row(t.act, d.actDim, r));
    for (let k = 0; k < 2; k++) {
      const q = mlpRow(p, "qf", qfSizes(d), k, x)[0]!;
      losses[k]! += (q - y[r]!) ** 2 / t.n;
      if (k === 0) qf1Mean += q / t.n;
    }
  }
  return { qf1Loss: losses[0]!, qf2Loss: losses[1]!, qf1Mean };
}

/** mean log pi(a|s) of the current-state sample (eps_cur). */
export function meanLogProb(p: Tensors, d: NetDims, t: Transitions, h: Hyper): number {
  let total = 0;
  for (let r = 0; r < t.n; r++) total += sampleRow(p, d, row(t.obs, d.obsDim, r), row(t.epsCur, d.actDim, r), h.actLimit).logProb;
  return total / t.n;
}

/** The critics' value of an action: SAC's min(Q1, Q2), or TQC's mean atom (tqc-reference.ts). */
export type CriticValue = (p: Tensors, d: NetDims, prefix: string, obs: ArrayLike<number>, act: ArrayLike<number>) => number;

/** The RL actor loss mean(alpha log pi(a|s) - value(s, a)) against the critics `qf` in `p`; value min(Q1, Q2) unless given. */
export function rlActorLoss(p: Tensors, d: NetDims, t: Transitions, h: Hyper, value: CriticValue = minQ): number {
  const alpha = Math.exp(h.logAlpha);
  let total = 0;
  for (let r = 0; r < t.n; r++) {
    const obs = row(t.obs, d.obsDim, r);
    const pi = sampleRow(p, d, obs, row(t.epsCur, d.actDim, r), h.actLimit);
    total += alpha * pi.logProb - value(p, d, "qf", obs, pi.action);
  }
  return total / t.n;
}

/**
 * A BC loss, a mean over rows and action dimensions: "sample", (act_limit tanh(mean + std eps) -
 * target)^2; "nll", -[log N(u; mean, std) - log(1 - y^2)] with y = target / act_limit pulled in
 * from +-1 by EDGE and u = atanh(y). Rows `keep` marks false add zero (the mean stays over m).
 */
export function bcLoss(p: Tensors, d: NetDims, b: BcData, kind: BcKind, actLimit: readonly number[], keep?: readonly boolean[]): number {
  let total = 0;
  for (let r = 0; r < b.m; r++) {
    if (keep !== undefined && !keep[r]) continue;
    const { mean, logStd } = gaussianRow(p, d, row(b.input, d.obsDim, r));
    for (let k = 0; k < d.actDim; k++) {
      const std = Math.exp(logStd[k]!);
      const target = b.target[r * d.actDim + k]!;
      if (kind === "sample") {
        total += (actLimit[k]! * Math.tanh(mean[k]! + std * b.eps[r * d.actDim + k]!) - target) ** 2;
        continue;
      }
      const y = Math.min(1 - EDGE, Math.max(-1 + EDGE, target / actLimit[k]!));
      const z = (Math.atanh(y) - mean[k]!) / std;
      total -= -0.5 * z * z - logStd[k]! - HALF_LOG_2PI - (Math.log1p(y) + Math.log1p(-y));
    }
  }
  return total / (b.m * d.actDim);
}

/**
 * Nair et al.'s Q-filter: the BC rows that count, those whose demo action the critics `qf` value
 * above the actor's deterministic action act_limit tanh(mean), by `value` (min(Q1, Q2) unless given).
 */
export function qFilterRows(p: Tensors, d: NetDims, b: BcData, actLimit: readonly number[], value: CriticValue = minQ): boolean[] {
  return Array.from({ length: b.m }, (_, r) => {
    const obs = row(b.input, d.obsDim, r);
    const mode = gaussianRow(p, d, obs).mean.map((u, k) => actLimit[k]! * Math.tanh(u));
    return value(p, d, "qf", obs, row(b.target, d.actDim, r)) > value(p, d, "qf", obs, mode);
  });
}

/** d f / d p[name][i] for every element of every tensor in `names`, by central differences (p is restored). */
export function centralDifferences(f: () => number, p: Tensors, names: readonly string[], step = 1e-6): Tensors {
  const grads: Tensors = new Map();
  for (const name of names) {
    const values = tensor(p, name);
    const grad = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const saved = values[i]!;
      values[i] = saved + step;
      const plus = f();
      values[i] = saved - step;
      const minus = f();
      values[i] = saved;
      grad[i] = (plus - minus) / (2 * step);
    }
    grads.set(name, grad);
  }
  return grads;
}
