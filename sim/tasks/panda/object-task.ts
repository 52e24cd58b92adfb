/**
 * The one-object Panda tasks, which differ only in numbers (panda-gym's Push, Slide and
 * PickAndPlace): an object starts on the table within ±0.15 m of the centre and must reach a
 * goal, on the table (Push, Slide: far beyond reach, so it must be struck) or up to 0.2 m above it
 * (PickAndPlace: in the air seven times in ten).
 */
import type { Rng } from "../../core/rng.js";
import type { PhysicsWorld } from "../../physics/world.js";
import { PandaTask, type ObjectSpec, type PandaResetOverrides } from "./panda-task.js";
import type { GoalRewardKwargs } from "../goal-reward.js";

/** panda-gym's cube: 4 cm, 1 kg, friction 1; the closed gripper lifts it (test/sim/panda-arm.test.ts). */
export const CUBE: ObjectSpec = {
  shape: { kind: "box", halfExtents: [0.02, 0.02, 0.02] },
  restHeight: 0.02,
  rotation: [0, 0, 0, 1],
  mass: 1,
  friction: 1,
};
/**
 * Slide's puck: 3 cm radius, 3 cm high, and nearly frictionless (0.04). Its friction multiplies the
 * table's (0.04 × 0.5 = 0.02), as Bullet combines every pair in panda-gym: Rapier's average (0.27)
 * stopped a puck struck at 0.3 m/s within 2 cm, where panda-gym's slides on some 20 cm, so no goal
 * beyond the arm's reach could be met.
 */
export const PUCK: ObjectSpec = {
  shape: { kind: "cylinder", halfHeight: 0.015, radius: 0.03 },
  restHeight: 0.015,
  rotation: [Math.SQRT1_2, 0, 0, Math.SQRT1_2],
  mass: 1,
  friction: 0.04,
  frictionCombine: "multiply",
};

/** The table each config needs is the registration's (Slide's is sim/scenes/table.ts's SLIDE_TABLE). */
export interface ObjectTaskConfig {
  object: ObjectSpec;
  /** Goal x, y are uniform in ±goalXyRange/2 around (goalXOffset, 0). */
  goalXyRange: number;
  goalXOffset: number;
  /** Goal height above the resting height is uniform in [0, goalZRange]... */
  goalZRange: number;
  /** ...except with this probability, when the goal rests on the table. */
  goalOnTableProbability: number;
  /** Object x, y are uniform in ±objXyRange/2. */
  objXyRange: number;
}

export const PUSH: ObjectTaskConfig = {
  object: CUBE,
  goalXyRange: 0.3,
  goalXOffset: 0,
  goalZRange: 0,
  goalOnTableProbability: 1,
  objXyRange: 0.3,
};
export const SLIDE: ObjectTaskConfig = {
  object: PUCK,
  goalXyRange: 0.3,
  goalXOffset: 0.4,
  goalZRange: 0,
  goalOnTableProbability: 1,
  objXyRange: 0.3,
};
export const PICK_AND_PLACE: ObjectTaskConfig = {
  object: CUBE,
  goalXyRange: 0.3,
  goalXOffset: 0,
  goalZRange: 0.2,
  goalOnTableProbability: 0.3,
  objXyRange: 0.3,
};

export class ObjectTask extends PandaTask {
  constructor(
    world: PhysicsWorld,
    readonly config: ObjectTaskConfig,
    reward: GoalRewardKwargs,
  ) {
    super(world, reward, 3, [config.object]);
  }

  reset(rng: Rng, overrides: PandaResetOverrides): void {
    const c = this.config;
    const rest = c.object.restHeight;
    const g = c.goalXyRange / 2;
    // Every draw is made whatever its outcome, so the generator's stream never depends on it.
    const lift = rng.uniform(0, c.goalZRange);
    const onTable = rng.random() < c.goalOnTableProbability;
    this.goal.set([c.goalXOffset + rng.uniform(-g, g), rng.uniform(-g, g), rest + (onTable ? 0 : lift)]);
    const o = c.objXyRange / 2;
    const start: [number, number, number] = [rng.uniform(-o, o), rng.uniform(-o, o), rest];
    if (overrides.goal) this.goal.set(overrides.goal);
    this.world.teleport("object_0", overrides.objectStarts?.[0] ?? start, c.object.rotation);
  }
}
