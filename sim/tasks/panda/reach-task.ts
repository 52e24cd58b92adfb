/** PandaReach: bring the tool centre point to a goal in a 0.3 m box above the table centre. */
import type { Rng } from "../../core/rng.js";
import type { SceneMarker } from "../../physics/scene.js";
import type { PandaResetOverrides, PandaTask } from "./panda-task.js";
import { goalMarkerPositions, goalMarkers } from "./panda-task.js";
import { TABLE } from "./table.js";

/** panda-gym's goal_range: x, y in ±0.15, z in [0, 0.3]. */
const GOAL_RANGE = 0.3;

export class ReachTask implements PandaTask {
  readonly goal = new Float64Array(3);
  readonly goalDim = 3;
  readonly numObjects = 0;
  readonly table = TABLE;

  build(): void {}

  reset(_world: unknown, rng: Rng, overrides: PandaResetOverrides): void {
    const h = GOAL_RANGE / 2;
    this.goal.set([rng.uniform(-h, h), rng.uniform(-h, h), rng.uniform(0, GOAL_RANGE)]);
    if (overrides.goal) this.goal.set(overrides.goal);
  }

  observation(): void {}

  achievedGoal(_world: unknown, tcp: Float64Array, out: Float64Array): void {
    out.set(tcp.subarray(0, 3));
  }

  markers(): SceneMarker[] {
    return goalMarkers(1, 0.02);
  }

  markerPositions(): Record<string, [number, number, number]> {
    return goalMarkerPositions(this.goal);
  }
}
