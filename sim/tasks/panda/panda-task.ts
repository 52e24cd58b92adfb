/**
 * What a Panda task is, after panda-gym's Task: it builds its objects, samples goals and object
 * starts, writes its part of the observation, and says what the achieved goal is. It gets only
 * what it needs from the robot: the tool centre point's position.
 */
import type { Rng } from "../../core/rng.js";
import type { SceneMarker } from "../../physics/scene.js";
import type { PhysicsWorld } from "../../physics/world.js";
import { interactionGroups } from "../../physics/world.js";
import { PANDA_GROUP } from "../../panda-collision-groups.js";
import type { Shape } from "../../physics/scene.js";
import type { TableLayout } from "./table.js";

/** Reset options that fix what would otherwise be sampled (checked by the env first). */
export interface PandaResetOverrides {
  goal?: number[];
  objectStarts?: [number, number, number][];
}

export interface PandaTask {
  readonly goal: Float64Array;
  readonly goalDim: number;
  /** Number of simulated objects (0 for Reach). */
  readonly numObjects: number;
  readonly table: TableLayout;
  build(world: PhysicsWorld): void;
  /** Samples the goal and object starts; overrides replace what was drawn, not the draws. */
  reset(world: PhysicsWorld, rng: Rng, overrides: PandaResetOverrides): void;
  /** Per object: position, roll-pitch-yaw, linear and angular velocity (12 numbers). */
  observation(world: PhysicsWorld, out: Float64Array, offset: number): void;
  /** The achieved goal from the tool centre point (Reach) or the objects' positions. */
  achievedGoal(world: PhysicsWorld, tcp: Float64Array, out: Float64Array): void;
  markers(): SceneMarker[];
  markerPositions(): Record<string, [number, number, number]>;
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
}

export const OBJECT_COLORS = ["#2a9d8f", "#e9c46a"];

export function addObject(world: PhysicsWorld, name: string, spec: ObjectSpec, color: string): void {
  world.addBody(name, {
    kind: "dynamic",
    shape: spec.shape,
    position: [0, 0, spec.restHeight],
    rotation: spec.rotation,
    mass: spec.mass,
    friction: spec.friction,
    color,
    collisionGroups: interactionGroups(PANDA_GROUP.object, PANDA_GROUP.object | PANDA_GROUP.arm | PANDA_GROUP.finger | PANDA_GROUP.table),
  });
}

/** Writes one object's 12 numbers: position, roll-pitch-yaw (pybullet's order), velocities. */
export function objectState(world: PhysicsWorld, name: string, out: Float64Array, offset: number): void {
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

export function goalMarkers(count: number, radius: number): SceneMarker[] {
  return Array.from({ length: count }, (_, i) => ({ name: `goal_${i}`, shape: { kind: "sphere" as const, radius }, color: OBJECT_COLORS[i] ?? "#2a9d8f", opacity: 0.5 }));
}

export function goalMarkerPositions(goal: Float64Array): Record<string, [number, number, number]> {
  const out: Record<string, [number, number, number]> = {};
  for (let i = 0; i < goal.length / 3; i++) out[`goal_${i}`] = [goal[3 * i]!, goal[3 * i + 1]!, goal[3 * i + 2]!];
  return out;
}
