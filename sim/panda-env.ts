/**
 * The Panda envs: one Panda arm and one task sharing one Rapier world, as panda-gym composes a
 * robot and a task. Registered in envs.ts, documented there per id.
 */
import { z } from "zod";
import { RobotTaskEnv } from "./core/robot-task-env.js";
import { PhysicsWorld } from "./physics/world.js";
import { buildTable, type TableLayout } from "./scenes/table.js";
import { PandaArm } from "./robots/panda-arm.js";
import type { GoalRewardKwargs } from "./tasks/goal-reward.js";
import type { PandaTask } from "./tasks/panda/panda-task.js";

/** 10 physics steps of 1/250 s per env step: 25 Hz control, as panda-gym's 20 × 1/500 s. */
const PANDA_SUBSTEPS = 10;
const PANDA_TIMESTEP = 1 / 250;
/** Stiff contacts (Rapier's default is 30 Hz): the fingers hold a cube without sinking into it. */
const PANDA_CONTACT_FREQUENCY = 300;
/** panda-gym puts the arm's base here, on the table's near end. */
const PANDA_BASE: [number, number, number] = [-0.6, 0, 0];

export const pandaKwargs = z
  .object({
    rewardType: z
      .enum(["sparse", "dense"])
      .default("sparse")
      .describe("sparse: -1 until the goal is within the threshold, then 0; dense: minus the distance"),
    distanceMetric: z
      .enum(["euclidean", "l1"])
      .default("euclidean")
      .describe("the distance between achieved and desired goals (panda-gym: euclidean)"),
    distanceThreshold: z.number().positive().finite().optional().describe("success radius: 0.05 m (Stack: 0.1, as panda-gym)"),
    terminateOnSuccess: z.boolean().default(false).describe("end the episode (terminated) on success; panda-gym never does"),
    controlType: z.enum(["ee", "joints"]).default("ee").describe("ee: 0.05 m tool displacement through IK; joints: 0.05 rad per joint"),
    smoothControl: z
      .boolean()
      .optional()
      .describe(
        "ramp the joint targets over the step's substeps, so the tool moves at the commanded speed (default: Slide's, where a strike needs it; off elsewhere, as the zoo's runs were trained)",
      ),
  })
  .strict();

export type PandaKwargs = z.input<typeof pandaKwargs>;

export interface PandaVariant {
  id: string;
  /** The table the task's goals need (Slide's is longer). */
  table: TableLayout;
  makeTask: (world: PhysicsWorld, reward: GoalRewardKwargs) => PandaTask;
  /** Reach, Push and Slide keep the fingers closed and give no gripper action. */
  blockGripper: boolean;
  /** The `smoothControl` default (PandaArmConfig): on for Slide. */
  smoothControl: boolean;
  defaultThreshold: number;
}

/** Builds the table, then the arm, then the task's objects: Rapier steps bodies in that order. */
export function pandaEnv(variant: PandaVariant, kwargs: PandaKwargs = {}): RobotTaskEnv<PandaArm> {
  const k = pandaKwargs.parse(kwargs);
  const world = new PhysicsWorld([0, 0, -9.81], PANDA_TIMESTEP, PANDA_CONTACT_FREQUENCY);
  buildTable(world, variant.table);
  const arm = new PandaArm(world, {
    base: PANDA_BASE,
    controlType: k.controlType,
    blockGripper: variant.blockGripper,
    smoothControl: k.smoothControl ?? variant.smoothControl,
  });
  const task = variant.makeTask(world, {
    rewardType: k.rewardType,
    distanceMetric: k.distanceMetric,
    distanceThreshold: k.distanceThreshold ?? variant.defaultThreshold,
  });
  return new RobotTaskEnv(world, arm, task, { id: variant.id, substeps: PANDA_SUBSTEPS, terminateOnSuccess: k.terminateOnSuccess });
}
