/**
 * What a task is, after panda-gym's Task: it holds the world it builds its objects in, samples
 * goals and object starts, writes its part of the observation, says what the achieved goal is, and
 * scores it. It gets only what it needs from the robot: the robot's controllable goal (its position,
 * and the finger opening) each step, and whatever the constructor is handed (the point mass's
 * placement, since the post draws the mass's start between the goal and the blocks).
 */
import type { z } from "zod";
import type { Box } from "./spaces.js";
import type { Rng } from "./rng.js";
import type { SceneMarker } from "../physics/scene.js";

/** `Overrides`: the parsed reset options, every field optional (no options: `{}`). */
export interface Task<Overrides extends object = object> {
  /** The desired goal, rewritten at every reset and by restore. */
  readonly goal: Float64Array;
  readonly goalDim: number;
  /** Bounds of an achieved or desired goal. */
  readonly goalSpace: Box;
  /** Numbers the task writes into the observation, after the robot's. */
  readonly observationSize: number;
  /** Bounds of the objects' positions, which follow the robot's controllable goal in `full_positional_state`. */
  readonly objectPositionSpace: Box;
  /** The reset options this task takes (goal, starts), checked before anything changes. */
  readonly resetOptions: z.ZodType<Overrides>;
  /**
   * Samples the goal and the starts and places them in the world, just restored to its pristine
   * state. Overrides replace what was drawn, not the draws, so the generator stays in step with an
   * unforced run.
   */
  reset(rng: Rng, overrides: Overrides): void;
  observation(out: Float64Array, offset: number): void;
  /** The achieved goal: the robot's own (`controlled`, for reaching) or the objects' positions. */
  achievedGoal(controlled: Float64Array, out: Float64Array): void;
  /** Each object's position, for `full_positional_state`. */
  objectPositions(out: Float64Array, offset: number): void;
  isSuccess(achieved: Float64Array, desired: Float64Array): boolean;
  /** Batched, as GoalEnv.computeReward: rows of `goalDim` numbers. */
  computeReward(achieved: Float64Array, desired: Float64Array, goalDim: number): Float64Array;
  markers(): SceneMarker[];
  markerPositions(): Record<string, [number, number, number]>;
}
