/**
 * How a flat run's `bc` block becomes the supervised term of its updates. Demonstration files are
 * agents/demos', which builds on this folder (it plays flat runs' policies), so the flat trainer
 * cannot read them itself: whoever starts a run hands it a supervisor, agents/rpl/flat-bc.ts's
 * `flatBc`.
 */
import type { GoalEnv } from "../../sim/core/env.js";
import type { Sac, SupervisedTerm } from "./sac.js";
import type { TrainConfig } from "./train-config.js";

export type BcSettings = NonNullable<TrainConfig["bc"]>;

export interface BcSupervisor {
  /** Reads the demo file and checks the block against the learner, so that a bad one fails before the run directory exists. */
  check(bc: BcSettings): void;
  /** The term added to each of `agent`'s updates (`HerLearner.supervision`), its batches seeded by `seed`. */
  supervise(agent: Sac, env: GoalEnv, bc: BcSettings, seed: number): () => SupervisedTerm;
}
