import type { GoalEnv, GoalObs } from "../../sim/core/env.js";
import type { EvalObserver } from "./eval-observer.js";

export interface EvalResult {
  meanReturn: number;
  successRate: number;
  episodes: number;
}

/**
 * Runs `episodes` episodes of a policy, seeding episode i with `seed + i`, so that every
 * evaluation of a run faces the same starts and goals and never depends on the training env.
 * Success is `info.is_success` at the episode's last step.
 */
export function evaluatePolicy(
  env: GoalEnv,
  policy: (obs: GoalObs) => ArrayLike<number>,
  episodes: number,
  seed: number,
  observer?: EvalObserver,
): EvalResult {
  let returns = 0;
  let successes = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let { obs } = env.reset({ seed: seed + ep });
    observer?.onReset(env, obs, seed + ep);
    for (;;) {
      const r = env.step(policy(obs));
      returns += r.reward;
      obs = r.obs;
      observer?.onStep(env, obs, null);
      if (r.terminated || r.truncated) {
        if (r.info.is_success) successes++;
        break;
      }
    }
    observer?.onEpisodeEnd();
  }
  return { meanReturn: returns / episodes, successRate: successes / episodes, episodes };
}
