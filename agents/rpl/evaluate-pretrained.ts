/**
 * The post's "Reward for Pretrained Models" table (docs/original-code.md §3.11, E6): deterministic
 * episodes of the hierarchy, their mean return, and the fraction of episodes that achieved the goal
 * at some step (the post's "return > -200" with one goal). Run twice by the relay trainer: on
 * fresh start states and on the training demos' own, which tells memorising a few demos from
 * learning the task.
 */
import type { GoalEnv } from "../../sim/core/env.js";
import type { Hac } from "../hac/hac.js";
import { evaluateHac } from "../hac/evaluate-hac.js";

export interface PretrainedEval {
  meanReturn: number;
  /** Success at the last step. */
  successRate: number;
  /** Share of episodes that reached the goal at least once. */
  reachedOnce: number;
  episodes: number;
}

/** One deterministic episode per reset seed (the demos' seeds are not consecutive). */
export function evaluatePretrained(agent: Hac, env: GoalEnv, seeds: readonly number[]): PretrainedEval {
  if (seeds.length === 0) throw new Error("evaluatePretrained: no seeds to evaluate on");
  const each = seeds.map((seed) => evaluateHac(agent, env, 1, seed));
  const mean = (f: (e: (typeof each)[number]) => number): number => each.reduce((a, e) => a + f(e), 0) / each.length;
  return {
    meanReturn: mean((e) => e.meanReturn),
    successRate: mean((e) => e.successRate),
    reachedOnce: mean((e) => e.reachedOnce),
    episodes: seeds.length,
  };
}
