/**
 * A goal-conditioned SAC learner and its HER buffer: what flat SAC + HER is, apart from the loop
 * that feeds it. The flat trainer feeds it its own env steps; HAC's shadow learner feeds it the
 * hierarchy's env steps (seed-code-notes §3.7), and it learns from them on the same schedule.
 */
import type { GoalEnv, GoalObs, StepResult } from "../../sim/core.js";
import { Rng } from "../../sim/rng.js";
import { HerReplayBuffer, goalEnvReward, type HerBatch } from "../buffers/her-replay-buffer.js";
import { Sac, type SacMetrics, type SupervisedTerm } from "./sac.js";
import type { SacConfig } from "./sac-config.js";
import { goalPolicyInputs, type PolicyInputPart } from "./policy-onnx.js";
import { policyInput } from "./policy-input.js";
import { sacStateFromBytes, sacStateToBytes } from "./sac-state-codec.js";

export interface HerSettings {
  nSampledGoal: number;
  strategy: "future" | "final" | "episode";
  /** Every relabelled reward 0, as the seed code's bug (seed-code-notes §3.3). */
  faithful: boolean;
}

/** Running means of an update's losses, for one log row. */
export interface LossTotals {
  qf: number;
  pi: number;
  alpha: number;
  n: number;
}

export class HerLearner {
  readonly agent: Sac;
  /** How the agent's input is made: observation ‖ desired goal. */
  readonly policyInputs: PolicyInputPart[];
  /** A supervised term added to every update (the "BC one layer" baseline; agents/rpl/flat-bc.ts). */
  supervision: (() => SupervisedTerm) | null = null;
  private buffer: HerReplayBuffer;
  private readonly batch: HerBatch;

  constructor(
    private readonly env: GoalEnv,
    readonly sacConfig: SacConfig,
    her: HerSettings,
    capacity: number,
    seed: number,
  ) {
    const obsDim = boxSize(env, "observation");
    const goalDim = boxSize(env, "desired_goal");
    const actDim = env.actionSpace.size;
    this.agent = new Sac(obsDim + goalDim, actDim, Array.from(env.actionSpace.high), sacConfig, seed);
    this.policyInputs = goalPolicyInputs(obsDim, goalDim);
    this.buffer = new HerReplayBuffer({
      capacity: Math.min(sacConfig.bufferSize, capacity),
      observationDim: obsDim,
      goalDim,
      actionDim: actDim,
      computeReward: goalEnvReward(env),
      rng: new Rng(seed + 1),
      nSampledGoal: her.nSampledGoal,
      goalSelectionStrategy: her.strategy,
      faithful: her.faithful,
    });
    this.batch = this.buffer.createBatch(sacConfig.batchSize);
  }

  act(obs: GoalObs, deterministic: boolean): Float32Array {
    return this.agent.act(policyInput(obs), deterministic);
  }

  /** Stores one env step (the episode becomes sampleable when the step ends it). */
  observe(obs: GoalObs, action: ArrayLike<number>, r: StepResult<GoalObs>): void {
    this.buffer.add({
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

  /** `updatesPerStep` gradient steps, once a batch's worth of finished episodes is stored. */
  learn(totals: LossTotals): void {
    if (this.buffer.size < this.sacConfig.batchSize) return;
    for (let u = 0; u < this.sacConfig.updatesPerStep; u++) {
      const m: SacMetrics = this.agent.update(this.buffer.sampleInto(this.batch), this.supervision?.());
      totals.qf += m.qfLoss;
      totals.pi += m.piLoss;
      totals.alpha += m.alpha;
      totals.n++;
    }
  }

  /** The learner's whole state for a checkpoint: agent (optimisers and generator included) and buffer. */
  toBlobs(prefix: string): Record<string, Uint8Array> {
    return { [`${prefix}sac`]: sacStateToBytes(this.agent.getWeights()), [`${prefix}buffer`]: this.buffer.toBytes() };
  }

  restoreBlobs(prefix: string, blob: (name: string) => Uint8Array): void {
    this.agent.setWeights(sacStateFromBytes(blob(`${prefix}sac`)));
    this.buffer = HerReplayBuffer.fromBytes(blob(`${prefix}buffer`), goalEnvReward(this.env), this.buffer.capacity);
  }

  dispose(): void {
    this.agent.dispose();
  }
}

export function emptyLosses(): LossTotals {
  return { qf: 0, pi: 0, alpha: 0, n: 0 };
}

/** A log row's loss fields, prefixed (e.g. "shadow/"), when any update happened. */
export function lossFields(totals: LossTotals, prefix = ""): Record<string, number> {
  if (totals.n === 0) return {};
  return { [`${prefix}loss/qf`]: totals.qf / totals.n, [`${prefix}loss/pi`]: totals.pi / totals.n, [`${prefix}alpha`]: totals.alpha / totals.n };
}

/** The size of one Box entry of a goal env's Dict observation space. */
export function boxSize(env: GoalEnv, key: string): number {
  const space = env.observationSpace.spaces[key];
  if (space?.type !== "Box") throw new Error(`${env.unwrapped.toString()} has no Box observation key "${key}"`);
  return space.size;
}
