/** PandaReach: bring the tool centre point to a goal in a 0.3 m box above the table centre. */
import type { Rng } from "../../core/rng.js";
import type { PhysicsWorld } from "../../physics/world.js";
import { PandaTask, type PandaResetOverrides } from "./panda-task.js";
import type { GoalRewardKwargs } from "../goal-reward.js";

/** panda-gym's goal_range: x, y in ±0.15, z in [0, 0.3]. */
const GOAL_RANGE = 0.3;

export class ReachTask extends PandaTask {
  constructor(world: PhysicsWorld, reward: GoalRewardKwargs) {
    super(world, reward, 3, []);
  }

  reset(rng: Rng, overrides: PandaResetOverrides): void {
    const h = GOAL_RANGE / 2;
    this.goal.set([rng.uniform(-h, h), rng.uniform(-h, h), rng.uniform(0, GOAL_RANGE)]);
    if (overrides.goal) this.goal.set(overrides.goal);
  }

  /** The tool centre point, the first three numbers of what the arm controls. */
  override achievedGoal(controlled: Float64Array, out: Float64Array): void {
    out[0] = controlled[0]!;
    out[1] = controlled[1]!;
    out[2] = controlled[2]!;
  }
}
