/**
 * Hindsight Experience Replay (Andrychowicz et al., 2017) as a replay buffer, after
 * Stable-Baselines3's `her_replay_buffer.py`: HER is a way of sampling, not an algorithm.
 *
 * - Episodes are stored whole. Each env stream fills a staging area; the episode enters the ring
 *   only when it ends, so nothing is ever sampled from an unfinished episode, and vector envs
 *   (one stream per env) never interleave inside an episode.
 * - The ring holds `capacity` transitions. The sampleable transitions are one contiguous arc,
 *   oldest episode first; making room drops the oldest episodes whole, never half of one.
 * - Goals are relabelled at sample time: `nSampledGoal` = k relabelled per real transition, so a
 *   fraction k/(k+1) of each batch. The relabelled reward is `computeReward(next achieved goal,
 *   new goal)` in one batched call per sample.
 * - The done flag is `terminated` only: a time-limit cut bootstraps.
 * - `faithful` reproduces the author's HER (seed-code-notes §3.3, §5.1): the relabelled reward
 *   compares the new goal with itself (so every relabelled transition is a success), and "future"
 *   draws from strictly later transitions, the last transition falling back to "final".
 */
import { z } from "zod";
import type { GoalEnv } from "../../sim/core/env.js";
import { Rng } from "../../sim/core/rng.js";
import { packArrays, unpackArrays, type PackedArray } from "./array-pack.js";

/** Where a relabelled goal comes from, as SB3's `GoalSelectionStrategy`. */
export type GoalSelectionStrategy = "future" | "final" | "episode";

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

/** Per-step rows of one layout, shared by the ring and the staging areas. */
interface Rows {
  observation: Float32Array;
  nextObservation: Float32Array;
  desiredGoal: Float32Array;
  nextAchievedGoal: Float32Array;
  action: Float32Array;
  relabelAction: Float32Array;
  reward: Float32Array;
  terminated: Uint8Array;
}

type RowField = keyof Rows;

