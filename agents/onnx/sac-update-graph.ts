/**
 * One whole SAC update as one ONNX graph (or TQC's, whose critics are distributional:
 * tqc-critic-graph.ts), the maths of CleanRL's `sac_continuous_action.py` with
 * every gradient written out: the critic loss and its backward pass, Adam on both critics, the
 * actor loss against the critics just updated and its backward pass, Adam on the actor, the
 * alpha step when alpha is learned, then the polyak step of the targets. Names follow the paper
 * and CleanRL (qf1, qf_target, log_alpha).
 *
 * Inputs: every state tensor of sac-state-layout.ts, the batch, the two noise draws and the
 * optimisers' host-side scalars (adam-graph.ts). Outputs: `new/<name>` for every state tensor,
 * and `metrics`, the numbers of {@link SAC_METRIC_NAMES}.
 */
import { adamInputs, adamStep, type AdamScalarValues } from "./adam-graph.js";
import { bcLossGraph, type BcGraphKind } from "./bc-loss-graph.js";
import { Graph } from "./graph.js";
import { qFilterMask } from "./q-filter-graph.js";
import { mlpBackward, mlpForward, type MlpParams } from "./mlp-graph.js";
import { actorParams, qfParams, sacStateEntries, type SacDims, type StateGroup } from "./sac-state-layout.js";
import { policyBackward, policySample } from "./squashed-gaussian-graph.js";
import { tqcActorValue, tqcCriticLoss, tqcKeptAtoms } from "./tqc-critic-graph.js";

export interface SacUpdateOptions extends SacDims {
  actLimit: readonly number[];
  gamma: number;
  polyak: number;
  learnAlpha: boolean;
  targetEntropy: number;
  /** An extra actor term over rows of its own (relay learning, BC one layer), or none. */
  term: BcGraphKind | null;
  /** The RL part of the actor loss; false with a term makes the term the whole actor loss. */
  rl: boolean;
  /** The range the critic targets are clipped to (SacConfig.clipReturn, sac-config's targetRange), or none. */
  targetRange: readonly [number, number] | null;
  /** The term's rows pass Nair et al.'s Q-filter (q-filter-graph.ts); only with a term. */
  qFilter: boolean;
}

/** The `metrics` output, in order. */
export const SAC_METRIC_NAMES = [
  "qf1Loss",
  "qf2Loss",
  "qf1Mean",
  "piLoss",
  "alpha",
  "alphaLoss",
  "logProb",
  "termLoss",
  "termKept",
] as const;

export function sacUpdateGraph(o: SacUpdateOptions): Graph {
  const g = new Graph("sac_update");
  const { obsDim, actDim } = o;
  for (const e of sacStateEntries(o)) g.input(e.name, e.shape);
  const obs = g.input("obs", ["n", obsDim]);
  const act = g.input("act", ["n", actDim]);
  const rew = g.op("Unsqueeze", [g.input("rew", ["n"]), g.ints([1])]);
  const nextObs = g.input("next_obs", ["n", obsDim]);
  const done = g.op("Unsqueeze", [g.input("done", ["n"]), g.ints([1])]);
  const epsNext = g.input("eps_next", ["n", actDim]);
  const epsCur = g.input("eps_cur", ["n", actDim]);
  const scalars = { actor: adamInputs(g, "actor_adam"), qf: adamInputs(g, "qf_adam"), alpha: adamInputs(g, "alpha_adam") };
  const actor = actorParams(o);
  const qf = qfParams(o);
  const qfTarget = qfParams(o, "qf_target");
  const actLimit = g.constant(o.actLimit, [actDim]);
  const n = g.rows(obs);
  // The alpha of this whole update is the one before its own alpha step (SB3, CleanRL).
  const alpha = g.op("Exp", ["log_alpha"]);

  // Critic target: a' comes from the *current* policy at s'.
  const nextPi = policySample(g, actor, nextObs, epsNext, actLimit, actDim);
  const target = mlpForward(g, qfTarget, g.concat([nextObs, nextPi.action], 1)).out;
  const q = mlpForward(g, qf, g.concat([obs, act], 1));
  const critic = criticLoss(g, o, q.out, target, nextPi.logProb, alpha, rew, done, n);
  const qfGrads = mlpBackward(g, qf, q.trace, critic.dq, "params");
  const newQf = stepNet(g, qf, "qf_adam", qfGrads, scalars.qf);

  const actorLoss = actorLossGraph(g, o, actor, newQf, obs, epsCur, alpha, n, actLimit);
  stepNet(g, actor, "actor_adam", actorLoss.grads, scalars.actor);

  const alphaLoss = alphaStep(g, o, actorLoss.meanLogProb, scalars.alpha);
  outputAll(g, o, "qf", polyakTargets(g, o.polyak, qfTarget, newQf), "qf_target");

  const qf1Mean = g.reduceMean(g.slice(q.out, 0, 1, 0), [0, 1, 2], false);
  const metric = (x: string): string => g.op("Reshape", [x, g.ints([1])]);
  const metrics = [
    g.slice(critic.losses, 0, 1, 0),
    g.slice(critic.losses, 1, 2, 0),
    metric(qf1Mean),
    metric(actorLoss.piLoss),
    metric(alpha),
    metric(alphaLoss),
    metric(actorLoss.meanLogProb),
    metric(actorLoss.termLoss),
    metric(actorLoss.termKept),
  ];
  g.output("metrics", g.concat(metrics, 0), [SAC_METRIC_NAMES.length]);
  return g;
}

