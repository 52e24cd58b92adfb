/**
 * Soft Actor-Critic (Haarnoja et al. 2018) on tfjs, the update written after CleanRL's
 * `sac_continuous_action.py`: twin critics with polyak targets, a tanh-squashed Gaussian actor,
 * fixed or learned alpha. Implementation details: ./README.md.
 *
 * All parameters live on the device as flat vectors (see agents/nn/param-layout.ts); an update
 * reads nothing back until its final metrics.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../../sim/rng.js";
import { Adam, type AdamState } from "../nn/adam.js";
import { fileHandler } from "../nn/file-io.js";
import { ParamLayout } from "../nn/param-layout.js";
import { savePolicyModel } from "../nn/policy-model.js";
import { SquashedGaussianPolicy } from "../nn/squashed-gaussian-policy.js";
import { TwinQ } from "../nn/twin-q.js";
import { seedPreset, validateSacConfig, type SacConfig } from "./sac-config.js";

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
 * Relay learning's extra actor term: `weight * MSE(sampled action, act)`. With `rl: false` it is
 * the whole actor loss (the seed code's `supervised_update(use_RL=False)`).
 */
export interface SupervisedTarget {
  /** Target actions [n * actDim], same rows as the batch. */
  act: Float32Array;
  weight: number;
  /** @defaultValue true */
  rl?: boolean;
}

/**
 * An extra term of the actor loss over rows of its own (relay pairs, demonstration pairs): its
 * value and its gradients in the actor's parameters, computed inside the caller's `tf.tidy`.
 * `seed` seeds any noise the term draws (agents/rpl/bc-loss.ts builds the BC terms).
 */
export type ActorLossTerm = (actor: readonly tf.Tensor[], seed: number) => { loss: tf.Scalar; grads: tf.Tensor[] };

/**
 * {@link SupervisedTarget} for rows other than the batch's: `weight * term` is added to the actor
 * loss; with `rl: false` it is the whole actor loss (the critics still take their step).
 */
export interface SupervisedTerm {
  term: ActorLossTerm;
  weight: number;
  /** @defaultValue true */
  rl?: boolean;
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
}

/** Everything an update depends on, as plain arrays: checkpoints round-trip through this. */
export interface SacState {
  actor: Float32Array;
  /** qf1 then qf2. */
  qf: Float32Array;
  qfTarget: Float32Array;
  logAlpha: number;
  actorAdam: AdamState;
  qfAdam: AdamState;
  alphaAdam: AdamState;
  /** The noise generator's words (seeds of every tf.randomNormal). */
  rng: [number, number, number, number];
  updates: number;
}

interface SacFileMetadata {
  obsDim: number;
  actDim: number;
  actLimit: number[];
  config: SacConfig;
  logAlpha: number;
  adamSteps: { actor: number; qf: number; alpha: number };
  rng: [number, number, number, number];
  updates: number;
}

export class Sac {
  readonly obsDim: number;
  readonly actDim: number;
  readonly actLimit: readonly number[];
  readonly config: SacConfig;
  readonly policy: SquashedGaussianPolicy;
  readonly twinQ: TwinQ;
  /** Gradient steps taken. */
  updates = 0;

  private readonly targetEntropy: number;
  private readonly rng: Rng;
  private readonly actLimitTensor: tf.Tensor1D;
  private actor: tf.Tensor[];
  private qf: tf.Tensor[];
  private qfTarget: tf.Tensor[];
  private logAlpha: tf.Tensor[];
  private readonly actorAdam: Adam;
  private readonly qfAdam: Adam;
  private readonly alphaAdam: Adam;

