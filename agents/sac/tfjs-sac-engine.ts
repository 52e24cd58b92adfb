/**
 * The SAC engine on tfjs (the fallback, and the cross-check of the ONNX Runtime engine): the
 * update written after CleanRL's `sac_continuous_action.py`, every gradient by hand
 * (agents/nn). Parameters live on the device as one tensor per layer; an update reads nothing
 * back until its final metrics.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Adam } from "../nn/adam.js";
import { bcTerm, type BcLossKind, type BcRows } from "../nn/bc-loss.js";
import { ParamLayout } from "../nn/param-layout.js";
import { SquashedGaussianPolicy } from "../nn/squashed-gaussian-policy.js";
import { TwinQ } from "../nn/twin-q.js";
import { targetRange, type SacConfig } from "./sac-config.js";
import { ConfigError } from "../config-error.js";
import type { SacParams } from "../nn/sac-params.js";
import { sacMetricsFrom, type SacBatch, type SacEngine, type SacMetrics, type SupervisedTerm, type UpdateSeeds } from "./sac-engine.js";

/** Standard-normal noise from a seed; tfjs's unseeded draws would use Math.random. */
export type NoiseSource = (shape: [number, number], seed: number) => tf.Tensor2D;

/** One sampled batch on the device. */
interface BatchTensors {
  obs: tf.Tensor2D;
  act: tf.Tensor2D;
  rew: tf.Tensor1D;
  nextObs: tf.Tensor2D;
  done: tf.Tensor1D;
}

const tfjsNormal: NoiseSource = (shape, seed) => tf.randomNormal(shape, 0, 1, "float32", seed) as tf.Tensor2D;

export class TfjsSacEngine implements SacEngine {
  readonly policy: SquashedGaussianPolicy;
  readonly twinQ: TwinQ;
  private readonly actLimit: readonly number[];
  private readonly targetEntropy: number;
  private readonly actLimitTensor: tf.Tensor1D;
  private actor: tf.Tensor[];
  private qf: tf.Tensor[];
  private qfTarget: tf.Tensor[];
  private logAlpha: tf.Tensor[];
  private readonly actorAdam: Adam;
  private readonly qfAdam: Adam;
  private readonly alphaAdam: Adam;

  /** `init`: the starting parameters. `noise`: how a seed becomes draws (tests feed both engines the same). */
  constructor(
    private readonly obsDim: number,
    private readonly actDim: number,
    actLimit: readonly number[],
    private readonly config: SacConfig,
    init: SacParams,
    private readonly noise: NoiseSource = tfjsNormal,
  ) {
    this.actLimit = actLimit;
    this.targetEntropy = config.targetEntropy === "auto" ? -actDim : config.targetEntropy;
    this.policy = new SquashedGaussianPolicy(obsDim, actDim, config.hidden);
    this.twinQ = new TwinQ(obsDim, actDim, config.hidden);
    this.actLimitTensor = tf.keep(tf.tensor1d([...actLimit]));
    this.actorAdam = new Adam(this.policy.net.layout, { lr: config.actorLr });
    this.qfAdam = new Adam(this.twinQ.layout, { lr: config.criticLr });
    this.alphaAdam = new Adam(logAlphaLayout, { lr: config.alphaLr });
    this.actor = [];
    this.qf = [];
    this.qfTarget = [];
    this.logAlpha = [];
    this.setParams(init);
  }

  act(obs: Float32Array, n: number, seed: number | null): Float32Array {
    const action = tf.tidy(() => {
      const o = tf.tensor2d(obs, [n, this.obsDim]);
      if (seed === null) return this.policy.mode(this.actor, o, this.actLimitTensor);
      return this.policy.sample(this.actor, o, this.noise([n, this.actDim], seed), this.actLimitTensor).action;
    });
    return readAndDispose(action);
  }

  qValues(obs: Float32Array, act: Float32Array, n: number): { qf1: Float32Array; qf2: Float32Array } {
    const { qf1, qf2 } = tf.tidy(() => {
      const v = this.twinQ.forward(this.qf, tf.tensor2d(obs, [n, this.obsDim]), tf.tensor2d(act, [n, this.actDim]));
      return { qf1: v.qf1, qf2: v.qf2 };
    });
    return { qf1: readAndDispose(qf1), qf2: readAndDispose(qf2) };
  }

