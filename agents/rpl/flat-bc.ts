/**
 * The flat "BC one layer" baseline's supervised term (docs/original-code.md §3.4, `HER.py
 * --BC_filepath`): at every SAC update the actor loss adds `weight` × the BC loss over a fresh
 * batch of 512 demo (observation ‖ desired goal → action) pairs, drawn uniformly with
 * replacement from every real step of every demo episode. It reaches the flat trainer
 * (agents/sac/sac-her-trainer.ts) as {@link flatBc}, which the caller hands it.
 */
import { Rng } from "../../sim/core/rng.js";
import { readDemoFile } from "../demos/demo-file.js";
import { checkDemosFit, demoRow, type DemoSet } from "../demos/demo-set.js";
import type { BcSupervision, BcSupervisor } from "../sac/bc-supervisor.js";
import type { Sac } from "../sac/sac.js";
import type { BcLossKind, BcRows } from "../nn/bc-loss.js";
import { ConfigError } from "../config-error.js";
import { learnerEngine } from "../nn/backend.js";

/** The flat trainer's supervisor for a `bc` block: its demo file, checked against the env. */
export const flatBc: BcSupervisor = {
  check: (bc) => {
    if (bc.qFilter && learnerEngine() !== "ort")
      throw new ConfigError(
        "bc.qFilter runs on the ONNX Runtime learner only, and this run's learner is the tfjs fallback (--backend ort)",
      );
    readDemoFile(bc.demos);
  },
  supervise: (agent, env, bc, seed) => {
    const demos = readDemoFile(bc.demos);
    checkDemosFit(demos, env, ["obs", "desired_goals", "acts"], bc.demos);
    return flatBcSupervision(agent, demos, { ...bc, seed });
  },
};

export interface FlatBcOptions {
  /** @defaultValue 512 */
  batchSize?: number;
  /** @defaultValue 1 */
  weight?: number;
  /** @defaultValue "mse" */
  loss?: BcLossKind;
  /** Nair et al.'s Q-filter on every batch (SupervisedTerm.qFilter). @defaultValue false */
  qFilter?: boolean;
  /** Updates whose actor loss is the BC term alone (`bc.criticWarmup`). @defaultValue 0 */
  criticWarmup?: number;
  seed: number;
}

/**
 * The batch of the agent's u-th update comes from a generator seeded by (seed, u); the update
 * count is part of every checkpoint, so a resumed run draws the same batches with no extra state.
 * Pretraining's i-th batch is seeded by (seed, i) with a salt of its own.
 */
export function flatBcSupervision(agent: Sac, set: DemoSet, options: FlatBcOptions): BcSupervision {
  const batchSize = options.batchSize ?? 512;
  const obsDim = set.dims.obs;
  const goalDim = set.dims.desired_goals;
  const actDim = set.dims.acts;
  if (obsDim + goalDim !== agent.obsDim || actDim !== agent.actDim) {
    throw new ConfigError(
      `BC demos give ${obsDim}+${goalDim} inputs and ${actDim} actions; the agent takes ${agent.obsDim} and ${agent.actDim}`,
    );
  }
  // Every real (episode, t): padding rows past an episode's end are never drawn.
  const steps = set.episodeLengths.flatMap((length, e) => Array.from({ length }, (_, t) => [e, t] as const));
  const salts = new Rng(options.seed);
  const updateSalt = salts.nextUint32();
  const pretrainSalt = salts.nextUint32();
  const rng = new Rng(0);
  const rows: BcRows = { input: new Float32Array(batchSize * (obsDim + goalDim)), target: new Float32Array(batchSize * actDim) };
  const draw = (key: number): BcRows => {
    rng.reseed(key);
    for (let i = 0; i < batchSize; i++) {
      const [e, t] = steps[rng.integer(steps.length)]!;
      rows.input.set(demoRow(set, "obs", e, t), i * (obsDim + goalDim));
      rows.input.set(demoRow(set, "desired_goals", e, t), i * (obsDim + goalDim) + obsDim);
      rows.target.set(demoRow(set, "acts", e, t), i * actDim);
    }
    return rows;
  };
  return {
    term: () => ({
      rows: draw(agent.updates * 2 ** 32 + updateSalt),
      loss: options.loss ?? "mse",
      weight: options.weight ?? 1,
      qFilter: options.qFilter ?? false,
      rl: agent.updates >= (options.criticWarmup ?? 0),
    }),
    pretrainRows: (i) => draw(i * 2 ** 32 + pretrainSalt),
  };
}
