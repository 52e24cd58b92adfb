/**
 * Relay relabelling (Gupta et al. 2019, after Lynch et al.'s play relabelling), exactly as the
 * author's `sample_relay_batch` (docs/original-code.md §3.6). One batch:
 *
 * 1. draw `numTrajectories` (80) demo episodes with replacement;
 * 2. per episode of length L, a start s uniform in {0, ..., ⌊0.2 L⌋ - 1} and an end e uniform in
 *    {⌊0.8 L⌋, ..., L - 1};
 * 3. replan times t_0 = s, t_1 = s + n, ... < e (numpy's `arange(s, e, n)`, n = replanInterval);
 * 4. high-level pairs, one per consecutive (t_j, t_j+1): input = obs[t_j] ‖ the episode's *final*
 *    achieved goal (its last step, not e); target = the subgoal-space state at t_j+1, or
 *    state[t_j+1] - state[t_j] with relative subgoals;
 * 5. low-level pairs, one per window: index i = max(0, t_j+1 - r), r uniform in {0, ..., n-1};
 *    input = obs[i] ‖ that window's subgoal (the high-level target; the state itself when targets
 *    are offsets from the hierarchy's subgoal centre); target = the demo action at i. (One index
 *    per window, not every step of it, as the post's wording suggests.)
 *
 * Draws, in the author's order: the 80 episodes, the 80 starts, the 80 ends, then each episode's
 * low-level offsets. The train/validation split is by episode: the first 80 % / the rest.
 */
import type { Rng } from "../../sim/core/rng.js";
import type { SubgoalSpace } from "../hac/hac-config.js";
import { demoKeyOf, numEpisodes, type DemoSet } from "../demos/demo-set.js";
import type { BcRows } from "../nn/bc-loss.js";
import { ConfigError } from "../config-error.js";

export interface RelayOptions {
  /** n: env steps between the high level's decisions. */
  replanInterval: number;
  /** Targets as offsets from the subgoal-space state at t_j (`--relative`). @defaultValue false */
  relative?: boolean;
  /**
   * What absolute targets are offsets from: the hierarchy's {@link Hac.subgoalCenter}, so that a
   * target is the high level's own output for that subgoal. @defaultValue all zeros
   */
  subgoalCenter?: ArrayLike<number>;
  /** @defaultValue 80 */
  numTrajectories?: number;
}

/** The episodes of a demo set that relay batches are drawn from (a split of it). */
export interface RelayDemos {
  set: DemoSet;
  /** Episode indices of `set` in this split. */
  episodes: number[];
  subgoalSpace: SubgoalSpace;
}

export interface RelayBatch {
  high: BcRows;
  low: BcRows;
}

/** The first ⌊trainFraction · E⌋ episodes for training, the rest for validation (`relay_learning.py`). */
export function splitRelayDemos(
  set: DemoSet,
  subgoalSpace: SubgoalSpace,
  trainFraction = 0.8,
): { train: RelayDemos; validation: RelayDemos } {
  const e = numEpisodes(set);
  const nTrain = Math.floor(trainFraction * e);
  if (nTrain === 0)
    throw new ConfigError(`relay learning needs at least one training episode: ${e} demo episodes × ${trainFraction} leaves none`);
  const all = Array.from({ length: e }, (_, i) => i);
  return { train: { set, episodes: all.slice(0, nTrain), subgoalSpace }, validation: { set, episodes: all.slice(nTrain), subgoalSpace } };
}

/** One relay batch from `demos` (see the file comment for the exact draws). */
export function relayBatch(demos: RelayDemos, options: RelayOptions, rng: Rng): RelayBatch {
  const { set } = demos;
  const n = options.replanInterval;
  const m = options.numTrajectories ?? 80;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`relayBatch: replanInterval must be a positive integer, got ${n}`);
  if (demos.episodes.length === 0) throw new Error("relayBatch: no demo episodes to draw from");
  const T = set.horizon;
  const obsDim = set.dims.obs;
  const goalDim = set.dims.achieved_goals;
  const subgoalKey = demoKeyOf(demos.subgoalSpace);
  const sgDim = set.dims[subgoalKey];
  const actDim = set.dims.acts;
  const obs = set.data.obs;
  const ags = set.data.achieved_goals;
  const states = set.data[subgoalKey];
  const acts = set.data.acts;

  const picks = Array.from({ length: m }, () => demos.episodes[rng.integer(demos.episodes.length)]!);
  const lengths = picks.map((e) => set.episodeLengths[e]!);
  const starts = lengths.map((L) => {
    const maxStart = Math.floor(0.2 * L);
    if (maxStart === 0) throw new Error(`relayBatch: a demo episode of ${L} steps has no first 20 % to start in (needs 5+ steps)`);
    return rng.integer(maxStart);
  });
  const ends = lengths.map((L) => Math.floor(0.8 * L) + rng.integer(L - Math.floor(0.8 * L)));

  const highIn: number[] = [];
  const highOut: number[] = [];
  const lowIn: number[] = [];
  const lowOut: number[] = [];
  const row = (data: Float32Array, dim: number, e: number, t: number): Float32Array =>
    data.subarray((e * T + t) * dim, (e * T + t + 1) * dim);
  picks.forEach((e, k) => {
    const grid: number[] = [];
    for (let t = starts[k]!; t < ends[k]!; t += n) grid.push(t);
    const finalGoal = row(ags, goalDim, e, lengths[k]! - 1);
    const lowGoals: Float32Array[] = [];
    for (let j = 0; j + 1 < grid.length; j++) {
      const next = row(states, sgDim, e, grid[j + 1]!);
      const origin = options.relative ? row(states, sgDim, e, grid[j]!) : options.subgoalCenter;
      const target = origin === undefined ? Float32Array.from(next) : next.map((v, d) => v - origin[d]!);
      highIn.push(...row(obs, obsDim, e, grid[j]!), ...finalGoal);
      highOut.push(...target);
      // The low level is given the subgoal itself, as HAC gives it at run time: the state, not
      // the high level's centred output (with relative subgoals the author gave it the offset).
      lowGoals.push(options.relative ? target : Float32Array.from(next));
    }
    for (let j = 0; j + 1 < grid.length; j++) {
      const i = Math.max(0, grid[j + 1]! - rng.integer(n));
      lowIn.push(...row(obs, obsDim, e, i), ...lowGoals[j]!);
      lowOut.push(...row(acts, actDim, e, i));
    }
  });
  if (highOut.length === 0)
    throw new Error(`relayBatch: no pair fits in the drawn windows: demo episodes are too short for replanInterval ${n}`);
  return {
    high: { input: Float32Array.from(highIn), target: Float32Array.from(highOut) },
    low: { input: Float32Array.from(lowIn), target: Float32Array.from(lowOut) },
  };
}
