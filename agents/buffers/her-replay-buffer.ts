/**
 * Hindsight Experience Replay (Andrychowicz et al., 2017) as a replay buffer, after
 * Stable-Baselines3's `her_replay_buffer.py`: HER is a way of sampling, not an algorithm.
 *
 * - Episodes are stored whole, and only finished ones are sampled (./episode-ring.ts); making
 *   room drops the oldest episodes whole, never half of one.
 * - Goals are relabelled at sample time: `nSampledGoal` = k relabelled per real transition, so a
 *   fraction k/(k+1) of each batch. The relabelled reward is `computeReward(next achieved goal,
 *   new goal)` in one batched call per sample.
 * - The done flag is `terminated` only: a time-limit cut bootstraps.
 * - `faithful` reproduces the author's HER (docs/original-code.md §3.3, §5.1): the relabelled reward
 *   compares the new goal with itself (so every relabelled transition is a success), and "future"
 *   draws from strictly later transitions, the last transition falling back to "final".
 */
import { z } from "zod";
import type { GoalEnv } from "../../sim/core/env.js";
import { Rng } from "../../sim/core/rng.js";
import { packArrays, unpackArrays, type PackedArray } from "./array-pack.js";
import { EpisodeRing } from "./episode-ring.js";
import { goalStep, type GoalSelectionStrategy } from "./goal-selection.js";

/**
 * Rewards for a batch of goal pairs, rows flattened (row i is `[i * goalDim, (i + 1) * goalDim)`).
 * Abstract so that the same buffer serves HAC's low level, whose goals are subgoals.
 */
export type GoalRewardFn = (achieved: Float64Array, desired: Float64Array) => Float64Array;

/** The env's own batched reward, optionally on another goal space of the same layout (`goalDim`). */
export function goalEnvReward(env: GoalEnv, goalDim?: number): GoalRewardFn {
  return (achieved, desired) => env.computeReward(achieved, desired, undefined, goalDim);
}

export interface HerReplayBufferOptions {
  /** Transitions held; the oldest episodes are dropped whole to make room. */
  capacity: number;
  /** Length of the flat observation (the dict's `observation`, without goals). */
  observationDim: number;
  goalDim: number;
  actionDim: number;
  computeReward: GoalRewardFn;
  /** Owned by the buffer and saved with it: give it a generator nothing else draws from. */
  rng: Rng;
  /** k, the relabelled transitions per real one. @defaultValue 4 */
  nSampledGoal?: number;
  /** @defaultValue "future" */
  goalSelectionStrategy?: GoalSelectionStrategy;
  /** Reproduce the author's relabelling, bug included (see the file comment). @defaultValue false */
  faithful?: boolean;
  /** Env streams that add transitions concurrently (vector envs). @defaultValue 1 */
  numEnvs?: number;
}

/** One env step. `nextObservation`/`nextAchievedGoal` are the step's result (the final obs on a cut). */
export interface HerTransition {
  observation: ArrayLike<number>;
  desiredGoal: ArrayLike<number>;
  action: ArrayLike<number>;
  /**
   * The action the relabelled copies carry instead of `action`, when the two differ: HAC's
   * subgoal-testing variants store the commanded subgoal on the real row while the author's
   * hindsight copies carry the subgoal actually reached. @defaultValue action
   */
  relabelAction?: ArrayLike<number>;
  reward: number;
  nextObservation: ArrayLike<number>;
  nextAchievedGoal: ArrayLike<number>;
  terminated: boolean;
  /** Ends the episode without a terminal state: the learner bootstraps through it. */
  truncated: boolean;
}

/**
 * A learner's batch, row-major: `obs` and `nextObs` are observation ‖ goal, the goal being the
 * relabelled one on relabelled rows. `relabelled` marks those rows (1) for diagnostics and tests.
 */
export interface HerBatch {
  batchSize: number;
  obs: Float32Array;
  act: Float32Array;
  rew: Float32Array;
  nextObs: Float32Array;
  done: Float32Array;
  relabelled: Uint8Array;
}

const metaSchema = z.object({
  format: z.literal("her-replay-buffer/1"),
  capacity: z.number().int().positive(),
  observationDim: z.number().int().positive(),
  goalDim: z.number().int().positive(),
  actionDim: z.number().int().positive(),
  nSampledGoal: z.number().int().nonnegative(),
  goalSelectionStrategy: z.enum(["future", "final", "episode"]),
  faithful: z.boolean(),
  numEnvs: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  staged: z.array(z.number().int().nonnegative()),
  rngState: z.array(z.number().int()),
});

type SavedMeta = z.infer<typeof metaSchema>;

