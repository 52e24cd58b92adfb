/**
 * The Panda envs: one Panda arm and one task sharing one Rapier world, as panda-gym composes a
 * robot and a task. Registered in envs.ts, documented there per id.
 */
import { z } from "zod";
import type { GoalObs, Info } from "./core/env.js";
import { Box, Dict } from "./core/spaces.js";
import { PhysicsWorld } from "./physics/world.js";
import { WorldGoalEnv } from "./world-goal-env.js";
import { PandaArm, type ControlType } from "./robots/panda-arm.js";
import { buildTable } from "./tasks/panda/table.js";
import type { PandaResetOverrides, PandaTask } from "./tasks/panda/panda-task.js";
import { pandaReward, pandaSuccess, type PandaRewardConfig } from "./tasks/panda/panda-reward.js";

/** 10 physics steps of 1/250 s per env step: 25 Hz control, as panda-gym's 20 × 1/500 s. */
export const PANDA_SUBSTEPS = 10;
export const PANDA_TIMESTEP = 1 / 250;
/** Stiff contacts (Rapier's default is 30 Hz): the fingers hold a cube without sinking into it. */
export const PANDA_CONTACT_FREQUENCY = 300;
/** panda-gym puts the arm's base here, on the table's near end. */
export const PANDA_BASE: [number, number, number] = [-0.6, 0, 0];
/** Positions in the observation keys stay in this box (the floor is 4 m square at z = -0.4). */
const POSITION_LOW = [-2, -2, -0.5];
const POSITION_HIGH = [2, 2, 1.5];

export const pandaKwargs = z
  .object({
    rewardType: z.enum(["sparse", "dense"]).default("sparse").describe("sparse: -1 until the goal is within the threshold, then 0; dense: minus the distance"),
    distanceMetric: z.enum(["euclidean", "l1"]).default("euclidean").describe("the distance between achieved and desired goals (panda-gym: euclidean)"),
    distanceThreshold: z.number().positive().finite().optional().describe("success radius: 0.05 m (Stack: 0.1, as panda-gym)"),
    terminateOnSuccess: z.boolean().default(false).describe("end the episode (terminated) on success; panda-gym never does"),
    controlType: z.enum(["ee", "joints"]).default("ee").describe("ee: 0.05 m tool displacement through IK; joints: 0.05 rad per joint"),
  })
  .strict();

export type PandaKwargs = z.input<typeof pandaKwargs>;

export interface PandaVariant {
  id: string;
  makeTask: () => PandaTask;
  /** Reach, Push and Slide keep the fingers closed and give no gripper action. */
  blockGripper: boolean;
  defaultThreshold: number;
}

export class PandaEnv extends WorldGoalEnv<PandaResetOverrides> {
  readonly observationSpace: Dict;
  readonly actionSpace: Box;
  readonly arm: PandaArm;
  private readonly task: PandaTask;
  private readonly reward: PandaRewardConfig;
  protected readonly terminateOnSuccess: boolean;
  protected readonly pristine: Uint8Array;
  protected readonly resetOptionsSchema: z.ZodType<PandaResetOverrides>;
  private readonly robotDim: number;
  private readonly obsDim: number;
  private readonly tcp = new Float64Array(3);

  constructor(
    readonly variant: PandaVariant,
    kwargs: PandaKwargs = {},
  ) {
    super(variant.id, new PhysicsWorld([0, 0, -9.81], PANDA_TIMESTEP, PANDA_CONTACT_FREQUENCY), PANDA_SUBSTEPS);
    const k = pandaKwargs.parse(kwargs);
    this.reward = { rewardType: k.rewardType, distanceMetric: k.distanceMetric, distanceThreshold: k.distanceThreshold ?? variant.defaultThreshold };
    this.terminateOnSuccess = k.terminateOnSuccess;
    this.task = variant.makeTask();
    buildTable(this.world, this.task.table);
    this.arm = new PandaArm(this.world, { base: PANDA_BASE, controlType: k.controlType as ControlType, blockGripper: variant.blockGripper });
    this.arm.build();
    this.arm.holdBuildPose();
    this.task.build(this.world);
    this.pristine = this.world.snapshot();
    const coordinate = (i: number) => z.number().min(POSITION_LOW[i % 3]!).max(POSITION_HIGH[i % 3]!);
    const xyz = z.tuple([coordinate(0), coordinate(1), coordinate(2)]);
    this.resetOptionsSchema = z
      .object({
        goal: z.tuple(Array.from({ length: this.task.goalDim }, (_, i) => coordinate(i)) as [z.ZodNumber, ...z.ZodNumber[]]).optional(),
        objectStarts: z.array(xyz).length(this.task.numObjects).optional(),
      })
      .strict() as z.ZodType<PandaResetOverrides>;
    this.robotDim = this.arm.observationSize;
    this.obsDim = this.robotDim + 12 * this.task.numObjects;
    this.actionSpace = new Box(-1, 1, [this.arm.actionSize], "float64");
    const positions = (n: number) => new Box(repeat(POSITION_LOW, n), repeat(POSITION_HIGH, n));
    const g = this.task.goalDim;
    this.observationSpace = new Dict({
      observation: new Box(-Infinity, Infinity, [this.obsDim]),
      achieved_goal: positions(g / 3),
      desired_goal: positions(g / 3),
      controllable_achieved_goal: new Box([...POSITION_LOW, -0.01], [...POSITION_HIGH, 0.1]),
      full_positional_state: new Box([...POSITION_LOW, -0.01, ...repeat(POSITION_LOW, this.task.numObjects)], [...POSITION_HIGH, 0.1, ...repeat(POSITION_HIGH, this.task.numObjects)]),
    });
  }

  protected startEpisode(overrides: PandaResetOverrides): void {
    this.task.reset(this.world, this.npRandom, overrides);
  }

  protected applyAction(action: ArrayLike<number>): void {
    this.arm.setAction(action);
  }

  protected isSuccess(achieved: Float64Array, desired: Float64Array): boolean {
    return pandaSuccess(achieved, desired, this.reward);
  }

  protected get goalTask(): PandaTask {
    return this.task;
  }

  computeReward(achieved: Float64Array, desired: Float64Array, _info?: Info, goalDim: number = this.task.goalDim): Float64Array {
    return pandaReward(achieved, desired, goalDim, this.reward);
  }

  protected observe(): GoalObs {
    const observation = new Float64Array(this.obsDim);
    this.arm.observation(observation, 0);
    this.task.observation(this.world, observation, this.robotDim);
    for (let i = 0; i < 3; i++) this.tcp[i] = observation[i]!;
    const achieved_goal = new Float64Array(this.task.goalDim);
    this.task.achievedGoal(this.world, this.tcp, achieved_goal);
    // The opening is in the observation when the gripper is not blocked; read it once either way.
    const width = this.variant.blockGripper ? this.arm.fingerWidth() : observation[6]!;
    const controllable_achieved_goal = Float64Array.of(this.tcp[0]!, this.tcp[1]!, this.tcp[2]!, width);
    const n = this.task.numObjects;
    const full_positional_state = new Float64Array(4 + 3 * n);
    full_positional_state.set(controllable_achieved_goal);
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) full_positional_state[4 + 3 * i + k] = observation[this.robotDim + 12 * i + k]!;
    return { observation, achieved_goal, desired_goal: this.task.goal.slice(), controllable_achieved_goal, full_positional_state };
  }

}

function repeat(xs: number[], n: number): number[] {
  return Array.from({ length: n }, () => xs).flat();
}
