/**
 * A set of demonstration episodes in the layout of the author's npz files (docs/original-code.md §3.6):
 * one float32 array per key, shaped [episodes, T, dim] row-major, under the npz key names. Row t
 * of an episode is what the env showed *before* action t, and action t itself. Episodes shorter
 * than T (an env that terminates on success) are padded by repeating their last row;
 * `episodeLengths` says where each one really ends.
 */
import type { GoalEnv, GoalObs } from "../../sim/core/env.js";
import { ConfigError } from "../config-error.js";

/** The npz keys, in file order. `acts` are env actions; the rest are observation keys, plural. */
export const DEMO_KEYS = [
  "acts",
  "obs",
  "desired_goals",
  "achieved_goals",
  "controllable_achieved_goals",
  "full_positional_states",
] as const;

export type DemoKey = (typeof DEMO_KEYS)[number];

/** The observation key each array (but `acts`) is read from. */
const OBS_KEY: Readonly<
  Record<
    Exclude<DemoKey, "acts">,
    "observation" | "desired_goal" | "achieved_goal" | "controllable_achieved_goal" | "full_positional_state"
  >
> = {
  obs: "observation",
  desired_goals: "desired_goal",
  achieved_goals: "achieved_goal",
  controllable_achieved_goals: "controllable_achieved_goal",
  full_positional_states: "full_positional_state",
};

export interface DemoSet {
  /** The env id the episodes were collected on. */
  env: string;
  envKwargs: Record<string, unknown>;
  /** What acted: "expert", "expert (one block at a time)", or a run directory. */
  source: string;
  /** The reset seed of each episode. */
  seeds: number[];
  episodeLengths: number[];
  /** T: the padded length of every episode. */
  horizon: number;
  dims: Record<DemoKey, number>;
  data: Record<DemoKey, Float32Array>;
}

/** The array of observation key behind a demo key: `achieved_goal` → `achieved_goals`. */
export function demoKeyOf(obsKey: "controllable_achieved_goal" | "achieved_goal" | "full_positional_state"): DemoKey {
  return `${obsKey}s`;
}

export function numEpisodes(set: DemoSet): number {
  return set.episodeLengths.length;
}

/** Row t of episode e of array `key` (a view, not a copy). */
export function demoRow(set: DemoSet, key: DemoKey, episode: number, t: number): Float32Array {
  const dim = set.dims[key];
  const start = (episode * set.horizon + t) * dim;
  return set.data[key].subarray(start, start + dim);
}

/** Total real (unpadded) timesteps. */
export function demoSteps(set: DemoSet): number {
  return set.episodeLengths.reduce((a, b) => a + b, 0);
}

/** One episode as it was recorded: one row per step. */
export interface RecordedEpisode {
  seed: number;
  rows: Record<DemoKey, Float64Array[]>;
}

export function newEpisode(seed: number): RecordedEpisode {
  return {
    seed,
    rows: { acts: [], obs: [], desired_goals: [], achieved_goals: [], controllable_achieved_goals: [], full_positional_states: [] },
  };
}

/** Appends the observation shown before `action`, and the action. */
export function recordStep(episode: RecordedEpisode, obs: GoalObs, action: ArrayLike<number>): void {
  episode.rows.acts.push(Float64Array.from(action));
  for (const [key, obsKey] of Object.entries(OBS_KEY) as [Exclude<DemoKey, "acts">, (typeof OBS_KEY)[Exclude<DemoKey, "acts">]][]) {
    episode.rows[key].push(Float64Array.from(obs[obsKey]));
  }
}

/** Packs recorded episodes into the [episodes, T, dim] arrays, T the longest episode. */
export function buildDemoSet(
  info: { env: string; envKwargs: Record<string, unknown>; source: string },
  episodes: readonly RecordedEpisode[],
): DemoSet {
  if (episodes.length === 0) throw new Error("buildDemoSet: no episodes to store");
  const lengths = episodes.map((e) => e.rows.acts.length);
  if (lengths.some((l) => l === 0)) throw new Error("buildDemoSet: an episode has no steps");
  const horizon = Math.max(...lengths);
  const dims = Object.fromEntries(DEMO_KEYS.map((k) => [k, episodes[0]!.rows[k][0]!.length])) as Record<DemoKey, number>;
  const data = Object.fromEntries(DEMO_KEYS.map((k) => [k, new Float32Array(episodes.length * horizon * dims[k])])) as Record<
    DemoKey,
    Float32Array
  >;
  episodes.forEach((episode, e) => {
    for (const key of DEMO_KEYS) {
      const rows = episode.rows[key];
      for (let t = 0; t < horizon; t++) {
        const row = rows[Math.min(t, rows.length - 1)]!;
        if (row.length !== dims[key])
          throw new Error(`buildDemoSet: episode ${e} has ${key} rows of ${row.length} values, expected ${dims[key]}`);
        data[key].set(row, (e * horizon + t) * dims[key]);
      }
    }
  });
  return { ...info, seeds: episodes.map((e) => e.seed), episodeLengths: lengths, horizon, dims, data };
}

/** The env key or action space each demo array must match in size. */
const ENV_KEY: Readonly<Record<DemoKey, string>> = { acts: "action", ...OBS_KEY };

/** Throws, naming the array, unless the arrays `keys` of `set` have the sizes `env` gives. */
export function checkDemosFit(set: DemoSet, env: GoalEnv, keys: readonly DemoKey[], where: string): void {
  for (const key of keys) {
    const space = key === "acts" ? env.actionSpace : env.observationSpace.spaces[ENV_KEY[key]];
    const size = space?.type === "Box" ? space.size : undefined;
    if (size !== set.dims[key]) {
      throw new ConfigError(
        `${where}: demos from ${set.env} have ${key} of ${set.dims[key]} values, but ${env.unwrapped.toString()} has ${ENV_KEY[key]} of ${String(size)}`,
      );
    }
  }
}