export class HerReplayBuffer {
  readonly capacity: number;
  readonly observationDim: number;
  readonly goalDim: number;
  readonly actionDim: number;
  readonly nSampledGoal: number;
  readonly goalSelectionStrategy: GoalSelectionStrategy;
  readonly faithful: boolean;
  readonly numEnvs: number;
  private readonly computeReward: GoalRewardFn;
  private readonly rng: Rng;
  private readonly episodes: EpisodeRing;

  /** Goal rows of the relabelled part of a batch, as the reward function takes them. */
  private scratchAchieved = new Float64Array(0);
  private scratchGoal = new Float64Array(0);

  constructor(options: HerReplayBufferOptions) {
    const { capacity, observationDim, goalDim, actionDim } = options;
    for (const [name, v] of Object.entries({ capacity, observationDim, goalDim, actionDim })) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
    this.capacity = capacity;
    this.observationDim = observationDim;
    this.goalDim = goalDim;
    this.actionDim = actionDim;
    this.computeReward = options.computeReward;
    this.rng = options.rng;
    this.nSampledGoal = options.nSampledGoal ?? 4;
    if (!Number.isInteger(this.nSampledGoal) || this.nSampledGoal < 0) {
      throw new RangeError(`nSampledGoal must be a non-negative integer, got ${this.nSampledGoal}`);
    }
    this.goalSelectionStrategy = options.goalSelectionStrategy ?? "future";
    this.faithful = options.faithful ?? false;
    this.numEnvs = options.numEnvs ?? 1;
    if (!Number.isInteger(this.numEnvs) || this.numEnvs <= 0)
      throw new RangeError(`numEnvs must be a positive integer, got ${this.numEnvs}`);
    this.episodes = new EpisodeRing(capacity, { observationDim, goalDim, actionDim }, this.numEnvs);
  }

  /** Transitions that can be sampled (from finished episodes only). */
  get size(): number {
    return this.episodes.size;
  }

  /** Steps of env `env`'s unfinished episode, held back from sampling until it ends. */
  unfinishedSteps(env = 0): number {
    return this.episodes.unfinishedSteps(env);
  }

  /** Stores one step of env `env`; the episode becomes sampleable when the step ends it. */
  add(t: HerTransition, env = 0): void {
    this.episodes.add(t, env);
  }

  /** An empty batch to pass to {@link sampleInto} again and again. */
  createBatch(batchSize: number): HerBatch {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const obsWidth = this.observationDim + this.goalDim;
    return {
      batchSize,
      obs: new Float32Array(batchSize * obsWidth),
      act: new Float32Array(batchSize * this.actionDim),
      rew: new Float32Array(batchSize),
      nextObs: new Float32Array(batchSize * obsWidth),
      done: new Float32Array(batchSize),
      relabelled: new Uint8Array(batchSize),
    };
  }

  /** A fresh batch; on the hot path prefer {@link sampleInto} with a reused batch. */
  sample(batchSize: number): HerBatch {
    return this.sampleInto(this.createBatch(batchSize));
  }

  /**
   * Fills `batch` with transitions drawn uniformly from finished episodes. The first
   * floor(B·k/(k+1)) rows are relabelled (SB3 fixes the count too; rows are i.i.d. anyway).
   */
  sampleInto(batch: HerBatch): HerBatch {
    const validCount = this.episodes.size;
    if (validCount === 0) throw new Error("cannot sample: no finished episode stored yet");
    const { batchSize } = batch;
    const obsDim = this.observationDim;
    const goalDim = this.goalDim;
    const actDim = this.actionDim;
    const obsWidth = obsDim + goalDim;
    const cap = this.capacity;
    const ring = this.episodes.rows;
    const nRelabelled = Math.floor((batchSize * this.nSampledGoal) / (this.nSampledGoal + 1));
    if (this.scratchGoal.length < nRelabelled * goalDim) {
      this.scratchGoal = new Float64Array(nRelabelled * goalDim);
      this.scratchAchieved = new Float64Array(nRelabelled * goalDim);
    }
    const oldest = this.episodes.oldest;

    for (let i = 0; i < batchSize; i++) {
      const idx = (oldest + this.rng.integer(validCount)) % cap;
      const rowObs = i * obsWidth;
      copyRow(ring.observation, idx * obsDim, batch.obs, rowObs, obsDim);
      copyRow(ring.nextObservation, idx * obsDim, batch.nextObs, rowObs, obsDim);
      batch.done[i] = ring.terminated[idx]!;
      if (i < nRelabelled) {
        copyRow(ring.relabelAction, idx * actDim, batch.act, i * actDim, actDim);
        const goalIdx = this.relabelIndex(idx);
        for (let d = 0; d < goalDim; d++) {
          const g = ring.nextAchievedGoal[goalIdx * goalDim + d]!;
          batch.obs[rowObs + obsDim + d] = g;
          batch.nextObs[rowObs + obsDim + d] = g;
          this.scratchGoal[i * goalDim + d] = g;
          this.scratchAchieved[i * goalDim + d] = ring.nextAchievedGoal[idx * goalDim + d]!;
        }
        batch.relabelled[i] = 1;
      } else {
        copyRow(ring.action, idx * actDim, batch.act, i * actDim, actDim);
        copyRow(ring.desiredGoal, idx * goalDim, batch.obs, rowObs + obsDim, goalDim);
        copyRow(ring.desiredGoal, idx * goalDim, batch.nextObs, rowObs + obsDim, goalDim);
        batch.rew[i] = ring.reward[idx]!;
        batch.relabelled[i] = 0;
      }
    }

    if (nRelabelled > 0) this.relabelRewards(batch, nRelabelled);
    return batch;
  }