/**
 * The alpha step, when alpha is learned, and its loss: alpha_loss = -log_alpha * mean(log pi +
 * target_entropy), log pi held fixed, so its gradient in log_alpha is -mean(log pi + target_entropy).
 */
function alphaStep(g: Graph, o: SacUpdateOptions, meanLogProb: string, scalars: AdamScalarValues): string {
  const entropyGap = g.add(meanLogProb, g.constant([o.targetEntropy]));
  const alphaLoss = o.learnAlpha ? g.op("Neg", [g.mul("log_alpha", entropyGap)]) : g.constant([0]);
  if (o.learnAlpha) {
    const next = adamStep(g, "log_alpha", g.op("Neg", [entropyGap]), "alpha_adam/m", "alpha_adam/v", scalars);
    outputAll(g, o, "alpha", { log_alpha: next.param, "alpha_adam/m": next.m, "alpha_adam/v": next.v });
  } else {
    outputAll(g, o, "alpha", {});
  }
  return alphaLoss;
}

/** Polyak: target <- polyak * target + (1 - polyak) * online, for every target tensor by name. */
function polyakTargets(g: Graph, polyak: number, target: MlpParams, online: MlpParams): Record<string, string> {
  const onlineNames = [...online.kernels, ...online.biases];
  return Object.fromEntries(
    [...target.kernels, ...target.biases].map((name, i) => [
      name,
      g.add(g.mul(name, g.constant([polyak])), g.mul(onlineNames[i]!, g.constant([1 - polyak]))),
    ]),
  );
}

/**
 * Each critic's loss before the step, [2], and the gradient of their sum in the critics' outputs.
 * The targets y = r + gamma (1 - done) (v(s', a') - alpha log pi(a'|s')): SAC's v is
 * min(qf1, qf2)_target and both critics regress the one y, d mean(e^2) / de = 2e / n; TQC's v is
 * each kept atom, and its loss is tqc-critic-graph.ts's. With a `targetRange` y is clipped to it first.
 */
function criticLoss(
  g: Graph,
  o: SacUpdateOptions,
  q: string,
  target: string,
  nextLogProb: string,
  alpha: string,
  rew: string,
  done: string,
  n: string,
): { losses: string; dq: string } {
  // What s' bootstraps from: SAC's min of the target nets [n, 1], TQC's kept atoms [n, K].
  const next = o.tqc ? tqcKeptAtoms(g, o.tqc, target) : g.op("ReduceMin", [target], { axes: [0], keepdims: 0 });
  const softNext = g.sub(next, g.mul(alpha, nextLogProb));
  // (1 - terminated): a time-limit truncation still bootstraps.
  const y = g.add(rew, g.mul(g.sub(g.constant([1]), done), g.mul(softNext, g.constant([o.gamma]))));
  const nextQValue = o.targetRange === null ? y : g.op("Clip", [y, g.constant([o.targetRange[0]]), g.constant([o.targetRange[1]])]);
  if (o.tqc) return tqcCriticLoss(g, o.tqc, q, nextQValue, n);
  const qfError = g.sub(q, nextQValue);
  return { losses: g.reduceMean(g.mul(qfError, qfError), [1, 2], false), dq: g.div(g.mul(qfError, g.constant([2])), n) };
}

/**
 * Policy loss mean(alpha * log pi - min(qf1, qf2)) (TQC: the mean of every atom in place of the min) against the updated critics, plus the term's
 * weighted loss over its own rows; the actor's gradients of the whole, the term's loss before its weight (0 without one), and the
 * share of the term's rows the Q-filter kept (1 without the filter, 0 without a term).
 */
