/** Deterministic evaluation of a hierarchy, as `evaluatePolicy` is of a flat policy. */
import type { GoalEnv } from "../../sim/core/env.js";
import type { EvalResult } from "../run/evaluate.js";
import type { EvalObserver } from "../run/eval-observer.js";
import type { Hac } from "./hac.js";

/** What one evaluation of a hierarchy measured. */
export interface HacEvalResult extends EvalResult {
  /** Share of the bottom level's windows whose subgoal was reached. */
  subgoalReached: number;
  /**
   * Share of episodes with `info.is_success` at some step. With one goal's sparse -1/0 reward this
   * is the post's "return > -200"; that test is not used, because with several goals (Push2's -2,
   * -1 or 0) a return above -(length) does not mean every goal was ever achieved.
   */
  reachedOnce: number;
}

/**
 * Runs `episodes` deterministic episodes, seeding episode i with `seed + i` (as
 * `evaluatePolicy`). Success is `info.is_success` at the last step.
 */
export function evaluateHac(agent: Hac, env: GoalEnv, episodes: number, seed: number, observer?: EvalObserver): HacEvalResult {
  let returns = 0;
  let successes = 0;
  let reachedOnce = 0;
  let windows = 0;
  let reached = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let { obs } = env.reset({ seed: seed + ep });
    const rollout = agent.rollout(obs, "eval");
    observer?.onReset(env, obs, seed + ep);
    let episodeReturn = 0;
    let achieved = false;
    for (;;) {
      const action = rollout.act(obs);
      // The subgoal this action pursued, read before step() may close its window.
      const subgoal = observer ? rollout.subgoal(1) : null;
      const r = env.step(action);
      const events = rollout.step(action, r);
      for (const w of events.closed) if (w.level === 1) [windows, reached] = [windows + 1, reached + (w.reached ? 1 : 0)];
      episodeReturn += r.reward;
      achieved ||= r.info.is_success === true;
      obs = r.obs;
      observer?.onStep(env, obs, subgoal);
      if (r.terminated || r.truncated) {
        if (r.info.is_success) successes++;
        if (achieved) reachedOnce++;
        break;
      }
    }
    returns += episodeReturn;
    observer?.onEpisodeEnd();
  }
  return {
    meanReturn: returns / episodes,
    successRate: successes / episodes,
    episodes,
    subgoalReached: windows > 0 ? reached / windows : 0,
    reachedOnce: reachedOnce / episodes,
  };
}
