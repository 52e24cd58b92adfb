/**
 * A goal env's observation as it comes off the wire (plain number arrays) turned into the
 * Float64Arrays a local env gives, so that code written for local envs sees the same types. A
 * reply missing one of the goal keys is refused here, by name, rather than failing later as an
 * `undefined` deep inside an agent.
 */
import type { GoalObs } from "../sim/core/env.js";

const GOAL_KEYS = ["observation", "achieved_goal", "desired_goal", "controllable_achieved_goal", "full_positional_state"] as const;

export function goalObsFromWire(obs: Record<string, number[]>): GoalObs {
  const out: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(obs)) out[k] = Float64Array.from(v);
  for (const k of GOAL_KEYS) if (!out[k]) throw new TypeError(`the server's observation has no "${k}"`);
  return out as GoalObs;
}