function actorLossGraph(
  g: Graph,
  o: SacUpdateOptions,
  actor: MlpParams,
  qf: MlpParams,
  obs: string,
  eps: string,
  alpha: string,
  n: string,
  actLimit: string,
): { piLoss: string; grads: string[]; meanLogProb: string; termLoss: string; termKept: string } {
  const pi = policySample(g, actor, obs, eps, actLimit, o.actDim);
  const meanLogProb = g.reduceMean(pi.logProb, [0, 1], false);
  let piLoss: string = g.constant([0]);
  let termLoss: string = g.constant([0]);
  let termKept: string = g.constant([0]);
  let grads: string[] | null = null;
  if (o.rl) {
    const qfPi = mlpForward(g, qf, g.concat([obs, pi.action], 1));
    const { value, dQ } = o.tqc ? tqcActorValue(g, o.tqc, qfPi.out, n) : minQValue(g, qfPi.out, n);
    piLoss = g.reduceMean(g.sub(g.mul(alpha, pi.logProb), value), [0, 1], false);
    const dInput = g.reduceSum(mlpBackward(g, qf, qfPi.trace, dQ, "input")[0]!, [0], false);
    const dAction = g.slice(dInput, o.obsDim, o.obsDim + o.actDim, 1);
    grads = policyBackward(g, actor, pi, dAction, g.div(alpha, n), actLimit);
  }
  if (o.term !== null) {
    const weight = g.input("bc_weight", []);
    const filter = (input: string, target: string): string =>
      qFilterMask(g, { actor, qf, actDim: o.actDim, tqc: o.tqc }, input, target, actLimit);
    const term = bcLossGraph(g, o.term, actor, o.obsDim, o.actDim, actLimit, o.qFilter ? filter : undefined);
    termLoss = term.loss;
    termKept = term.kept;
    piLoss = g.add(piLoss, g.mul(term.loss, weight));
    const termGrads = term.grads.map((x) => g.mul(x, weight));
    grads = grads === null ? termGrads : grads.map((x, i) => g.add(x, termGrads[i]!));
  }
  if (grads === null) throw new Error("sacUpdateGraph: an actor loss with neither RL nor a term");
  return { piLoss, grads, meanLogProb, termLoss, termKept };
}

/** min(qf1, qf2) of the actor's sample, [n, 1], and its gradient for the loss -mean(min): the min passes it to the smaller critic (to qf2 on ties, as the tfjs engine). */
function minQValue(g: Graph, qfPi: string, n: string): { value: string; dQ: string } {
  const qf1Pi = g.slice(qfPi, 0, 1, 0);
  const qf2Pi = g.slice(qfPi, 1, 2, 0);
  const value = g.op("Squeeze", [g.op("Min", [qf1Pi, qf2Pi]), g.ints([0])]);
  const pickQf1 = g.mask(g.op("Greater", [qf2Pi, qf1Pi]));
  const route = g.concat([pickQf1, g.sub(g.constant([1]), pickQf1)], 0);
  return { value, dQ: g.div(g.op("Neg", [route]), n) };
}

/** Adam on one net's parameters (gradients interleaved kernel, bias); outputs and returns the new values. */
export function stepNet(g: Graph, p: MlpParams, adam: string, grads: readonly string[], s: AdamScalarValues): MlpParams {
  const kernels: string[] = [];
  const biases: string[] = [];
  p.kernels.forEach((kernel, i) => {
    for (const [name, grad, list] of [
      [kernel, grads[2 * i]!, kernels],
      [p.biases[i]!, grads[2 * i + 1]!, biases],
    ] as const) {
      const moment = (k: "m" | "v"): string => name.replace(/^[^/]+/, `${adam}/${k}`);
      const next = adamStep(g, name, grad, moment("m"), moment("v"), s);
      g.output(`new/${moment("m")}`, next.m);
      g.output(`new/${moment("v")}`, next.v);
      list.push(g.output(`new/${name}`, next.param));
    }
  });
  return { kernels, biases, twin: p.twin };
}

/** Outputs the new value of every state tensor of `group` under `prefix`: `next[name]`, or the input unchanged. */
function outputAll(g: Graph, d: SacDims, group: StateGroup, next: Record<string, string>, prefix?: string): void {
  for (const e of sacStateEntries(d)) {
    if (e.group !== group || (prefix !== undefined && !e.name.startsWith(prefix))) continue;
    g.output(`new/${e.name}`, next[e.name] ?? e.name, e.shape);
  }
}
