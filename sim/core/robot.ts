/**
 * What a robot is, after panda-gym's Robot: it was built into the world it is handed, takes an
 * action and writes its part of the observation. It has no reset of its own: the env restores the
 * world it was built in, and a task that places the robot is handed the means to.
 */
import type { Box } from "./spaces.js";

export interface Robot {
  readonly actionSpace: Box;
  /** Numbers the robot writes at the start of the observation. */
  readonly observationSize: number;
  /** Bounds of `controllable_achieved_goal`: what the robot itself moves (HAC's subgoals). */
  readonly controllableSpace: Box;
  /** Hands a validated action to the robot's controller. */
  setAction(action: ArrayLike<number>): void;
  observation(out: Float64Array, offset: number): void;
  /** The controllable goal, from the robot's part of `observation` (which it wrote first). */
  controllableGoal(observation: Float64Array, out: Float64Array): void;
}