  /**
   * `actLimit`: the action bound, one number or one per dimension (actions lie in
   * [-actLimit, actLimit]). `seed` fixes the initial weights and every noise draw.
   */
  constructor(obsDim: number, actDim: number, actLimit: number | readonly number[], config: SacConfig = seedPreset, seed = 0) {
    validateSacConfig(config);
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.actLimit = typeof actLimit === "number" ? new Array<number>(actDim).fill(actLimit) : [...actLimit];
    if (this.actLimit.length !== actDim || this.actLimit.some((l) => !(l > 0))) {
      throw new Error(`Sac: actLimit must be positive, one value or ${actDim}, got ${JSON.stringify(actLimit)}`);
    }
    this.config = config;
    this.targetEntropy = config.targetEntropy === "auto" ? -actDim : config.targetEntropy;
    this.policy = new SquashedGaussianPolicy(obsDim, actDim, config.hidden);
    this.twinQ = new TwinQ(obsDim, actDim, config.hidden);
    this.rng = new Rng(seed);
    const qf = new Float32Array(this.twinQ.layout.size);
    qf.set(this.twinQ.net.init(this.rng), 0);
    qf.set(this.twinQ.net.init(this.rng), this.twinQ.net.layout.size);
    this.actor = keepAll(this.policy.net.layout.toTensors(this.policy.net.init(this.rng)));
    this.qf = keepAll(this.twinQ.layout.toTensors(qf));
    this.qfTarget = keepAll(this.twinQ.layout.toTensors(qf));
    this.logAlpha = keepAll(logAlphaLayout.toTensors(Float32Array.of(Math.log(config.alpha))));
    this.actLimitTensor = tf.keep(tf.tensor1d([...this.actLimit]));
    this.actorAdam = new Adam(this.policy.net.layout, { lr: config.actorLr });
    this.qfAdam = new Adam(this.twinQ.layout, { lr: config.criticLr });
    this.alphaAdam = new Adam(logAlphaLayout, { lr: config.alphaLr });
  }

  /** Actions for one or more observations (row-major [n * obsDim] in, [n * actDim] out). */
  act(obs: Float32Array, deterministic: boolean): Float32Array {
    const n = rowsOf(obs.length, this.obsDim, "obs");
    const seed = deterministic ? 0 : this.rng.nextUint32();
    const action = tf.tidy(() => {
      const o = tf.tensor2d(obs, [n, this.obsDim]);
      if (deterministic) return this.policy.mode(this.actor, o, this.actLimitTensor);
      return this.policy.sample(this.actor, o, normal([n, this.actDim], seed), this.actLimitTensor).action;
    });
    const out = action.dataSync() as Float32Array;
    action.dispose();
    return out;
  }

  /** Q1 and Q2 of (obs, act) rows, for value maps and diagnostics (never used by the update). */
  qValues(obs: Float32Array, act: Float32Array): { qf1: Float32Array; qf2: Float32Array } {
    const n = rowsOf(obs.length, this.obsDim, "obs");
    if (rowsOf(act.length, this.actDim, "act") !== n) throw new Error(`Sac.qValues: ${n} observation rows but ${act.length / this.actDim} action rows`);
    const { qf1, qf2 } = tf.tidy(() => {
      const v = this.twinQ.forward(this.qf, tf.tensor2d(obs, [n, this.obsDim]), tf.tensor2d(act, [n, this.actDim]));
      return { qf1: v.qf1, qf2: v.qf2 };
    });
    const out = { qf1: qf1.dataSync() as Float32Array, qf2: qf2.dataSync() as Float32Array };
    qf1.dispose();
    qf2.dispose();
    return out;
  }

  /** One gradient step of critics, actor and (if learned) alpha, then the polyak target step. */
  update(batch: SacBatch, supervised?: SupervisedTarget | SupervisedTerm): SacMetrics {
    const { obsDim, actDim } = this;
    const { gamma, polyak, learnAlpha } = this.config;
    const n = rowsOf(batch.rew.length, 1, "rew");
    for (const [key, width] of [["obs", obsDim], ["nextObs", obsDim], ["act", actDim], ["done", 1]] as const) {
      if (batch[key].length !== n * width) throw new Error(`Sac.update: batch.${key} has ${batch[key].length} values, expected ${n * width}`);
    }
    if (supervised !== undefined && "act" in supervised && supervised.act.length !== n * actDim) {
      throw new Error(`Sac.update: supervised.act has ${supervised.act.length} values, expected ${n * actDim}`);
    }
    const targetSeed = this.rng.nextUint32();
    const actorSeed = this.rng.nextUint32();
    // Drawn only for a term, so that every other update keeps its noise stream.
    const termSeed = supervised !== undefined && "term" in supervised ? this.rng.nextUint32() : 0;

    const next = tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [n, obsDim]);
      const act = tf.tensor2d(batch.act, [n, actDim]);
      const rew = tf.tensor1d(batch.rew);
      const nextObs = tf.tensor2d(batch.nextObs, [n, obsDim]);
      const done = tf.tensor1d(batch.done);
      // The alpha of this whole update is the one before its own alpha step (SB3, CleanRL).
      const alpha = tf.exp(this.logAlpha[0]!);
      const actorParams = this.actor;