  update(batch: SacBatch, n: number, seeds: UpdateSeeds, supervised?: SupervisedTerm): SacMetrics {
    const { obsDim, actDim } = this;
    const next = tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [n, obsDim]);
      const t: BatchTensors = {
        obs,
        act: tf.tensor2d(batch.act, [n, actDim]),
        rew: tf.tensor1d(batch.rew),
        nextObs: tf.tensor2d(batch.nextObs, [n, obsDim]),
        done: tf.tensor1d(batch.done),
      };
      // The alpha of this whole update is the one before its own alpha step (SB3, CleanRL).
      const alpha = tf.exp(this.logAlpha[0]!);
      const critic = this.criticStep(t, n, alpha, seeds.target);
      const rl = supervised?.rl !== false;
      const actor = this.actorStep(obs, n, alpha, critic.qf, seeds, rl, supervised);
      const { logAlpha, alphaLoss } = this.alphaStep(actor.meanLogProb, rl);
      const { polyak } = this.config;
      const qfTarget = this.qfTarget.map((target, i) => tf.add(tf.mul(target, polyak), tf.mul(critic.qf[i]!, 1 - polyak)));
      const metrics = tf.stack([
        critic.qf1Loss,
        critic.qf2Loss,
        critic.meanQf1,
        actor.piLoss,
        tf.reshape(alpha, []),
        tf.reshape(alphaLoss, []),
        actor.meanLogProb,
        actor.termLoss,
        tf.scalar(supervised === undefined ? 0 : 1), // every term row counts: no Q-filter here
      ]);
      return { actor: actor.params, qf: critic.qf, qfTarget, logAlpha, metrics };
    });

    this.replaceParams(next.actor, next.qf, next.qfTarget, next.logAlpha);
    return sacMetricsFrom(readAndDispose(next.metrics));
  }

  /** The critics' step: two MSEs to one soft Bellman target, whose a' comes from the current policy at s'. */
  private criticStep(t: BatchTensors, n: number, alpha: tf.Tensor, seed: number) {
    const nextPi = this.policy.sample(this.actor, t.nextObs, this.noise([n, this.actDim], seed), this.actLimitTensor);
    const target = this.twinQ.forward(this.qfTarget, t.nextObs, nextPi.action);
    const minQfNextTarget = tf.sub(tf.minimum(target.qf1, target.qf2), tf.mul(alpha, nextPi.logProb));
    // (1 - terminated): a time-limit truncation still bootstraps.
    const range = targetRange(this.config);
    const y = tf.add(t.rew, tf.mul(tf.sub(1, t.done), tf.mul(minQfNextTarget, this.config.gamma)));
    const nextQValue = range === null ? y : tf.clipByValue(y, range[0], range[1]);
    const q = this.twinQ.forward(this.qf, t.obs, t.act);
    const qf1Error = tf.sub(q.qf1, nextQValue);
    const qf2Error = tf.sub(q.qf2, nextQValue);
    const qf1Loss = tf.mean(tf.square(qf1Error));
    const qf2Loss = tf.mean(tf.square(qf2Error));
    // d mean(e^2) / de = 2e / n.
    const qfGrads = this.twinQ.paramGrads(this.qf, q, tf.mul(qf1Error, 2 / n), tf.mul(qf2Error, 2 / n));
    return { qf: this.qfAdam.step(this.qf, qfGrads), qf1Loss, qf2Loss, meanQf1: tf.mean(q.qf1) };
  }

  /**
   * The policy's step: mean(alpha * log pi - min(qf1, qf2)) against the critics just updated, plus
   * the supervised term when there is one (without the RL part when `rl`, the term's own flag, is false).
   */
  private actorStep(
    obs: tf.Tensor2D,
    n: number,
    alpha: tf.Tensor,
    qf: tf.Tensor[],
    seeds: UpdateSeeds,
    rl: boolean,
    supervised?: SupervisedTerm,
  ) {
    const pi = this.policy.sample(this.actor, obs, this.noise([n, this.actDim], seeds.actor), this.actLimitTensor);
    const qfPi = this.twinQ.forward(qf, obs, pi.action);
    const piLossRl = tf.mean(tf.sub(tf.mul(alpha, pi.logProb), tf.minimum(qfPi.qf1, qfPi.qf2)));
    // The min passes the gradient to the smaller critic (to qf2 on ties, as torch.min does not
    // specify either way).
    const pickQf1 = tf.step(tf.sub(qfPi.qf2, qfPi.qf1)) as tf.Tensor1D;
    const dAction = rl
      ? this.twinQ.actionGrad(qf, qfPi, tf.mul(pickQf1, -1 / n), tf.mul(tf.sub(1, pickQf1), -1 / n))
      : tf.zerosLike(pi.action);
    const dLogProb: tf.Tensor = rl ? tf.div(alpha, n) : tf.scalar(0);
    let piLoss: tf.Tensor = rl ? piLossRl : tf.scalar(0);
    let termGrads: tf.Tensor[] | null = null;
    let termLoss: tf.Tensor = tf.scalar(0);
    if (supervised !== undefined) {
      if (supervised.qFilter === true) throw new ConfigError("the Q-filter (SupervisedTerm.qFilter) runs on the ONNX Runtime learner only");
      const term = bcTerm(this.policy, this.actLimit, supervised.rows, supervised.loss, this.noise)(this.actor, seeds.term);
      termLoss = term.loss;
      piLoss = tf.add(piLoss, tf.mul(term.loss, supervised.weight));
      termGrads = term.grads.map((g) => tf.mul(g, supervised.weight));
    }
    const rlGrads = this.policy.backward(this.actor, pi, dAction, dLogProb, this.actLimitTensor);
    const grads = termGrads === null ? rlGrads : rlGrads.map((g, i) => tf.add(g, termGrads[i]!));
    return { params: this.actorAdam.step(this.actor, grads), piLoss, meanLogProb: tf.mean(pi.logProb), termLoss };
  }

  /**
   * alpha_loss = -log_alpha * mean(log pi + target_entropy), log pi held fixed: its gradient in
   * log_alpha is just -mean(log pi + target_entropy), so no tape is needed. Alpha is held where the
   * actor learns by BC alone (`rl` false), as the ONNX Runtime engine holds it.
   */
  private alphaStep(meanLogProb: tf.Tensor, rl: boolean): { logAlpha: tf.Tensor[]; alphaLoss: tf.Tensor } {
    if (!this.config.learnAlpha || !rl) return { logAlpha: this.logAlpha, alphaLoss: tf.zeros([1]) };
    const entropyGap: tf.Tensor = tf.add(meanLogProb, this.targetEntropy);
    return {
      logAlpha: this.alphaAdam.step(this.logAlpha, [tf.reshape(tf.neg(entropyGap), [1])]),
      alphaLoss: tf.neg(tf.mul(this.logAlpha[0]!, entropyGap)),
    };
  }

  bcStep(rows: BcRows, loss: BcLossKind, seed: number): number {
    const next = tf.tidy(() => {
      const term = bcTerm(this.policy, this.actLimit, rows, loss, this.noise)(this.actor, seed);
      return { actor: this.actorAdam.step(this.actor, term.grads), loss: tf.reshape(term.loss, [1]) };
    });
    this.replaceParams(next.actor, this.qf, this.qfTarget, this.logAlpha);
    return readAndDispose(next.loss)[0]!;
  }

  bcValue(rows: BcRows, loss: BcLossKind, seed: number): number {
    return readAndDispose(
      tf.tidy(() => tf.reshape(bcTerm(this.policy, this.actLimit, rows, loss, this.noise)(this.actor, seed).loss, [1])),
    )[0]!;
  }

  getParams(): SacParams {
    return {
      actor: this.policy.net.layout.toFlat(this.actor),
      qf: this.twinQ.layout.toFlat(this.qf),
      qfTarget: this.twinQ.layout.toFlat(this.qfTarget),
      logAlpha: this.logAlpha[0]!.dataSync()[0]!,
      actorAdam: this.actorAdam.getState(),
      qfAdam: this.qfAdam.getState(),
      alphaAdam: this.alphaAdam.getState(),
    };
  }

  setParams(p: SacParams): void {
    this.actorAdam.setState(p.actorAdam);
    this.qfAdam.setState(p.qfAdam);
    this.alphaAdam.setState(p.alphaAdam);
    this.replaceParams(
      keepAll(this.policy.net.layout.toTensors(p.actor)),
      keepAll(this.twinQ.layout.toTensors(p.qf)),
      keepAll(this.twinQ.layout.toTensors(p.qfTarget)),
      keepAll(logAlphaLayout.toTensors(Float32Array.of(p.logAlpha))),
    );
  }

  dispose(): void {
    for (const t of [...this.actor, ...this.qf, ...this.qfTarget, ...this.logAlpha, this.actLimitTensor]) t.dispose();
    this.actorAdam.dispose();
    this.qfAdam.dispose();
    this.alphaAdam.dispose();
  }

  /** Swaps in new parameter lists, disposing every old tensor not carried over. */
  private replaceParams(actor: tf.Tensor[], qf: tf.Tensor[], qfTarget: tf.Tensor[], logAlpha: tf.Tensor[]): void {
    const kept = new Set([...actor, ...qf, ...qfTarget, ...logAlpha]);
    for (const t of [...this.actor, ...this.qf, ...this.qfTarget, ...this.logAlpha]) if (!kept.has(t)) t.dispose();
    this.actor = actor;
    this.qf = qf;
    this.qfTarget = qfTarget;
    this.logAlpha = logAlpha;
  }
}

const logAlphaLayout = new ParamLayout([{ name: "log_alpha", shape: [1] }]);

function keepAll(tensors: tf.Tensor[]): tf.Tensor[] {
  return tensors.map((t) => tf.keep(t));
}

function readAndDispose(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}
