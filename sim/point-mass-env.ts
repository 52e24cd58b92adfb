/**
 * The pointMass envs: one point-mass robot and one push task sharing one Rapier world, as
 * panda-gym composes a robot and a task. Registered in envs.ts, documented there per id.
 */
import { z } from "zod";
import type { GoalObs, Info } from "./core/env.js";
import { Box, Dict } from "./core/spaces.js";
import { PhysicsWorld } from "./physics/world.js";
import { WorldGoalEnv } from "./world-goal-env.js";
import { PointMassRobot } from "./robots/point-mass.js";
import { buildArena } from "./tasks/pointmass/arena.js";
import { PushTask, type ResetOverrides } from "./tasks/pointmass/push-task.js";
import { goalReward, goalSuccess, type GoalRewardConfig } from "./tasks/pointmass/goal-reward.js";

/** 20 physics steps of 1/240 s per env step: 12 Hz control, as the original. */
export const SUBSTEPS = 20;
export const TIMESTEP = 1 / 240;
/** Inner faces of the walls: no body centre can leave this square. */
const ARENA_BOUND = 2.75;

export const pointMassKwargs = z
  .object({
    rewardType: z.enum(["sparse", "dense"]).default("sparse").describe("sparse: -1 per block off its goal; dense: minus the distance"),
    distanceMetric: z.enum(["euclidean", "l1"]).default("euclidean").describe("euclidean from 2020-04 on; l1 in the March 2020 code"),
    distanceThreshold: z.number().positive().finite().default(0.3).describe("a block within this distance of its goal counts as placed"),
    terminateOnSuccess: z.boolean().default(false).describe("end the episode (terminated) once every block is placed; the original never did"),
    targetLimit: z.number().positive().max(2.5).optional().describe("goals and mass starts are uniform in ±targetLimit (TARG_LIMIT); 1.3 with blocks, 2.0 without"),
  })
  .strict();

export type PointMassKwargs = z.input<typeof pointMassKwargs>;

export interface PointMassVariant {
  id: string;
  numBlocks: 0 | 1 | 2;
  maze: boolean;
}

export class PointMassEnv extends WorldGoalEnv<ResetOverrides> {
  readonly observationSpace: Dict;
  readonly actionSpace = new Box(-1, 1, [2], "float64");
  private readonly robot: PointMassRobot;
  private readonly task: PushTask;
  private readonly reward: GoalRewardConfig;
  protected readonly terminateOnSuccess: boolean;
  protected readonly pristine: Uint8Array;
  protected readonly resetOptionsSchema: z.ZodType<ResetOverrides>;
  private readonly obsDim: number;

  constructor(
    readonly variant: PointMassVariant,
    kwargs: PointMassKwargs = {},
  ) {
    super(variant.id, new PhysicsWorld([0, 0, -9.81], TIMESTEP), SUBSTEPS);
    const k = pointMassKwargs.parse(kwargs);
    this.reward = { rewardType: k.rewardType, distanceMetric: k.distanceMetric, distanceThreshold: k.distanceThreshold };
    this.terminateOnSuccess = k.terminateOnSuccess;
    buildArena(this.world, variant.maze);
    this.robot = new PointMassRobot(this.world);
    this.robot.build();
    const targetLimit = k.targetLimit ?? (variant.numBlocks > 0 ? 1.3 : 2.0);
    this.task = new PushTask(this.world, { numBlocks: variant.numBlocks, targetLimit, maze: variant.maze });
    this.task.build();
    this.pristine = this.world.snapshot();
    const xy = z.tuple([z.number().min(-ARENA_BOUND).max(ARENA_BOUND), z.number().min(-ARENA_BOUND).max(ARENA_BOUND)]);
    this.resetOptionsSchema = z
      .object({
        goal: z.array(z.number().min(-ARENA_BOUND).max(ARENA_BOUND)).length(this.task.goalDim).optional(),
        agentStart: xy.optional(),
        blockStarts: z.array(xy).length(variant.numBlocks).optional(),
      })
      .strict();
    this.obsDim = 4 + this.task.observationDim;
    const g = this.task.goalDim;
    const goalBox = (n: number) => new Box(-ARENA_BOUND, ARENA_BOUND, [n]);
    this.observationSpace = new Dict({
      observation: new Box(-Infinity, Infinity, [this.obsDim]),
      achieved_goal: goalBox(g),
      desired_goal: goalBox(g),
      controllable_achieved_goal: goalBox(2),
      full_positional_state: goalBox(2 + 2 * variant.numBlocks),
    });
  }

  protected startEpisode(overrides: ResetOverrides): void {
    const [x, y] = this.task.reset(this.npRandom, overrides);
    this.robot.place(x, y);
  }

  protected applyAction(action: ArrayLike<number>): void {
    this.robot.setAction(action);
  }

  protected isSuccess(achieved: Float64Array, desired: Float64Array): boolean {
    return goalSuccess(achieved, desired, this.reward);
  }

  protected get goalTask(): PushTask {
    return this.task;
  }

  computeReward(achieved: Float64Array, desired: Float64Array, _info?: Info, goalDim: number = this.task.goalDim): Float64Array {
    return goalReward(achieved, desired, goalDim, this.reward);
  }

  protected observe(): GoalObs {
    const observation = new Float64Array(this.obsDim);
    this.robot.observation(observation, 0);
    this.task.observation(observation, 4);
    const achieved_goal = new Float64Array(this.task.goalDim);
    this.task.achievedGoal(observation, achieved_goal);
    const n = this.variant.numBlocks;
    const full_positional_state = new Float64Array(2 + 2 * n);
    full_positional_state[0] = observation[0]!;
    full_positional_state[1] = observation[1]!;
    for (let i = 0; i < n; i++) {
      full_positional_state[2 + 2 * i] = observation[4 + 4 * i]!;
      full_positional_state[3 + 2 * i] = observation[5 + 4 * i]!;
    }
    return {
      observation,
      achieved_goal,
      desired_goal: Float64Array.from(this.task.goal),
      controllable_achieved_goal: observation.slice(0, 2),
      full_positional_state,
    };
  }

}
