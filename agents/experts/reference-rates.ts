/**
 * The two reference rates a learning curve on a Panda task is read against: the scripted
 * expert's (what the task allows), and the floor a policy that has learned nothing already scores
 * (some cubes start on their goals: 7.2% of PandaPush's episodes). A curve near the floor has
 * learned nothing, however high it looks.
 */
import type { GoalEnv, GoalObs } from "../../sim/core/env.js";
import { evaluatePolicy, type EvalResult } from "../run/evaluate.js";
import { pandaExpertFor } from "./panda-expert.js";

export interface ReferenceRates {
  /** The scripted expert's evaluation; null for a task without one (joint control). */
  expert: EvalResult | null;
  /** A policy that sends the zero action every step: the arm holds still, fingers as they are. */
  floor: EvalResult;
}

/**
 * Both rates over `episodes` episodes seeded from `seed` (evaluatePolicy's starts and goals), on
 * `env`, whose id names the expert.
 */
export function referenceRates(env: GoalEnv, envId: string, episodes: number, seed: number): ReferenceRates {
  const expert = pandaExpertFor(envId);
  const still = new Float64Array(env.actionSpace.shape[0]!);
  return {
    expert: expert === undefined ? null : evaluatePolicy(env, (obs: GoalObs) => expert(obs), episodes, seed),
    floor: evaluatePolicy(env, () => still, episodes, seed),
  };
}
