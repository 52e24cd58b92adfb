/**
 * Multi-block demonstrations from a single-block policy (docs/original-code.md §3.6 "Duo demos", the
 * post's "At what level of environment complexity do our models tap out?"): the policy is shown
 * the mass and one block with that block's goal, [mass 4-D, block-i 4-D, goal-i 2-D], as if the
 * other blocks were not there. It works on the first block that is not yet within the env's
 * threshold of its goal, so it moves to block 2 once block 1 is placed (and back to block 1 if
 * pushing block 2 knocks it off). The other blocks get in its way; the collector keeps only the
 * episodes that end with every block placed, as the author did.
 */
import type { GoalEnv, GoalObs } from "../../sim/core/env.js";

/** A policy of one block: the PointMass observation with one block (8-D) and one goal (2-D). */
export type DemoPolicy = (obs: GoalObs) => ArrayLike<number>;

/** Blocks in a PointMass observation: [mass x, y, vx, vy] then [bx, by, bvx, bvy] per block. */
export function blockCount(obs: GoalObs): number {
  return (obs.observation.length - 4) / 4;
}

/** The observation as a single-block env would show it, with block `i` and its goal only. */
export function singleBlockView(obs: GoalObs, i: number): GoalObs {
  const n = blockCount(obs);
  if (!Number.isInteger(n) || i < 0 || i >= n) throw new Error(`singleBlockView: block ${i} of an observation with ${n} blocks`);
  const o = obs.observation;
  const mass = o.subarray(0, 4);
  const block = o.subarray(4 + 4 * i, 8 + 4 * i);
  const observation = new Float64Array(8);
  observation.set(mass, 0);
  observation.set(block, 4);
  return {
    observation,
    achieved_goal: Float64Array.from(block.subarray(0, 2)),
    desired_goal: Float64Array.from(obs.desired_goal.subarray(2 * i, 2 * i + 2)),
    controllable_achieved_goal: Float64Array.from(mass.subarray(0, 2)),
    full_positional_state: Float64Array.of(mass[0]!, mass[1]!, block[0]!, block[1]!),
  };
}

/**
 * `single` driven one block at a time in `env` (whose `computeReward` on 2-D goals decides
 * whether a block is placed). With every block placed it keeps pointing at the last one.
 */
export function oneBlockAtATime(single: DemoPolicy, env: GoalEnv): DemoPolicy {
  return (obs) => {
    const n = blockCount(obs);
    const rewards = env.computeReward(Float64Array.from(obs.achieved_goal), Float64Array.from(obs.desired_goal), {}, 2);
    let current = rewards.findIndex((r) => r < 0);
    if (current < 0) current = n - 1;
    return single(singleBlockView(obs, current));
  };
}
