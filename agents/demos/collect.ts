/**
 * Demonstration collection, as the author's `collect_expert.py` (docs/original-code.md §3.6): roll a
 * policy out deterministically for episodes of at most `maxEpLen` steps and keep only the
 * episodes whose last step is a success. Episode i of the attempts is reset with seed `seed + i`,
 * so a collection is reproducible and its file records which starts it kept.
 */
import type { GoalEnv } from "../../sim/core/env.js";
import { buildDemoSet, newEpisode, recordStep, type DemoSet, type RecordedEpisode } from "./demo-set.js";
import type { DemoPolicy } from "./one-block-at-a-time.js";
import { ConfigError } from "../config-error.js";

export interface CollectOptions {
  /** The env to act in; `envId` and `envKwargs` are what the file records of it. */
  env: GoalEnv;
  envId: string;
  envKwargs?: Record<string, unknown>;
  policy: DemoPolicy;
  /** Recorded as the file's `source`. */
  source: string;
  /** Stop once this many successful episodes are kept... */
  episodes?: number;
  /** ...or once the kept episodes hold at least this many steps (the post's "2000 timesteps"). */
  steps?: number;
  /** @defaultValue 100 (collect_expert.py) */
  maxEpLen?: number;
  /** @defaultValue 0 */
  seed?: number;
  /**
   * Give up after this many episodes, naming the success rate, rather than loop forever on a
   * policy that rarely succeeds. @defaultValue 20 × the episodes needed, + 20
   */
  maxAttempts?: number;
  /** Called after every attempted episode. */
  onEpisode?: (progress: CollectProgress) => void;
}

export interface CollectProgress {
  attempts: number;
  kept: number;
  keptSteps: number;
  /** The episode just finished. */
  success: boolean;
  return: number;
}

export function collectDemos(options: CollectOptions): DemoSet {
  const { env, policy } = options;
  const maxEpLen = options.maxEpLen ?? 100;
  const seed = options.seed ?? 0;
  if ((options.episodes === undefined) === (options.steps === undefined)) throw new Error("collectDemos: give either episodes or steps");
  const target = options.episodes ?? options.steps!;
  if (!Number.isInteger(target) || target <= 0)
    throw new Error(
      `collectDemos: the number of ${options.episodes !== undefined ? "episodes" : "steps"} must be a positive integer, got ${target}`,
    );
  if (!Number.isInteger(maxEpLen) || maxEpLen <= 0) throw new Error(`collectDemos: maxEpLen must be a positive integer, got ${maxEpLen}`);
  const needed = options.episodes ?? Math.ceil(target / maxEpLen);
  const maxAttempts = options.maxAttempts ?? 20 * needed + 20;
  const kept: RecordedEpisode[] = [];
  let keptSteps = 0;
  let attempts = 0;
  const done = (): boolean => (options.episodes !== undefined ? kept.length >= options.episodes : keptSteps >= target);
  while (!done()) {
    if (attempts >= maxAttempts) {
      throw new ConfigError(
        `collectDemos: only ${kept.length} of ${attempts} episodes of ${options.source} on ${options.envId} succeeded; giving up (raise maxAttempts or use a better policy)`,
      );
    }
    const episodeSeed = seed + attempts;
    attempts++;
    const episode = newEpisode(episodeSeed);
    let { obs } = env.reset({ seed: episodeSeed });
    let success = false;
    let ret = 0;
    for (let t = 0; t < maxEpLen; t++) {
      const action = policy(obs);
      recordStep(episode, obs, action);
      const r = env.step(action);
      ret += r.reward;
      success = r.info.is_success === true;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    if (success) {
      kept.push(episode);
      keptSteps += episode.rows.acts.length;
    }
    options.onEpisode?.({ attempts, kept: kept.length, keptSteps, success, return: ret });
  }
  return buildDemoSet({ env: options.envId, envKwargs: options.envKwargs ?? {}, source: options.source }, kept);
}
