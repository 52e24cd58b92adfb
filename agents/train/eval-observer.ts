import type { GoalEnv, GoalObs } from "../../sim/core.js";

/**
 * Watches evaluation episodes as they are played, so that `rapier-gym train --serve` can show
 * them in the viewer without the evaluation code knowing about servers. Called after the reset
 * and after every step; `subgoal` is a hierarchy's bottom-level subgoal (null for flat agents, and
 * between windows).
 */
export interface EvalObserver {
  onStep(env: GoalEnv, obs: GoalObs, subgoal: Float64Array | null): void;
  onEpisodeEnd(): void;
}