const ROW_FIELDS: readonly RowField[] = [
  "observation",
  "nextObservation",
  "desiredGoal",
  "nextAchievedGoal",
  "action",
  "relabelAction",
  "reward",
  "terminated",
];

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

  private readonly ring: Rows;
  /** Index of each stored transition inside its episode, and that episode's length. */
  private readonly episodeOffset: Int32Array;
  private readonly episodeLength: Int32Array;
  /** Next ring slot to write; the sampleable arc ends just before it. */
  private pos = 0;
  /** Transitions in the sampleable arc. */
  private validCount = 0;

  private readonly staging: Rows[];
  private readonly stagedCount: number[];

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
    if (!Number.isInteger(this.numEnvs) || this.numEnvs <= 0) throw new RangeError(`numEnvs must be a positive integer, got ${this.numEnvs}`);
    this.ring = this.allocRows(capacity);
    this.episodeOffset = new Int32Array(capacity);
    this.episodeLength = new Int32Array(capacity);
    this.staging = Array.from({ length: this.numEnvs }, () => this.allocRows(64));
    this.stagedCount = new Array<number>(this.numEnvs).fill(0);
  }

  /** Transitions that can be sampled (from finished episodes only). */
  get size(): number {
    return this.validCount;
  }

  /** Steps of env `env`'s unfinished episode, held back from sampling until it ends. */
  unfinishedSteps(env = 0): number {
    return this.stagedCount[this.checkEnv(env)]!;
  }

  /** Stores one step of env `env`; the episode becomes sampleable when the step ends it. */
  add(t: HerTransition, env = 0): void {
    this.checkEnv(env);
    expectLength("observation", t.observation, this.observationDim);
    expectLength("nextObservation", t.nextObservation, this.observationDim);
    expectLength("desiredGoal", t.desiredGoal, this.goalDim);
    expectLength("nextAchievedGoal", t.nextAchievedGoal, this.goalDim);
    expectLength("action", t.action, this.actionDim);
    if (t.relabelAction !== undefined) expectLength("relabelAction", t.relabelAction, this.actionDim);
    let n = this.stagedCount[env]!;
    if (n === this.capacity) throw new RangeError(`an episode longer than the buffer's capacity (${this.capacity}) cannot be stored whole`);
    if (n === this.staging[env]!.reward.length) this.staging[env] = this.growRows(this.staging[env]!, Math.min(2 * n, this.capacity));
    const s = this.staging[env]!;
    s.observation.set(t.observation, n * this.observationDim);
    s.nextObservation.set(t.nextObservation, n * this.observationDim);
    s.desiredGoal.set(t.desiredGoal, n * this.goalDim);
    s.nextAchievedGoal.set(t.nextAchievedGoal, n * this.goalDim);
    s.action.set(t.action, n * this.actionDim);
    s.relabelAction.set(t.relabelAction ?? t.action, n * this.actionDim);
    s.reward[n] = t.reward;
    // `truncated` ends the episode but is never the done flag: a time-limit cut bootstraps.
    s.terminated[n] = t.terminated ? 1 : 0;
    this.stagedCount[env] = ++n;
    if (t.terminated || t.truncated) this.commitEpisode(env);
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
    if (this.validCount === 0) throw new Error("cannot sample: no finished episode stored yet");
    const { batchSize } = batch;
    const obsDim = this.observationDim;
    const goalDim = this.goalDim;
    const actDim = this.actionDim;
    const obsWidth = obsDim + goalDim;
    const cap = this.capacity;
    const ring = this.ring;
    const nRelabelled = Math.floor((batchSize * this.nSampledGoal) / (this.nSampledGoal + 1));
    if (this.scratchGoal.length < nRelabelled * goalDim) {
      this.scratchGoal = new Float64Array(nRelabelled * goalDim);
      this.scratchAchieved = new Float64Array(nRelabelled * goalDim);
    }
    const oldest = (this.pos - this.validCount + cap) % cap;

    for (let i = 0; i < batchSize; i++) {
      const idx = (oldest + this.rng.integer(this.validCount)) % cap;
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

    if (nRelabelled > 0) {
      const goals = this.scratchGoal.subarray(0, nRelabelled * goalDim);
      // The author's bug: the next state's desired goal had already been overwritten by the new
      // goal, so the reward compared the new goal with itself (seed-code-notes §3.3).
      const achieved = this.faithful ? goals : this.scratchAchieved.subarray(0, nRelabelled * goalDim);
      const rewards = this.computeReward(achieved, goals);
      if (rewards.length !== nRelabelled) {
        throw new Error(`computeReward returned ${rewards.length} rewards for ${nRelabelled} goal pairs (goalDim ${goalDim})`);
      }
      batch.rew.set(rewards);
    }
    return batch;
  }

  /**
   * Everything needed to continue identically: stored episodes (oldest first, so a restored
   * buffer holds only what it uses), unfinished episodes, options and the generator's state.
   */
  toBytes(): Uint8Array {
    const cap = this.capacity;
    const oldest = (this.pos - this.validCount + cap) % cap;
    const arrays: Record<string, PackedArray> = {};
    for (const field of ROW_FIELDS) {
      const width = this.ring[field].length / cap;
      arrays[`ring.${field}`] = readArc(this.ring[field], oldest, this.validCount, cap, width);
    }
    arrays["ring.episodeOffset"] = readArc(this.episodeOffset, oldest, this.validCount, cap, 1);
    arrays["ring.episodeLength"] = readArc(this.episodeLength, oldest, this.validCount, cap, 1);
    this.staging.forEach((rows, env) => {
      const n = this.stagedCount[env]!;
      for (const field of ROW_FIELDS) {
        const width = rows[field].length / rows.reward.length;
        arrays[`staging${env}.${field}`] = rows[field].slice(0, n * width);
      }
    });
    const meta: SavedMeta = {
      format: "her-replay-buffer/1",
      capacity: cap,
      observationDim: this.observationDim,
      goalDim: this.goalDim,
      actionDim: this.actionDim,
      nSampledGoal: this.nSampledGoal,
      goalSelectionStrategy: this.goalSelectionStrategy,
      faithful: this.faithful,
      numEnvs: this.numEnvs,
      size: this.validCount,
      staged: [...this.stagedCount],
      rngState: this.rng.state,
    };
    return packArrays(meta, arrays);
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
    if (meta.size > meta.capacity || meta.staged.length !== meta.numEnvs) throw new Error("replay buffer bytes are inconsistent: size or staging does not fit");
    if (capacity !== undefined && capacity < meta.size) throw new RangeError(`cannot restore ${meta.size} stored transitions into a buffer of capacity ${capacity}`);
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
    const n = meta.size;
    for (const field of ROW_FIELDS) buffer.ring[field].set(get(`ring.${field}`));
    buffer.episodeOffset.set(get("ring.episodeOffset"));
    buffer.episodeLength.set(get("ring.episodeLength"));
    buffer.validCount = n;
    buffer.pos = n % buffer.capacity;
    meta.staged.forEach((count, env) => {
      let rows = buffer.staging[env]!;
      if (count > rows.reward.length) rows = buffer.staging[env] = buffer.growRows(rows, count);
      for (const field of ROW_FIELDS) rows[field].set(get(`staging${env}.${field}`));
      buffer.stagedCount[env] = count;
    });
    return buffer;
  }

  /** The ring row whose next achieved goal becomes the new goal of transition `idx`. */
  private relabelIndex(idx: number): number {
    const offset = this.episodeOffset[idx]!;
    const length = this.episodeLength[idx]!;
    const start = idx - offset;
    let j: number;
    switch (this.goalSelectionStrategy) {
      case "final":
        j = length - 1;
        break;
      case "episode":
        j = this.rng.integer(length);
        break;
      case "future":
        // SB3 draws from [t, T): the goal achieved by this very transition counts as "future".
        // The author drew from (t, T) and used "final" for the last transition.
        if (this.faithful) j = offset + 1 < length ? offset + 1 + this.rng.integer(length - offset - 1) : length - 1;
        else j = offset + this.rng.integer(length - offset);
        break;
    }
    return (start + j + this.capacity) % this.capacity;
  }

  /** Moves env `env`'s finished episode into the ring, dropping the oldest episodes to fit. */
  private commitEpisode(env: number): void {
    const n = this.stagedCount[env]!;
    const cap = this.capacity;
    while (this.validCount + n > cap) {
      const oldest = (this.pos - this.validCount + cap) % cap;
      this.validCount -= this.episodeLength[oldest]!;
    }
    const s = this.staging[env]!;
    for (const field of ROW_FIELDS) {
      const width = this.ring[field].length / cap;
      writeArc(this.ring[field], this.pos, s[field].subarray(0, n * width), cap, width);
    }
    for (let t = 0; t < n; t++) {
      const idx = (this.pos + t) % cap;
      this.episodeOffset[idx] = t;
      this.episodeLength[idx] = n;
    }
    this.pos = (this.pos + n) % cap;
    this.validCount += n;
    this.stagedCount[env] = 0;
  }

  private allocRows(rows: number): Rows {
    return {
      observation: new Float32Array(rows * this.observationDim),
      nextObservation: new Float32Array(rows * this.observationDim),
      desiredGoal: new Float32Array(rows * this.goalDim),
      nextAchievedGoal: new Float32Array(rows * this.goalDim),
      action: new Float32Array(rows * this.actionDim),
      relabelAction: new Float32Array(rows * this.actionDim),
      reward: new Float32Array(rows),
      terminated: new Uint8Array(rows),
    };
  }

  private growRows(old: Rows, rows: number): Rows {
    const grown = this.allocRows(rows);
    for (const field of ROW_FIELDS) grown[field].set(old[field]);
    return grown;
  }

  private checkEnv(env: number): number {
    if (!Number.isInteger(env) || env < 0 || env >= this.numEnvs) throw new RangeError(`env index ${env} is outside [0, ${this.numEnvs})`);
    return env;
  }
}