  /**
   * Everything needed to continue identically: stored episodes (oldest first, so a restored
   * buffer holds only what it uses), unfinished episodes, options and the generator's state.
   */
  toBytes(): Uint8Array {
    const meta: SavedMeta = {
      format: "her-replay-buffer/1",
      capacity: this.capacity,
      observationDim: this.observationDim,
      goalDim: this.goalDim,
      actionDim: this.actionDim,
      nSampledGoal: this.nSampledGoal,
      goalSelectionStrategy: this.goalSelectionStrategy,
      faithful: this.faithful,
      numEnvs: this.numEnvs,
      size: this.episodes.size,
      staged: this.episodes.staged,
      rngState: this.rng.state,
    };
    return packArrays(meta, this.episodes.toArrays());
  }

  /**
   * Rebuilds a buffer saved by {@link toBytes}; functions do not serialise, so pass the reward
   * again. A larger `capacity` lets a run's budget be extended: the stored episodes sit oldest
   * first from row 0 either way, so until the ring wraps the buffer samples exactly as one that was
   * built with the larger capacity from the start.
   */
  static fromBytes(bytes: Uint8Array, computeReward: GoalRewardFn, capacity?: number): HerReplayBuffer {
    const { meta: rawMeta, arrays } = unpackArrays(bytes);
    const meta = metaSchema.parse(rawMeta);
    if (meta.size > meta.capacity || meta.staged.length !== meta.numEnvs)
      throw new Error("replay buffer bytes are inconsistent: size or staging does not fit");
    if (capacity !== undefined && capacity < meta.size)
      throw new RangeError(`cannot restore ${meta.size} stored transitions into a buffer of capacity ${capacity}`);
    const rng = new Rng();
    rng.state = meta.rngState;
    const buffer = new HerReplayBuffer({ ...meta, capacity: capacity ?? meta.capacity, computeReward, rng });
    const get = (name: string): PackedArray => {
      const a = arrays.get(name);
      if (a) return a;
      // Buffers saved before relabelAction existed: their copies carried the stored action.
      const relabel = /^(ring|staging\d+)\.relabelAction$/.exec(name);
      if (relabel) return get(`${relabel[1]}.action`);
      throw new Error(`replay buffer bytes lack the array "${name}"`);
    };
    buffer.episodes.restore(meta.size, meta.staged, get);
    return buffer;
  }

  /** The relabelled rows' rewards, `computeReward(next achieved goal, new goal)` in one batched call. */
  private relabelRewards(batch: HerBatch, nRelabelled: number): void {
    const goalDim = this.goalDim;
    const goals = this.scratchGoal.subarray(0, nRelabelled * goalDim);
    // The author's bug: the next state's desired goal had already been overwritten by the new
    // goal, so the reward compared the new goal with itself (docs/original-code.md §3.3).
    const achieved = this.faithful ? goals : this.scratchAchieved.subarray(0, nRelabelled * goalDim);
    const rewards = this.computeReward(achieved, goals);
    if (rewards.length !== nRelabelled) {
      throw new Error(`computeReward returned ${rewards.length} rewards for ${nRelabelled} goal pairs (goalDim ${goalDim})`);
    }
    batch.rew.set(rewards);
  }

  /** The ring row whose next achieved goal becomes the new goal of transition `idx`. */
  private relabelIndex(idx: number): number {
    const offset = this.episodes.episodeOffset[idx]!;
    const length = this.episodes.episodeLength[idx]!;
    const j = goalStep(this.goalSelectionStrategy, this.faithful, offset, length, this.rng);
    return (idx - offset + j + this.capacity) % this.capacity;
  }
}

/** A plain loop: `subarray` + `set` would allocate a view per row on the sampling hot path. */
function copyRow(src: Float32Array, srcStart: number, dst: Float32Array, dstStart: number, n: number): void {
  for (let k = 0; k < n; k++) dst[dstStart + k] = src[srcStart + k]!;
}
