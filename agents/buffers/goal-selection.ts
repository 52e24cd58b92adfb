/**
 * Which step of an episode lends its achieved goal to a relabelled transition, after SB3's
 * `goal_selection_strategy.py` and `HerReplayBuffer._sample_goals`.
 */
import type { Rng } from "../../sim/core/rng.js";

/** Where a relabelled goal comes from, as SB3's `GoalSelectionStrategy`. */
export type GoalSelectionStrategy = "future" | "final" | "episode";

/**
 * The step (within its episode of `length` steps) whose next achieved goal becomes the new goal
 * of the transition at step `offset`. `faithful`: the author's "future" (docs/original-code.md §3.3, §5.1).
 */
export function goalStep(strategy: GoalSelectionStrategy, faithful: boolean, offset: number, length: number, rng: Rng): number {
  switch (strategy) {
    case "final":
      return length - 1;
    case "episode":
      return rng.integer(length);
    case "future":
      // SB3 draws from [t, T): the goal achieved by this very transition counts as "future".
      // The author drew from (t, T) and used "final" for the last transition.
      if (faithful) return offset + 1 < length ? offset + 1 + rng.integer(length - offset - 1) : length - 1;
      return offset + rng.integer(length - offset);
  }
}