function expectLength(name: string, v: ArrayLike<number>, n: number): void {
  if (v.length !== n) throw new RangeError(`${name} has length ${v.length}, expected ${n}`);
}

/** A plain loop: `subarray` + `set` would allocate a view per row on the sampling hot path. */
function copyRow(src: Float32Array, srcStart: number, dst: Float32Array, dstStart: number, n: number): void {
  for (let k = 0; k < n; k++) dst[dstStart + k] = src[srcStart + k]!;
}

/** Rows [start, start + count) of a ring of `cap` rows, unwrapped into one array. */
function readArc<T extends Float32Array | Int32Array | Uint8Array>(ring: T, start: number, count: number, cap: number, width: number): T {
  const first = Math.min(count, cap - start);
  const out = ring.slice(0, count * width) as T;
  out.set(ring.subarray(start * width, (start + first) * width));
  out.set(ring.subarray(0, (count - first) * width), first * width);
  return out;
}

/** Writes `rows` into a ring of `cap` rows from row `start`, wrapping at the end. */
function writeArc(ring: Float32Array | Uint8Array, start: number, rows: Float32Array | Uint8Array, cap: number, width: number): void {
  const count = rows.length / width;
  const first = Math.min(count, cap - start);
  ring.set(rows.subarray(0, first * width), start * width);
  ring.set(rows.subarray(first * width), 0);
}
