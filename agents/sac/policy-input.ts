import type { GoalObs } from "../../sim/core/env.js";

/** The policy input of goal-conditioned agents: observation ‖ desired goal, as float32. */
export function policyInput(obs: GoalObs, goal: Float64Array = obs.desired_goal): Float32Array {
  const out = new Float32Array(obs.observation.length + goal.length);
  out.set(obs.observation, 0);
  out.set(goal, obs.observation.length);
  return out;
}
