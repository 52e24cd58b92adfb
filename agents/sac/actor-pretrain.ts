/**
 * Behaviour-cloning pretraining of a flat agent's actor (`bc.pretrainSteps`): Adam steps on the BC
 * loss alone, before the first env step, as relay learning pretrains its levels
 * (agents/rpl/relay-pretrain.ts). RL then finetunes an actor that already imitates the demos,
 * instead of one that must learn to from a BC term beside a critic that knows nothing yet. The
 * critics are untouched; the actor's Adam is the one its SAC updates go on with.
 */
import type { BcLossKind, BcRows } from "../nn/bc-loss.js";
import { stopRequested } from "../run/training-loop.js";
import type { Sac } from "./sac.js";

export interface ActorPretrainOptions {
  steps: number;
  loss: BcLossKind;
  /** @defaultValue 1000 */
  logEvery?: number;
}

/**
 * Takes `options.steps` BC steps of `agent`'s actor on `rows(i)` for i = 1, 2, …, reporting the
 * mean loss every `logEvery` steps. Returns false when `stop` was aborted first: it is looked at
 * at each report, and a stopped pretraining is begun again (it is deterministic).
 */
export async function pretrainActor(
  agent: Sac,
  rows: (i: number) => BcRows,
  options: ActorPretrainOptions,
  onLog?: (step: number, meanLoss: number) => void,
  stop?: AbortSignal,
): Promise<boolean> {
  const every = options.logEvery ?? 1000;
  let sum = 0;
  let count = 0;
  for (let step = 1; step <= options.steps; step++) {
    sum += agent.bcStep(rows(step), options.loss);
    count++;
    if (step % every !== 0 && step !== options.steps) continue;
    onLog?.(step, sum / count);
    sum = 0;
    count = 0;
    if (await stopRequested(stop)) return false;
  }
  return true;
}