      // Critic target: a' comes from the *current* policy at s'.
      const nextPi = this.policy.sample(actorParams, nextObs, normal([n, actDim], targetSeed), this.actLimitTensor);
      const target = this.twinQ.forward(this.qfTarget, nextObs, nextPi.action);
      const minQfNextTarget = tf.sub(tf.minimum(target.qf1, target.qf2), tf.mul(alpha, nextPi.logProb));
      // (1 - terminated): a time-limit truncation still bootstraps.
      const nextQValue = tf.add(rew, tf.mul(tf.sub(1, done), tf.mul(minQfNextTarget, gamma)));

      // Critic loss: qf1_loss + qf2_loss, two MSEs to the same target.
      const qfParams = this.qf;
      const q = this.twinQ.forward(qfParams, obs, act);
      const qf1Error = tf.sub(q.qf1, nextQValue);
      const qf2Error = tf.sub(q.qf2, nextQValue);
      const qf1Loss = tf.mean(tf.square(qf1Error));
      const qf2Loss = tf.mean(tf.square(qf2Error));
      // d mean(e^2) / de = 2e / n.
      const qfGrads = this.twinQ.paramGrads(qfParams, q, tf.mul(qf1Error, 2 / n), tf.mul(qf2Error, 2 / n));
      const qf = this.qfAdam.step(this.qf, qfGrads);

      // Policy loss mean(alpha * log pi - min(qf1, qf2)) against the critics just updated.
      const pi = this.policy.sample(actorParams, obs, normal([n, actDim], actorSeed), this.actLimitTensor);
      const qfPi = this.twinQ.forward(qf, obs, pi.action);
      const minQfPi = tf.minimum(qfPi.qf1, qfPi.qf2);
      const piLossRl = tf.mean(tf.sub(tf.mul(alpha, pi.logProb), minQfPi));
      // The min passes the gradient to the smaller critic (to qf2 on ties, as torch.min does not
      // specify either way).
      const pickQf1 = tf.step(tf.sub(qfPi.qf2, qfPi.qf1)) as tf.Tensor1D;
      const useRl = supervised?.rl !== false;
      let dAction = useRl
        ? this.twinQ.actionGrad(qf, qfPi, tf.mul(pickQf1, -1 / n), tf.mul(tf.sub(1, pickQf1), -1 / n))
        : tf.zerosLike(pi.action);
      const dLogProb: tf.Tensor = useRl ? tf.div(alpha, n) : tf.scalar(0);
      let piLoss: tf.Tensor = useRl ? piLossRl : tf.scalar(0);
      let termGrads: tf.Tensor[] | null = null;
      if (supervised !== undefined && "act" in supervised) {
        // Relay learning's behaviour-cloning term: weight * mean((a - a_target)^2).
        const supError = tf.sub(pi.action, tf.tensor2d(supervised.act, [n, actDim]));
        piLoss = tf.add(piLoss, tf.mul(tf.mean(tf.square(supError)), supervised.weight));
        dAction = tf.add(dAction, tf.mul(supError, (2 * supervised.weight) / (n * actDim)));
      } else if (supervised !== undefined) {
        const term = supervised.term(actorParams, termSeed);
        piLoss = tf.add(piLoss, tf.mul(term.loss, supervised.weight));
        termGrads = term.grads.map((g) => tf.mul(g, supervised.weight));
      }
      const rlGrads = this.policy.backward(actorParams, pi, dAction, dLogProb, this.actLimitTensor);
      const actorGrads = termGrads === null ? rlGrads : rlGrads.map((g, i) => tf.add(g, termGrads[i]!));
      const actor = this.actorAdam.step(this.actor, actorGrads);
      const meanLogProb = tf.mean(pi.logProb);

