/**
 * What a SAC engine is: the numbers of one agent (weights, optimiser moments) and the maths that
 * moves them, behind one contract so that the agent ({@link Sac}) runs on ONNX Runtime
 * (ort-sac-engine.ts, the default) or on tfjs (tfjs-sac-engine.ts, the fallback and the
 * cross-check) with the same checkpoints.
 *
 * Randomness stays with the agent: every call that draws noise gets a uint32 seed from the
 * agent's generator, and each engine turns a seed into standard-normal draws its own way.
 */
import type { BcLossKind, BcRows } from "../nn/bc-loss.js";
import type { SacParams } from "../nn/sac-params.js";

/** A minibatch, row-major: `obs` and `nextObs` [n * obsDim], `act` [n * actDim], `rew`, `done` [n]. */
export interface SacBatch {
  obs: Float32Array;
  act: Float32Array;
  rew: Float32Array;
  nextObs: Float32Array;
  /** 1 where the transition ended the task (terminated); a time-limit truncation is 0. */
  done: Float32Array;
}

/**
 * A behaviour-cloning term of the actor loss over rows of its own (relay pairs, demonstration
 * pairs): `weight` × the `loss` of agents/nn/bc-loss.ts is added to the actor loss; with
 * `rl: false` it is the whole actor loss (the critics still take their step).
 */
export interface SupervisedTerm {
  rows: BcRows;
  loss: BcLossKind;
  weight: number;
  /** @defaultValue true */
  rl?: boolean;
  /**
   * Nair et al. 2018's Q-filter: a row counts only where the critics value its action above the
   * policy's deterministic one (agents/onnx/q-filter-graph.ts). ONNX Runtime learner only.
   * @defaultValue false
   */
  qFilter?: boolean;
}

export interface SacMetrics {
  /** qf1Loss + qf2Loss. */
  qfLoss: number;
  qf1Loss: number;
  qf2Loss: number;
  /** Mean Q1(s, a) over the batch. */
  qf1Mean: number;
  piLoss: number;
  /** The alpha this update used (before its own alpha step). */
  alpha: number;
  /** 0 when alpha is fixed. */
  alphaLoss: number;
  /** Mean log pi(a|s) of the actor-loss sample: minus the entropy estimate. */
  logProb: number;
  /** The supervised term's loss before its weight (the BC loss of relay learning and BC one layer); 0 without one. */
  termLoss: number;
  /** The share of the term's rows its Q-filter kept: 1 without the filter, 0 without a term. */
  termKept: number;
}

/**
 * The metrics from the vector both engines' update computes, in the order the update graph writes
 * them: qf1 loss, qf2 loss, mean Q1, pi loss, alpha, alpha loss, mean log pi, term loss, term kept.
 */
export function sacMetricsFrom(m: ArrayLike<number>): SacMetrics {
  return {
    qfLoss: m[0]! + m[1]!,
    qf1Loss: m[0]!,
    qf2Loss: m[1]!,
    qf1Mean: m[2]!,
    piLoss: m[3]!,
    alpha: m[4]!,
    alphaLoss: m[5]!,
    logProb: m[6]!,
    termLoss: m[7]!,
    termKept: m[8]!,
  };
}

/** Everything an update depends on: the params, the noise generator and the update count. */
export interface SacState extends SacParams {
  /** The agent's generator's words (the seeds of every noise draw). */
  rng: [number, number, number, number];
  updates: number;
}

/** The seeds of one update's noise: the target's a', the actor loss's a, the term's own. */
export interface UpdateSeeds {
  target: number;
  actor: number;
  term: number;
}

export interface SacEngine {
  /** Actions for n observation rows; `seed` null for the deterministic act_limit · tanh(mean). */
  act(obs: Float32Array, n: number, seed: number | null): Float32Array;
  qValues(obs: Float32Array, act: Float32Array, n: number): { qf1: Float32Array; qf2: Float32Array };
  /** One gradient step of critics, actor and (if learned) alpha, then the polyak target step. */
  update(batch: SacBatch, n: number, seeds: UpdateSeeds, term?: SupervisedTerm): SacMetrics;
  /** One Adam step of the actor on a BC loss alone; returns the loss before the step. */
  bcStep(rows: BcRows, loss: BcLossKind, seed: number): number;
  /** A BC loss at the actor's parameters, no step. */
  bcValue(rows: BcRows, loss: BcLossKind, seed: number): number;
  getParams(): SacParams;
  setParams(params: SacParams): void;
  dispose(): void;
}
