/**
 * The config of a relay-learning run (`relay_learning.py`, docs/original-code.md §3.6), validated with
 * zod so that a bad config file names its bad field. The hierarchy is HAC's config
 * (agents/hac/hac-config.ts) with the relay script's defaults in place of HAC's: replan every 10
 * steps, full-positional-state subgoals, HER strategy "final", subgoal tests on.
 */
import { z } from "zod";
import { hacConfigSchema } from "../hac/hac-config.js";
import type { HacTrainConfig } from "../hac/hac-trainer.js";
import { parseTrainingConfig, runScheduleFields } from "../run/run-schedule.js";
import { ConfigError } from "../config-error.js";

/** Where the relay script's defaults differ from HAC's. */
export const RELAY_HAC_DEFAULTS = {
  replanInterval: 10,
  subgoalSpace: "full_positional_state",
  her: { nSampledGoal: 4, strategy: "final" },
} as const;

export const relaySettingsSchema = z
  .object({
    /** Gradient steps of BC pretraining of both levels (`--pretrain_steps`). @defaultValue 10000 */
    pretrainSteps: z.number().int().nonnegative().default(10_000),
    /** Demo episodes drawn (with replacement) per relay batch. @defaultValue 80 */
    numTrajectories: z.number().int().positive().default(80),
    /** The BC loss (agents/rpl/bc-loss.ts); the post's E11 compares "mse" and "nll". @defaultValue "mse" */
    loss: z.enum(["mse", "mse-mean", "nll"]).default("mse"),
    /** Weight of the BC loss in every finetuning update (`--supervision_weighting`). @defaultValue 1 */
    supervisionWeight: z.number().nonnegative().default(1),
    /** `--use_supervision_with_RL`: false finetunes with plain HAC from the pretrained weights. @defaultValue true */
    useSupervisionWithRl: z.boolean().default(true),
    /** `--use_RL_on_higher_level`: false trains the levels above the bottom by BC alone. @defaultValue true */
    useRlOnHigherLevel: z.boolean().default(true),
    /** Share of demo episodes (the first ones) used for training; the rest validate. @defaultValue 0.8 */
    trainFraction: z.number().gt(0).lt(1).default(0.8),
    /** Pretraining steps between validation losses (and log rows). @defaultValue 50 */
    validateEvery: z.number().int().positive().default(50),
    /** Deterministic episodes of the pretrained-only model (the post's E6 table). @defaultValue 100 */
    pretrainEvalEpisodes: z.number().int().nonnegative().default(100),
  })
  .strict();

export type RelaySettings = z.infer<typeof relaySettingsSchema>;

export const rplTrainConfigSchema = z
  .object({
    ...runScheduleFields,
    algo: z.literal("rpl"),
    /** The demo file (agents/demos/README.md); `train` stores it as an absolute path. */
    demos: z.string(),
    relay: relaySettingsSchema.prefault({}),
    /** The hierarchy: HAC's config over the relay defaults ({@link RELAY_HAC_DEFAULTS}); two levels. */
    hac: z.preprocess((v) => ({ ...RELAY_HAC_DEFAULTS, ...(typeof v === "object" && v !== null ? v : {}) }), hacConfigSchema),
    /** Random warm-up env steps: none, the pretrained policies act from the start. */
    startSteps: z.number().int().nonnegative().default(0),
  })
  .strict();

export type RplTrainConfig = z.infer<typeof rplTrainConfigSchema>;

export function parseRplTrainConfig(value: unknown, where: string): RplTrainConfig {
  const config = parseTrainingConfig(rplTrainConfigSchema, value, where);
  if (config.hac.levels !== 2)
    throw new ConfigError(`${where}: bad training config: hac.levels: relay learning has two levels, got ${config.hac.levels}`);
  const { relay } = config;
  if (!relay.useRlOnHigherLevel && !(relay.useSupervisionWithRl && relay.supervisionWeight > 0)) {
    throw new ConfigError(
      `${where}: bad training config: relay.useRlOnHigherLevel false needs supervision (useSupervisionWithRl and a positive supervisionWeight), or the high level never learns`,
    );
  }
  return config;
}

/** The HAC run under a relay run: same env, schedule and hierarchy. */
export function hacTrainConfigOf(config: RplTrainConfig): HacTrainConfig {
  const { env, envKwargs, hac, steps, seed, startSteps, evalEvery, evalEpisodes, checkpointEvery } = config;
  return { env, envKwargs, algo: "hac", hac, steps, seed, startSteps, evalEvery, evalEpisodes, checkpointEvery, shadow: false };
}
