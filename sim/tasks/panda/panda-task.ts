/**
 * What the Panda tasks share, after panda-gym's Task: goals and objects are positions on or above
 * the table, each object observed as 12 numbers, and the reward is panda-gym's one distance over
 * the whole goal. A task builds its objects, samples goals and object starts, and says what the
 * achieved goal is; it gets only what it needs from the robot: the tool centre point's position.
 */
import { z } from "zod";
import type { Box } from "../../core/spaces.js";
import type { Rng } from "../../core/rng.js";
import type { Task } from "../../core/task.js";
import type { SceneMarker, Shape } from "../../physics/scene.js";
import type { PhysicsWorld } from "../../physics/world.js";
import { interactionGroups } from "../../physics/world.js";
import { PANDA_GROUP, POSITION_HIGH, POSITION_LOW, positionsBox } from "../../scenes/table.js";
import { goalReward, goalSuccess, type GoalRewardConfig, type GoalRewardKwargs } from "../goal-reward.js";

/** Reset options that fix what would otherwise be sampled (checked by the env first). */
export interface PandaResetOverrides {
  goal?: number[];
  objectStarts?: [number, number, number][];
}

export abstract class PandaTask implements Task<PandaResetOverrides> {
  readonly goal: Float64Array;
  readonly goalSpace: Box;
  readonly observationSize: number;
  readonly objectPositionSpace: Box;
  readonly resetOptions: z.ZodType<PandaResetOverrides>;
  private readonly reward: GoalRewardConfig;

  readonly numObjects: number;

  /** Builds `objects` in `world`, after the robot, named object_0, object_1, ... (none for Reach). */
  constructor(
    protected readonly world: PhysicsWorld,
    reward: GoalRewardKwargs,
    readonly goalDim: number,
    objects: readonly ObjectSpec[],
  ) {
    const numObjects = objects.length;
    this.numObjects = numObjects;
    this.goal = new Float64Array(goalDim);
    this.goalSpace = positionsBox(goalDim / 3);
    this.observationSize = 12 * numObjects;
    this.objectPositionSpace = positionsBox(numObjects);
    this.reward = { ...reward, scoring: "whole" };
    const coordinate = (i: number) =>
      z
        .number()
        .min(POSITION_LOW[i % 3]!)
        .max(POSITION_HIGH[i % 3]!);
    const xyz = z.tuple([coordinate(0), coordinate(1), coordinate(2)]);
    this.resetOptions = z
      .object({
        goal: z.tuple(Array.from({ length: goalDim }, (_, i) => coordinate(i)) as [z.ZodNumber, ...z.ZodNumber[]]).optional(),
        objectStarts: z.array(xyz).length(numObjects).optional(),
      })
      .strict() as z.ZodType<PandaResetOverrides>;
    objects.forEach((spec, i) => addObject(world, `object_${i}`, spec, OBJECT_COLORS[i]!));
  }

  abstract reset(rng: Rng, overrides: PandaResetOverrides): void;

  /** The objects' positions; Reach's is the tool's. */
  achievedGoal(_controlled: Float64Array, out: Float64Array): void {
    this.objectPositions(out, 0);
  }

  /** Per object: position, roll-pitch-yaw, linear and angular velocity (12 numbers). */
  observation(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.numObjects; i++) objectState(this.world, `object_${i}`, out, offset + 12 * i);
  }

  objectPositions(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.numObjects; i++) {
      const p = this.world.body(`object_${i}`).translation();
      out[offset + 3 * i] = p.x;
      out[offset + 3 * i + 1] = p.y;
      out[offset + 3 * i + 2] = p.z;
    }
  }

  isSuccess(achieved: Float64Array, desired: Float64Array): boolean {
    return goalSuccess(achieved, desired, this.reward);
  }

  computeReward(achieved: Float64Array, desired: Float64Array, goalDim: number): Float64Array {
    return goalReward(achieved, desired, goalDim, this.reward);
  }

  markers(): SceneMarker[] {
    return Array.from({ length: this.goalDim / 3 }, (_, i) => ({
      name: `goal_${i}`,
      shape: { kind: "sphere" as const, radius: 0.02 },
      color: OBJECT_COLORS[i] ?? "#2a9d8f",
      opacity: 0.5,
    }));
  }

  markerPositions(): Record<string, [number, number, number]> {
    const out: Record<string, [number, number, number]> = {};
    for (let i = 0; i < this.goal.length / 3; i++) out[`goal_${i}`] = [this.goal[3 * i]!, this.goal[3 * i + 1]!, this.goal[3 * i + 2]!];
    return out;
  }
}

/** A simulated object: its shape, mass and friction. */
export interface ObjectSpec {
  shape: Shape;
  /** Centre height when resting on the table. */
  restHeight: number;
  /**
   * Resting orientation [x, y, z, w]. Rapier's cylinders stand along y, so the puck is turned a
   * quarter about x to stand on the table (its observed roll reads π/2 at rest).
   */
  rotation: [number, number, number, number];
  mass: number;
  friction: number;
  /** Multiply its friction with what it touches, as Bullet does (Slide's puck); else Rapier's average. */
  frictionCombine?: "multiply";
}

const OBJECT_COLORS = ["#2a9d8f", "#e9c46a"];

function addObject(world: PhysicsWorld, name: string, spec: ObjectSpec, color: string): void {
  world.addBody(name, {
    kind: "dynamic",
    shape: spec.shape,
    position: [0, 0, spec.restHeight],
    rotation: spec.rotation,
    mass: spec.mass,
    friction: spec.friction,
    frictionCombine: spec.frictionCombine,
    color,
    collisionGroups: interactionGroups(PANDA_GROUP.object, PANDA_GROUP.object | PANDA_GROUP.arm | PANDA_GROUP.finger | PANDA_GROUP.table),
  });
}

/** Writes one object's 12 numbers: position, roll-pitch-yaw (pybullet's order), velocities. */
function objectState(world: PhysicsWorld, name: string, out: Float64Array, offset: number): void {
  const b = world.body(name);
  const p = b.translation();
  const q = b.rotation();
  const v = b.linvel();
  const w = b.angvel();
  out[offset] = p.x;
  out[offset + 1] = p.y;
  out[offset + 2] = p.z;
  // Roll (x), pitch (y), yaw (z) of R = Rz·Ry·Rx, from the quaternion.
  out[offset + 3] = Math.atan2(2 * (q.w * q.x + q.y * q.z), 1 - 2 * (q.x * q.x + q.y * q.y));
  out[offset + 4] = Math.asin(Math.max(-1, Math.min(1, 2 * (q.w * q.y - q.z * q.x))));
  out[offset + 5] = Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
  out[offset + 6] = v.x;
  out[offset + 7] = v.y;
  out[offset + 8] = v.z;
  out[offset + 9] = w.x;
  out[offset + 10] = w.y;
  out[offset + 11] = w.z;
}
