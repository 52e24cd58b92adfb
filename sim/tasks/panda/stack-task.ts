/**
 * PandaStack: two cubes, the first onto a goal on the table and the second onto the first
 * (panda-gym's Stack). The achieved goal is both positions, and the reward one distance over
 * those six numbers.
 */
import type { Rng } from "../../core/rng.js";
import type { SceneMarker } from "../../physics/scene.js";
import type { PhysicsWorld } from "../../physics/world.js";
import type { PandaResetOverrides, PandaTask } from "./panda-task.js";
import { OBJECT_COLORS, addObject, goalMarkerPositions, goalMarkers, objectState } from "./panda-task.js";
import { CUBE } from "./object-task.js";
import { TABLE } from "./table.js";

const RANGE = 0.3;
/** Starts closer than this are redrawn: the cubes must not overlap. */
const MIN_START_SEPARATION = 0.1;

export class StackTask implements PandaTask {
  readonly goal = new Float64Array(6);
  readonly goalDim = 6;
  readonly numObjects = 2;
  readonly table = TABLE;

  build(world: PhysicsWorld): void {
    addObject(world, "object_0", CUBE, OBJECT_COLORS[0]!);
    addObject(world, "object_1", CUBE, OBJECT_COLORS[1]!);
  }

  reset(world: PhysicsWorld, rng: Rng, overrides: PandaResetOverrides): void {
    const h = RANGE / 2;
    const z = CUBE.restHeight;
    const gx = rng.uniform(-h, h);
    const gy = rng.uniform(-h, h);
    this.goal.set([gx, gy, z, gx, gy, z + 2 * z]);
    const a: [number, number, number] = [rng.uniform(-h, h), rng.uniform(-h, h), z];
    let b: [number, number, number];
    do b = [rng.uniform(-h, h), rng.uniform(-h, h), z];
    while (Math.hypot(a[0] - b[0], a[1] - b[1]) < MIN_START_SEPARATION);
    if (overrides.goal) this.goal.set(overrides.goal);
    const starts = overrides.objectStarts ?? [a, b];
    world.teleport("object_0", starts[0]!);
    world.teleport("object_1", starts[1]!);
  }

  observation(world: PhysicsWorld, out: Float64Array, offset: number): void {
    objectState(world, "object_0", out, offset);
    objectState(world, "object_1", out, offset + 12);
  }

  achievedGoal(world: PhysicsWorld, _tcp: Float64Array, out: Float64Array): void {
    for (let i = 0; i < 2; i++) {
      const p = world.body(`object_${i}`).translation();
      out.set([p.x, p.y, p.z], 3 * i);
    }
  }

  markers(): SceneMarker[] {
    return goalMarkers(2, 0.02);
  }

  markerPositions(): Record<string, [number, number, number]> {
    return goalMarkerPositions(this.goal);
  }
}
