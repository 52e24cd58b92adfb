/**
 * The pointMass envs: one point-mass robot and one task sharing one Rapier world, as panda-gym
 * composes a robot and a task. Registered in envs.ts, documented there per id.
 */
import { z } from "zod";
import { RobotTaskEnv } from "./core/robot-task-env.js";
import type { Task } from "./core/task.js";
import { PhysicsWorld } from "./physics/world.js";
import { buildArena } from "./scenes/arena.js";
import { PointMassRobot } from "./robots/point-mass.js";
import type { GoalRewardKwargs } from "./tasks/goal-reward.js";
import type { PlaceAgent } from "./tasks/pointmass/push-task.js";

/** 20 physics steps of 1/240 s per env step: 12 Hz control, as the original. */
const SUBSTEPS = 20;
const TIMESTEP = 1 / 240;

export const pointMassKwargs = z
  .object({
    rewardType: z.enum(["sparse", "dense"]).default("sparse").describe("sparse: -1 per block off its goal; dense: minus the distance"),
    distanceMetric: z.enum(["euclidean", "l1"]).default("euclidean").describe("euclidean from 2020-04 on; l1 in the March 2020 code"),
    distanceThreshold: z.number().positive().finite().default(0.3).describe("a block within this distance of its goal counts as placed"),
    terminateOnSuccess: z
      .boolean()
      .default(false)
      .describe("end the episode (terminated) once every block is placed; the original never did"),
    targetLimit: z
      .number()
      .positive()
      .max(2.5)
      .optional()
      .describe("goals and mass starts are uniform in ±targetLimit (TARG_LIMIT); 1.3 with blocks, 2.0 without"),
  })
  .strict();

export type PointMassKwargs = z.input<typeof pointMassKwargs>;

/** What a task of this family is built from: the world (arena and robot built), its kwargs, and the robot's placement. */
export interface PointMassTaskContext {
  world: PhysicsWorld;
  reward: GoalRewardKwargs;
  /** `targetLimit`, when the kwargs set it. */
  targetLimit: number | undefined;
  placeAgent: PlaceAgent;
}

export interface PointMassVariant {
  id: string;
  /** The arena with the maze's two inner walls. */
  maze: boolean;
  makeTask: (context: PointMassTaskContext) => Task;
}

/** Builds the arena, then the point mass, then the task's bodies: Rapier steps bodies in that order. */
export function pointMassEnv(variant: PointMassVariant, kwargs: PointMassKwargs = {}): RobotTaskEnv<PointMassRobot> {
  const k = pointMassKwargs.parse(kwargs);
  const world = new PhysicsWorld([0, 0, -9.81], TIMESTEP);
  buildArena(world, variant.maze);
  const robot = new PointMassRobot(world);
  const reward = { rewardType: k.rewardType, distanceMetric: k.distanceMetric, distanceThreshold: k.distanceThreshold };
  const task = variant.makeTask({ world, reward, targetLimit: k.targetLimit, placeAgent: (x, y) => robot.place(x, y) });
  return new RobotTaskEnv(world, robot, task, { id: variant.id, substeps: SUBSTEPS, terminateOnSuccess: k.terminateOnSuccess });
}
