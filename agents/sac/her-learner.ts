/**
 * A goal-conditioned SAC learner and its HER buffer: what flat SAC + HER is, apart from the loop
 * that feeds it. The flat trainer feeds it its own env steps; HAC's shadow learner feeds it the
 * hierarchy's env steps (docs/original-code.md §3.7), and it learns from them on the same schedule.
 * Each HAC level is one too, on its own goal and action spaces (agents/hac/hac.ts).
 */
import type { GoalEnv, GoalObs, StepResult } from "../../sim/core/env.js";
import { Rng } from "../../sim/core/rng.js";
import { HerReplayBuffer, goalEnvReward, type GoalRewardFn, type HerBatch, type HerTransition } from "../buffers/her-replay-buffer.js";
import { Sac, type SacMetrics, type SupervisedTerm } from "./sac.js";
import type { SacConfig } from "./sac-config.js";
import type { PolicyInputPart } from "./policy-onnx.js";
import { policyInput } from "./policy-input.js";
import { sacStateFromBytes, sacStateToBytes } from "./sac-state-codec.js";
import type { CheckpointBlobs } from "../run/checkpoint.js";

export interface HerSettings {
  nSampledGoal: number;
  strategy: "future" | "final" | "episode";
  /** Every relabelled reward 0, as the seed code's bug (docs/original-code.md §3.3). */
  faithful: boolean;
}

/** Running means of an update's losses, for one log row. */
export interface LossTotals {
  qf: number;
  pi: number;
  alpha: number;
  /** Mean Q1(s, a) over each batch: a critic that overestimates shows here before its loss does. */
  q: number;
  n: number;
  /** The supervised term's unweighted loss, summed over the `bcN` updates that had one. */
  bc: number;
  /** The share of the term's rows its Q-filter kept, summed as `bc` is. */
  bcKept: number;
  bcN: number;
}

/**
 * A learner's goal and action spaces. The env's own (desired goal, env actions) by default; a HAC
 * level above the bottom pursues and outputs subgoals instead.
 */
export interface LearnerSpaces {
  /** The goal part of the policy's input, named as a saved policy names it. */
  goal: PolicyInputPart;
  /** Bound of each action dimension: actions lie in [-actLimit, actLimit]. */
  actLimit: Float64Array;
  /** The reward of (achieved, goal) pairs in the goal space; also HER's relabelled reward. */
  computeReward: GoalRewardFn;
}

/** Seeds of the SAC agent (weights and noise) and of the buffer's sampling. */
export interface LearnerSeeds {
  sac: number;
  buffer: number;
}

export class HerLearner {
  /** How the agent's input is made: observation ‖ goal. */
  readonly policyInputs: PolicyInputPart[];
  readonly actLimit: Float64Array;
  readonly computeReward: GoalRewardFn;
  /** A supervised term added to every update (the "BC one layer" baseline; agents/rpl/flat-bc.ts). */
  supervision: (() => SupervisedTerm) | null = null;
  private sac: Sac;
  private replay: HerReplayBuffer;
  private readonly batch: HerBatch;
  /**
   * Gradient steps owed but not yet taken: below 1 `updatesPerStep` owes a fraction per
   * transition (0.25: one step every fourth), and the fraction left is carried in checkpoints so
   * that a resumed run updates at the same steps as one never stopped.
   */
  private owed = 0;

  /** `seed`: a number seeds the agent with it and the buffer with `seed + 1`. */
  constructor(
    env: GoalEnv,
    readonly sacConfig: SacConfig,
    her: HerSettings,
    capacity: number,
    seed: number | LearnerSeeds,
    spaces: LearnerSpaces = envSpaces(env),
  ) {
    const seeds = typeof seed === "number" ? { sac: seed, buffer: seed + 1 } : seed;
    const obsDim = env.observationSpace.box("observation").size;
    const goalDim = spaces.goal.size;
    const actDim = spaces.actLimit.length;
    this.actLimit = spaces.actLimit;
    this.computeReward = spaces.computeReward;
    this.sac = new Sac(obsDim + goalDim, actDim, Array.from(spaces.actLimit), sacConfig, seeds.sac);
    this.policyInputs = [{ key: "observation", size: obsDim }, spaces.goal];
    this.replay = new HerReplayBuffer({
      capacity: Math.min(sacConfig.bufferSize, capacity),
      observationDim: obsDim,
      goalDim,
      actionDim: actDim,
      computeReward: spaces.computeReward,
      rng: new Rng(seeds.buffer),
      nSampledGoal: her.nSampledGoal,
      goalSelectionStrategy: her.strategy,
      faithful: her.faithful,
    });
    this.batch = this.replay.createBatch(sacConfig.batchSize);
  }

  /** The SAC agent; {@link loadAgent} replaces it. */
  get agent(): Sac {
    return this.sac;
  }

  /** The replay buffer; {@link restoreBlobs} replaces it. */
  get buffer(): HerReplayBuffer {
    return this.replay;
  }

  act(obs: GoalObs, deterministic: boolean): Float32Array {
    return this.sac.act(policyInput(obs), deterministic);
  }

