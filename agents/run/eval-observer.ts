import type { GoalEnv, GoalObs } from "../../sim/core/env.js";

/**
 * Watches evaluation episodes as they are played, so that `rapier-gym train --serve` can show
 * them in the viewer without the evaluation code knowing about servers. A trainer's
 * `evalObserver` is handed to every evaluation it runs.
 */
export interface EvalObserver {
  /** An episode starts: the seed it was reset with (an evaluation's episodes have consecutive seeds). */
  onReset(env: GoalEnv, obs: GoalObs, seed: number): void;
  /** After each step; `subgoal` is the bottom-level subgoal the step pursued (a hierarchy's), else null. */
  onStep(env: GoalEnv, obs: GoalObs, subgoal: Float64Array | null): void;
  onEpisodeEnd(): void;
}
