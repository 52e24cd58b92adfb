/**
 * SAC hyperparameters and the two presets the project compares: the seed code's (the blog's
 * experiments, `docs/original-code.md` section 3.2) and Stable-Baselines3's defaults.
 */
import { ConfigError } from "../config-error.js";
import type { TqcSettings } from "../onnx/sac-state-layout.js";

export interface SacConfig {
  /**
   * Hidden widths of the actor and of each critic (ReLU). `[256, 256]` is three linear layers,
   * the blog's "3 layer MLPs with 256 neurons".
   * @defaultValue [256, 256]
   */
  hidden: readonly number[];
  /** Adam learning rate of the actor. @defaultValue 1e-3 */
  actorLr: number;
  /** Adam learning rate of both critics (one optimiser over qf1 and qf2, as in CleanRL). @defaultValue 1e-3 */
  criticLr: number;
  /** Adam learning rate of log_alpha; unused when alpha is fixed. @defaultValue 1e-3 */
  alphaLr: number;
  /** Discount. @defaultValue 0.99 */
  gamma: number;
  /** Target smoothing: target <- polyak * target + (1 - polyak) * online, after every update (tau = 1 - polyak). @defaultValue 0.995 */
  polyak: number;
  /** Entropy coefficient: fixed when `learnAlpha` is false, else the starting value. @defaultValue 0.2 */
  alpha: number;
  /** Tune alpha by gradient descent on the entropy constraint (SAC v2, "auto" in SB3). @defaultValue false */
  learnAlpha: boolean;
  /** Entropy target when `learnAlpha`; `"auto"` means -actDim. @defaultValue "auto" */
  targetEntropy: number | "auto";
  /** Transitions per gradient step. @defaultValue 100 */
  batchSize: number;
  /** Replay buffer capacity, in transitions. @defaultValue 1_000_000 */
  bufferSize: number;
  /**
   * Gradient steps per environment step (the update-to-data ratio); a fraction takes one step
   * whenever the owed steps reach a whole one (0.5: every second env step), as the HER paper's
   * 40 updates per 100 steps did. @defaultValue 1
   */
  updatesPerStep: number;
  /**
   * TQC's truncated quantile critics in place of SAC's twin scalar ones (Kuznetsov et al. 2020;
   * SB3-contrib's `n_quantiles` 25 and `top_quantiles_to_drop_per_net` 2 with two nets, as RL
   * Baselines3 Zoo trains the panda-gym tasks). ONNX Runtime learner only. @defaultValue null (SAC)
   */
  tqc: TqcSettings | null;
  /**
   * Clip each critic target to [-1/(1 - gamma), 0], the discounted returns the goal envs' sparse
   * -1/0 reward allows: OpenAI baselines' HER (`clip_return`) does it for DDPG. Without it the zoo
   * saw the critic loss run away to 1e10 within 6,000 steps on one seed of PandaPickAndPlace's and one
   * of PandaStack's BC rows (docs/benchmarks.md, "Critics that run away"). Only for rewards in
   * [-1, 0]. A negative number clips to [that number, 0] instead: a tighter bound known to hold
   * (Levy et al. 2019 bound HAC's levels by their horizons, [-H, 0]; for DDPG, whose values carry
   * no entropy bonus: E1e, docs/benchmarks.md).
   * @defaultValue false
   */
  clipReturn: boolean | number;
}

/** The lowest target `clipReturn: true` allows: the return of a reward of -1 at every step, -1/(1 - gamma). */
export const lowestReturn = (gamma: number): number => -1 / (1 - gamma);

/** The range `config.clipReturn` clips critic targets to, or null where it does not clip. */
export function targetRange(config: Pick<SacConfig, "clipReturn" | "gamma">): readonly [number, number] | null {
  if (config.clipReturn === false) return null;
  return [config.clipReturn === true ? lowestReturn(config.gamma) : config.clipReturn, 0];
}

/** The seed code (HR:SAC.py): fixed alpha 0.2, lr 1e-3, batch 100. */
export const seedPreset: SacConfig = {
  hidden: [256, 256],
  actorLr: 1e-3,
  criticLr: 1e-3,
  alphaLr: 1e-3,
  gamma: 0.99,
  polyak: 0.995,
  alpha: 0.2,
  learnAlpha: false,
  targetEntropy: "auto",
  batchSize: 100,
  bufferSize: 1_000_000,
  updatesPerStep: 1,
  tqc: null,
  clipReturn: false,
};

/** Stable-Baselines3's SAC defaults: lr 3e-4, batch 256, tau 0.005, learned alpha from 1. */
export const sb3Preset: SacConfig = {
  ...seedPreset,
  actorLr: 3e-4,
  criticLr: 3e-4,
  alphaLr: 3e-4,
  alpha: 1,
  learnAlpha: true,
  batchSize: 256,
};

export type SacPresetName = "seed" | "sb3";

export const sacPresets: Readonly<Record<SacPresetName, SacConfig>> = { seed: seedPreset, sb3: sb3Preset };

/** A preset with some fields overridden, validated. */
export function sacConfig(preset: SacPresetName, overrides: Partial<SacConfig> = {}): SacConfig {
  const config = { ...sacPresets[preset], ...overrides };
  validateSacConfig(config);
  return config;
}

export function validateSacConfig(config: SacConfig): void {
  const positive: (keyof SacConfig)[] = ["actorLr", "criticLr", "alphaLr", "alpha", "batchSize", "bufferSize", "updatesPerStep"];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== "number" || !(value > 0)) throw new ConfigError(`SacConfig.${key} must be > 0, got ${String(value)}`);
  }
  if (!(config.gamma >= 0 && config.gamma <= 1)) throw new ConfigError(`SacConfig.gamma must be in [0, 1], got ${config.gamma}`);
  if (!(config.polyak >= 0 && config.polyak <= 1)) throw new ConfigError(`SacConfig.polyak must be in [0, 1], got ${config.polyak}`);
  validateTqc(config.tqc);
  const clip = config.clipReturn;
  if (typeof clip !== "boolean" && !(typeof clip === "number" && Number.isFinite(clip) && clip < 0))
    throw new ConfigError(`SacConfig.clipReturn must be true, false or a negative lowest target, got ${JSON.stringify(clip)}`);
  if (clip === true && config.gamma === 1)
    throw new ConfigError("SacConfig.clipReturn needs gamma < 1: the return range [-1/(1 - gamma), 0] is unbounded at gamma 1");
  if (config.hidden.length === 0 || config.hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new ConfigError(`SacConfig.hidden must be positive integers, got [${config.hidden.join(", ")}]`);
  }
}

function validateTqc(tqc: unknown): void {
  if (tqc === null) return;
  const { quantiles, dropPerNet, ...rest } = (typeof tqc === "object" ? tqc : {}) as Record<string, unknown>;
  if (typeof tqc !== "object" || Object.keys(rest).length > 0 || !Number.isInteger(quantiles) || !Number.isInteger(dropPerNet)) {
    throw new ConfigError(`SacConfig.tqc must be null or { quantiles, dropPerNet } (integers), got ${JSON.stringify(tqc)}`);
  }
  if ((quantiles as number) < 1 || (dropPerNet as number) < 0 || (dropPerNet as number) >= (quantiles as number)) {
    throw new ConfigError(`SacConfig.tqc needs quantiles >= 1 and 0 <= dropPerNet < quantiles, got ${JSON.stringify(tqc)}`);
  }
}
