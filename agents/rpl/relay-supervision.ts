/**
 * Relay learning's supervised terms for a two-level HAC agent: the BC loss of each level on its
 * half of a relay batch (level 0: the low-level pairs; level 1: the high-level pairs).
 */
import { Rng } from "../../sim/core/rng.js";
import type { Hac } from "../hac/hac.js";
import type { SupervisedTerm } from "../sac/sac.js";
import type { BcLossKind, BcRows } from "../nn/bc-loss.js";
import { relayBatch, type RelayBatch, type RelayDemos, type RelayOptions } from "./relay-relabel.js";

/** The rows of `batch` that level `level` learns from. */
export function levelRows(batch: RelayBatch, level: number): BcRows {
  if (level === 0) return batch.low;
  if (level === 1) return batch.high;
  throw new Error(`relay learning has two levels; there is no level ${level}`);
}

export interface RelaySupervisionOptions extends RelayOptions {
  loss: BcLossKind;
  weight: number;
  /** Level 1's actor loss is the BC term alone (`use_RL_on_higher_level: false`). */
  bcOnlyAbove: boolean;
  /** Seeds the relay batches. */
  seed: number;
}

/**
 * The finetuning term of each level (its learner's `supervision`, by level): every update of a
 * level adds `weight` × the BC loss on a fresh relay batch, as the author's `supervised_update`. The batch of a level's
 * u-th update is drawn from a generator seeded by (seed, level, u): the SAC state's update
 * count is checkpointed, so a resumed run draws the same batches with no extra state.
 */
export function relaySupervision(agent: Hac, demos: RelayDemos, options: RelaySupervisionOptions): (level: number) => SupervisedTerm {
  const salts = [0, 1].map((level) => new Rng(options.seed * 2 + level).nextUint32());
  const rng = new Rng(0);
  const relay = { ...options, subgoalCenter: agent.subgoalCenter };
  return (level) => {
    const sac = agent.levels[level]!.agent;
    // splitmix-seeded from the two words: the update count (high) and the level's salt (low).
    rng.reseed(sac.updates * 2 ** 32 + salts[level]!);
    const rows = levelRows(relayBatch(demos, relay, rng), level);
    return { rows, loss: options.loss, weight: options.weight, rl: !(level >= 1 && options.bcOnlyAbove) };
  };
}
