/**
 * The post's "Reward for Pretrained Models" table (seed-code-notes §3.11, E6): deterministic
 * episodes of the hierarchy, their mean return, and the fraction of episodes whose return beats
 * the worst possible one, -1 on every step ("return > -200" for 200-step episodes of one goal:
 * the goal was reached at least once). Run twice by the relay trainer: on fresh start states and on
 * the training demos' own, which tells memorising a few demos from learning the task.
 */
import type { GoalEnv } from "../../sim/core.js";
import type { Hac } from "../hac/hac.js";

export interface PretrainedEval {
  meanReturn: number;
  /** Success at the last step. */
  successRate: number;
  /** Share of episodes with return > -(their length). */
  reachedOnce: number;
  episodes: number;
}

/** One deterministic episode per reset seed. */
export function evaluatePretrained(agent: Hac, env: GoalEnv, seeds: readonly number[]): PretrainedEval {
  const episodes = seeds.length;
  if (episodes === 0) throw new Error("evaluatePretrained: no seeds to evaluate on");
  let returns = 0;
  let successes = 0;
  let reached = 0;
  for (const seed of seeds) {
    let { obs } = env.reset({ seed });
    const rollout = agent.rollout(obs, "eval");
    let ret = 0;
    for (let t = 1; ; t++) {
      const action = rollout.act(obs);
      const r = env.step(action);
      rollout.step(action, r);
      ret += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) {
        if (r.info.is_success) successes++;
        if (ret > -t) reached++;
        break;
      }
    }
    returns += ret;
  }
  return { meanReturn: returns / episodes, successRate: successes / episodes, reachedOnce: reached / episodes, episodes };
}
