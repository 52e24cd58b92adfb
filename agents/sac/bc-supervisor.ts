/**
 * How a flat run's `bc` block becomes the supervised term of its updates and its pretraining
 * batches. Demonstration files are agents/demos', which builds on this folder (it plays flat
 * runs' policies), so the flat trainer cannot read them itself: whoever starts a run hands it a
 * supervisor, agents/rpl/flat-bc.ts's `flatBc`.
 */
import type { GoalEnv } from "../../sim/core/env.js";
import type { BcRows } from "../nn/bc-loss.js";
import type { Sac, SupervisedTerm } from "./sac.js";
import type { TrainConfig } from "./train-config.js";

export type BcSettings = NonNullable<TrainConfig["bc"]>;

/** What a `bc` block gives the flat learner. */
export interface BcSupervision {
  /** The term added to each of the agent's updates (`HerLearner.supervision`). */
  term: () => SupervisedTerm;
  /** The demo batch of the i-th pretraining step (`bc.pretrainSteps`), drawn apart from the updates' batches. */
  pretrainRows: (i: number) => BcRows;
}

export interface BcSupervisor {
  /** Reads the demo file and checks the block against the learner, so that a bad one fails before the run directory exists. */
  check(bc: BcSettings): void;
  /** The block's supervision of `agent`, its batches seeded by `seed`. */
  supervise(agent: Sac, env: GoalEnv, bc: BcSettings, seed: number): BcSupervision;
}
