/**
 * Relay learning's first phase (docs/original-code.md §3.6 "Pretraining"): goal-conditioned behaviour
 * cloning of both levels from relay batches, each level with its own actor Adam (the one its SAC
 * finetuning goes on with), one relay batch per step shared by the two levels, and a validation
 * loss on the held-out episodes every `validateEvery` steps, as `relay_learning.py`.
 */
import { Rng } from "../../sim/core/rng.js";
import type { Hac } from "../hac/hac.js";
import { stopRequested } from "../run/training-loop.js";
import type { BcLossKind } from "../nn/bc-loss.js";
import { relayBatch, type RelayDemos, type RelayOptions } from "./relay-relabel.js";
import { levelRows } from "./relay-supervision.js";

export interface PretrainOptions extends RelayOptions {
  steps: number;
  loss: BcLossKind;
  /** @defaultValue 50 */
  validateEvery?: number;
  seed: number;
}

/** One log point of pretraining: mean training losses since the last, and validation losses. */
export interface PretrainLog {
  step: number;
  lossLow: number;
  lossHigh: number;
  /** Absent when there are no validation episodes. */
  validLossLow?: number;
  validLossHigh?: number;
}

/**
 * Returns false when `stop` was aborted first: it is looked at every `validateEvery` steps, and a
 * stopped pretraining is begun again (it is deterministic).
 */
export async function pretrainRelay(
  agent: Hac,
  train: RelayDemos,
  validation: RelayDemos,
  options: PretrainOptions,
  onLog?: (log: PretrainLog) => void,
  stop?: AbortSignal,
): Promise<boolean> {
  if (agent.numLevels !== 2) throw new Error(`relay pretraining needs a two-level hierarchy, got ${agent.numLevels} levels`);
  const every = options.validateEvery ?? 50;
  const relay = { ...options, subgoalCenter: agent.subgoalCenter };
  const rng = new Rng(options.seed);
  const validRng = new Rng(options.seed + 1);
  const sums = [0, 0];
  let count = 0;
  for (let step = 1; step <= options.steps; step++) {
    const batch = relayBatch(train, relay, rng);
    agent.levels.forEach((level, i) => {
      sums[i]! += level.agent.bcStep(levelRows(batch, i), options.loss);
    });
    count++;
    if (step % every === 0 || step === options.steps) {
      const log: PretrainLog = { step, lossLow: sums[0]! / count, lossHigh: sums[1]! / count };
      if (validation.episodes.length > 0) {
        const valid = relayBatch(validation, relay, validRng);
        const seed = validRng.nextUint32();
        const [low, high] = agent.levels.map((level, i) => level.agent.bcValue(levelRows(valid, i), options.loss, seed));
        Object.assign(log, { validLossLow: low, validLossHigh: high });
      }
      onLog?.(log);
      sums.fill(0);
      count = 0;
      if (await stopRequested(stop)) return false;
    }
  }
  return true;
}
