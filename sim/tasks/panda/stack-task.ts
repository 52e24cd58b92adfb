/**
 * PandaStack: two cubes, the first onto a goal on the table and the second onto the first
 * (panda-gym's Stack). The achieved goal is both positions, and the reward one distance over
 * those six numbers.
 */
import type { Rng } from "../../core/rng.js";
import type { PhysicsWorld } from "../../physics/world.js";
import { PandaTask, type PandaResetOverrides } from "./panda-task.js";
import type { GoalRewardKwargs } from "../goal-reward.js";
import { CUBE } from "./object-task.js";

const RANGE = 0.3;
/** Starts closer than this are redrawn: the cubes must not overlap. */
const MIN_START_SEPARATION = 0.1;

export class StackTask extends PandaTask {
  constructor(world: PhysicsWorld, reward: GoalRewardKwargs) {
    super(world, reward, 6, [CUBE, CUBE]);
  }

  reset(rng: Rng, overrides: PandaResetOverrides): void {
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
    this.world.teleport("object_0", starts[0]!);
    this.world.teleport("object_1", starts[1]!);
  }
}