  /** Stores one env step (the episode becomes sampleable when the step ends it). */
  observe(obs: GoalObs, action: ArrayLike<number>, r: StepResult<GoalObs>): void {
    this.store({
      observation: obs.observation,
      desiredGoal: obs.desired_goal,
      action,
      reward: r.reward,
      nextObservation: r.obs.observation,
      nextAchievedGoal: r.obs.achieved_goal,
      terminated: r.terminated,
      truncated: r.truncated,
    });
  }

  /** Stores one transition of the learner's own making (a HAC level's). */
  store(transition: HerTransition): void {
    this.replay.add(transition);
  }

  /**
   * `updatesPerStep` gradient steps per transition stored since the last call (one by default;
   * a fraction takes one step whenever the owed steps reach a whole one), once a batch's worth of
   * finished episodes is stored. `totals` sums their losses.
   */
  learn(totals?: LossTotals, transitions = 1): void {
    if (this.replay.size < this.sacConfig.batchSize) return;
    this.owed += transitions * this.sacConfig.updatesPerStep;
    const due = Math.floor(this.owed + 1e-9);
    this.owed = Math.max(0, this.owed - due);
    for (let u = 0; u < due; u++) {
      const term = this.supervision?.();
      const m: SacMetrics = this.sac.update(this.replay.sampleInto(this.batch), term);
      if (totals) {
        totals.qf += m.qfLoss;
        totals.pi += m.piLoss;
        totals.alpha += m.alpha;
        totals.q += m.qf1Mean;
        totals.n++;
        if (term !== undefined) {
          totals.bc += m.termLoss;
          totals.bcKept += m.termKept;
          totals.bcN++;
        }
      }
    }
  }

  /**
   * The learner's whole state for a checkpoint: agent (optimisers and generator included) and
   * buffer, as blobs `<prefix>sac<suffix>` and `<prefix>buffer<suffix>`.
   */
  toBlobs(prefix: string, suffix = ""): Record<string, Uint8Array> {
    return {
      [`${prefix}sac${suffix}`]: sacStateToBytes(this.sac.getWeights()),
      [`${prefix}buffer${suffix}`]: this.replay.toBytes(),
      [`${prefix}owed${suffix}`]: owedToBytes(this.owed),
    };
  }

  /** A checkpoint from before `owed` was kept had whole `updatesPerStep` only, so nothing owed. */
  restoreBlobs(prefix: string, blobs: CheckpointBlobs, suffix = ""): void {
    this.sac.setWeights(sacStateFromBytes(blobs.blob(`${prefix}sac${suffix}`)));
    this.replay = HerReplayBuffer.fromBytes(blobs.blob(`${prefix}buffer${suffix}`), this.computeReward, this.replay.capacity);
    const owed = blobs.optionalBlob(`${prefix}owed${suffix}`);
    this.owed = owed === undefined ? 0 : owedFromBytes(owed, `${prefix}owed${suffix}`);
  }

  /** Replaces the agent by the one {@link Sac.save} wrote to `dir` (a saved policy). */
  async loadAgent(dir: string): Promise<void> {
    const loaded = await Sac.load(dir);
    this.sac.dispose();
    this.sac = loaded;
  }

  dispose(): void {
    this.sac.dispose();
  }
}

function owedToBytes(owed: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, owed, true);
  return bytes;
}

/** Read through its own offset: a blob read from disk may be a view into a larger pooled buffer. */
function owedFromBytes(bytes: Uint8Array, name: string): number {
  const owed = bytes.byteLength === 8 ? new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true) : NaN;
  if (!(owed >= 0 && owed < 1))
    throw new Error(`checkpoint blob ${name} must hold one float64 in [0, 1), got ${bytes.byteLength} bytes reading ${owed}`);
  return owed;
}

/** The env's own spaces: its desired goal, its actions and its reward. */
function envSpaces(env: GoalEnv): LearnerSpaces {
  return {
    goal: { key: "desired_goal", size: env.observationSpace.box("desired_goal").size },
    actLimit: Float64Array.from(env.actionSpace.high),
    computeReward: goalEnvReward(env),
  };
}

export function emptyLosses(): LossTotals {
  return { qf: 0, pi: 0, alpha: 0, q: 0, n: 0, bc: 0, bcKept: 0, bcN: 0 };
}

/**
 * A log row's loss fields when any update happened: `<prefix>loss/qf<suffix>`, `…loss/pi…`,
 * `…alpha…`, `…q/mean…` (e.g. prefix "shadow/", or suffix "_l1" for a HAC level), and `…loss/bc…`
 * (the BC term's loss before its weight) and `…bc/kept…` (the share of its rows the Q-filter kept,
 * 1 without it) when any of them had a supervised term.
 */
export function lossFields(totals: LossTotals, prefix = "", suffix = ""): Record<string, number> {
  if (totals.n === 0) return {};
  return {
    [`${prefix}loss/qf${suffix}`]: totals.qf / totals.n,
    [`${prefix}loss/pi${suffix}`]: totals.pi / totals.n,
    [`${prefix}alpha${suffix}`]: totals.alpha / totals.n,
    [`${prefix}q/mean${suffix}`]: totals.q / totals.n,
    ...(totals.bcN > 0
      ? { [`${prefix}loss/bc${suffix}`]: totals.bc / totals.bcN, [`${prefix}bc/kept${suffix}`]: totals.bcKept / totals.bcN }
      : {}),
  };
}
