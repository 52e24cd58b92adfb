/**
 * The config of a flat SAC + HER training run, written to the run directory's config.json and
 * read back by `--resume`; validated with zod so that a bad config file names its bad field.
 */
import { z } from "zod";
import { sacPresets, type SacConfig } from "./sac-config.js";
import { parseTrainingConfig, runScheduleFields } from "../run/run-schedule.js";
import { ConfigError } from "../config-error.js";

/** A flat run's `bc` block (agents/sac/bc-supervisor.ts). */
export const bcSettingsSchema = z
  .object({
    /** A demo file (agents/demos/README.md); `train --demos` stores it as an absolute path. */
    demos: z.string(),
    weight: z.number().nonnegative().default(1),
    batchSize: z.number().int().positive().default(512),
    loss: z.enum(["mse", "mse-mean", "nll"]).default("mse"),
    /** Nair et al. 2018's Q-filter: a demo pair counts only where the critics rate its action above the policy's (ONNX Runtime learner only). */
    qFilter: z.boolean().default(false),
    /**
     * Steps of BC alone on the actor before the first env step (agents/sac/actor-pretrain.ts), as
     * relay learning pretrains; 0, the baseline's own, pretrains nothing.
     */
    pretrainSteps: z.number().int().nonnegative().default(0),
    /**
     * The first updates in which the actor learns by BC alone while the critics learn its values,
     * so that RL's gradient, when it joins the actor's loss, comes from critics that know the policy
     * (a critic warm-up, as offline-to-online methods do); 0 adds RL from the first update.
     */
    criticWarmup: z.number().int().nonnegative().default(0),
  })
  .strict();

export const trainConfigSchema = z
  .object({
    ...runScheduleFields,
    algo: z.literal("sac"),
    preset: z.enum(["seed", "sb3"]).default("seed"),
    /** Overrides of the preset's SAC hyperparameters (see agents/sac/sac-config.ts). */
    sac: z.record(z.string(), z.unknown()).default({}),
    her: z
      .object({
        nSampledGoal: z.number().int().nonnegative().default(4),
        strategy: z.enum(["future", "final", "episode"]).default("future"),
        faithful: z.boolean().default(false).describe("every relabelled reward 0, as the seed code's bug"),
      })
      .strict()
      .default({ nSampledGoal: 4, strategy: "future", faithful: false }),
    /** Env steps of uniform random actions before the policy acts (the seed code: 1000). */
    startSteps: z.number().int().nonnegative().default(1000),
    /**
     * The "BC one layer" baseline (docs/original-code.md §3.4, agents/rpl/flat-bc.ts): every update adds
     * `weight` × a BC loss over `batchSize` demo pairs to the actor loss. Absent: plain SAC + HER.
     */
    bc: bcSettingsSchema.optional(),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;

export function parseTrainConfig(value: unknown, where: string): TrainConfig {
  return parseTrainingConfig(trainConfigSchema, value, where);
}

/** The preset with the config's overrides, checked against the preset's own fields. */
export function resolveSacConfig(config: TrainConfig): SacConfig {
  const base = sacPresets[config.preset];
  for (const key of Object.keys(config.sac)) {
    if (!(key in base)) throw new ConfigError(`unknown SAC hyperparameter "sac.${key}" (known: ${Object.keys(base).join(", ")})`);
  }
  return { ...base, ...(config.sac as Partial<SacConfig>) };
}