      // alpha_loss = -log_alpha * mean(log pi + target_entropy), log pi held fixed: its gradient in
      // log_alpha is just -mean(log pi + target_entropy), so no tape is needed.
      const entropyGap: tf.Tensor = tf.add(meanLogProb, this.targetEntropy);
      const alphaLoss = learnAlpha ? tf.neg(tf.mul(this.logAlpha[0]!, entropyGap)) : tf.zeros([1]);
      const logAlpha = learnAlpha ? this.alphaAdam.step(this.logAlpha, [tf.reshape(tf.neg(entropyGap), [1])]) : this.logAlpha;

      const qfTarget = this.qfTarget.map((target, i) => tf.add(tf.mul(target, polyak), tf.mul(qf[i]!, 1 - polyak)));
      const metrics = tf.stack([qf1Loss, qf2Loss, tf.mean(q.qf1), piLoss, tf.reshape(alpha, []), tf.reshape(alphaLoss, []), meanLogProb]);
      return { actor, qf, qfTarget, logAlpha, metrics };
    });

    this.replaceParams(next.actor, next.qf, next.qfTarget, next.logAlpha);
    this.updates += 1;
    const m = next.metrics.dataSync();
    next.metrics.dispose();
    return {
      qfLoss: m[0]! + m[1]!,
      qf1Loss: m[0]!,
      qf2Loss: m[1]!,
      qf1Mean: m[2]!,
      piLoss: m[3]!,
      alpha: m[4]!,
      alphaLoss: m[5]!,
      logProb: m[6]!,
    };
  }

  /**
   * One Adam step of the actor on `term` alone, the critics untouched: behaviour-cloning
   * pretraining (relay learning's first phase). Returns the term's value before the step.
   */
  actorStep(term: ActorLossTerm): number {
    const seed = this.rng.nextUint32();
    const next = tf.tidy(() => {
      const { loss, grads } = term(this.actor, seed);
      return { actor: this.actorAdam.step(this.actor, grads), loss: tf.reshape(loss, [1]) };
    });
    this.replaceParams(next.actor, this.qf, this.qfTarget, this.logAlpha);
    const loss = next.loss.dataSync()[0]!;
    next.loss.dispose();
    return loss;
  }

  /** The value of `term` at the actor's parameters (a validation loss); no step, no noise drawn from the agent. */
  actorTermValue(term: ActorLossTerm, seed: number): number {
    const loss = tf.tidy(() => tf.reshape(term(this.actor, seed).loss, [1]));
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return value;
  }

  getWeights(): SacState {
    return {
      actor: this.policy.net.layout.toFlat(this.actor),
      qf: this.twinQ.layout.toFlat(this.qf),
      qfTarget: this.twinQ.layout.toFlat(this.qfTarget),
      logAlpha: this.logAlpha[0]!.dataSync()[0]!,
      actorAdam: this.actorAdam.getState(),
      qfAdam: this.qfAdam.getState(),
      alphaAdam: this.alphaAdam.getState(),
      rng: this.rng.state,
      updates: this.updates,
    };
  }

  setWeights(state: SacState): void {
    const expect = (name: string, got: number, want: number): void => {
      if (got !== want) throw new Error(`Sac.setWeights: ${name} has ${got} values, expected ${want}`);
    };
    expect("actor", state.actor.length, this.policy.net.layout.size);
    expect("qf", state.qf.length, this.twinQ.layout.size);
    expect("qfTarget", state.qfTarget.length, this.twinQ.layout.size);
    this.actorAdam.setState(state.actorAdam);
    this.qfAdam.setState(state.qfAdam);
    this.alphaAdam.setState(state.alphaAdam);
    this.replaceParams(
      keepAll(this.policy.net.layout.toTensors(state.actor)),
      keepAll(this.twinQ.layout.toTensors(state.qf)),
      keepAll(this.twinQ.layout.toTensors(state.qfTarget)),
      keepAll(logAlphaLayout.toTensors(Float32Array.of(state.logAlpha))),
    );
    this.rng.state = state.rng;
    this.updates = state.updates;
  }

  /**
   * Writes `dir/model.json` + `dir/weights.bin` (the actor alone, a tfjs-layers model a browser
   * can load) and `dir/sac.json` + `dir/sac.bin` (everything {@link Sac.load} needs to resume).
   */
  async save(dir: string): Promise<void> {
    const state = this.getWeights();
    await savePolicyModel(dir, this.policy.net, state.actor, {
      obsDim: this.obsDim,
      actDim: this.actDim,
      actLimit: [...this.actLimit],
      output: "mean,logStd",
    });
    const arrays: Record<string, Float32Array> = {
      actor: state.actor,
      qf: state.qf,
      qf_target: state.qfTarget,
      "actor_adam/m": state.actorAdam.m,
      "actor_adam/v": state.actorAdam.v,
      "qf_adam/m": state.qfAdam.m,
      "qf_adam/v": state.qfAdam.v,
      "alpha_adam/m": state.alphaAdam.m,
      "alpha_adam/v": state.alphaAdam.v,
    };
    const named = Object.entries(arrays).map(([name, values]) => ({ name, tensor: tf.tensor1d(values) }));
    const metadata: SacFileMetadata = {
      obsDim: this.obsDim,
      actDim: this.actDim,
      actLimit: [...this.actLimit],
      config: this.config,
      logAlpha: state.logAlpha,
      adamSteps: { actor: state.actorAdam.t, qf: state.qfAdam.t, alpha: state.alphaAdam.t },
      rng: state.rng,
      updates: state.updates,
    };
    try {
      const { data, specs } = await tf.io.encodeWeights(named);
      await fileHandler(dir, "sac").save({
        format: "rapier-gym-sac",
        weightSpecs: specs,
        weightData: data,
        userDefinedMetadata: { ...metadata },
      });
    } finally {
      for (const { tensor } of named) tensor.dispose();
    }
  }

  /** The agent {@link Sac.save} wrote to `dir`, ready to act or to continue training. */
  static async load(dir: string): Promise<Sac> {
    const artifacts = await fileHandler(dir, "sac").load();
    if (artifacts.weightSpecs === undefined || artifacts.weightData === undefined || artifacts.userDefinedMetadata === undefined) {
      throw new Error(`Sac.load: ${dir}/sac.json has no weights or metadata`);
    }
    const meta = artifacts.userDefinedMetadata as unknown as SacFileMetadata;
    const tensors = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
    try {
      const read = (name: string): Float32Array => {
        const t = tensors[name];
        if (t === undefined) throw new Error(`Sac.load: ${dir}/sac.json lacks weight '${name}'`);
        return Float32Array.from(t.dataSync());
      };
      const agent = new Sac(meta.obsDim, meta.actDim, meta.actLimit, meta.config);
      agent.setWeights({
        actor: read("actor"),
        qf: read("qf"),
        qfTarget: read("qf_target"),
        logAlpha: meta.logAlpha,
        actorAdam: { m: read("actor_adam/m"), v: read("actor_adam/v"), t: meta.adamSteps.actor },
        qfAdam: { m: read("qf_adam/m"), v: read("qf_adam/v"), t: meta.adamSteps.qf },
        alphaAdam: { m: read("alpha_adam/m"), v: read("alpha_adam/v"), t: meta.adamSteps.alpha },
        rng: meta.rng,
        updates: meta.updates,
      });
      return agent;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }

  /** Frees every tensor this agent holds. */
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

/** Standard-normal noise with an explicit seed: tfjs's unseeded draws would use Math.random. */
function normal(shape: [number, number], seed: number): tf.Tensor2D {
  return tf.randomNormal(shape, 0, 1, "float32", seed) as tf.Tensor2D;
}

function rowsOf(length: number, width: number, name: string): number {
  if (length === 0 || length % width !== 0) throw new Error(`Sac: ${name} length ${length} is not a positive multiple of ${width}`);
  return length / width;
}
