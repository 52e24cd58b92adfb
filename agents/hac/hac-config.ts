/**
 * The configuration of Hierarchical Actor-Critic (Levy et al. 2019) as the post's author ran it
 * (`docs/original-code.md` §3.5), validated with zod so that a bad config file names its
 * bad field. Every behaviour of the author's code that changes results and that the notes flag in
 * §5 is a named switch under `quirks`: `true` reproduces the author's code ("faithful"), `false`
 * (the default) is the fixed behaviour.
 */
import { z } from "zod";
import { sacPresets, validateSacConfig, type SacConfig } from "../sac/sac-config.js";
import { ConfigError } from "../config-error.js";

/** The observation key whose values the levels above the bottom one emit as subgoals. */
export type SubgoalSpace = "controllable_achieved_goal" | "achieved_goal" | "full_positional_state";

/**
 * The subgoal-testing variants of the post's ablation (docs/original-code.md §3.5 and §4 E4):
 * - `"a"`: every `testingInterval`-th window is a subgoal test (the lower levels act
 *   deterministically); a missed subgoal is penalised, and the stored action is still the
 *   hindsight action. The author's bug, and the best curve of the post.
 * - `"b"`: test as in (a), but on a testing window keep the commanded subgoal as the action and
 *   penalise it if missed (what HAC intends).
 * - `"c"`: no test, always substitute (the curve that fails: subgoals run off to the walls).
 * - `"d"`: no test; on a fraction `keepOriginalFraction` of windows store the commanded subgoal.
 */
export type SubgoalTestingVariant = "a" | "b" | "c" | "d";

const quirksSchema = z
  .object({
    /**
     * Every hindsight-relabelled reward is 0 (success), because the author's HER compared the new
     * goal with itself (docs/original-code.md §3.3, §5.1). Passed to every level's buffer as `faithful`,
     * which also makes "future" draw from strictly later transitions, as the author's did.
     * @defaultValue false
     */
    herRelabelledRewardZero: z.boolean().default(false),
    /**
     * The bottom level's real transitions carry the env's task reward instead of the subgoal
     * reward (docs/original-code.md §3.5 "Low-level transitions", §5.2). Relabelled copies, replanning
     * and subgoal tests use the subgoal reward either way.
     * @defaultValue false
     */
    lowLevelEnvReward: z.boolean().default(false),
    /**
     * No random warm-up: `hierarchy.py` from `3fdb4f2` on silently skipped its 2500 random
     * low-level steps (docs/original-code.md §3.2 "Warm-up", §5.3). Fixed: the trainer's `startSteps`
     * env steps take uniform random env actions while the levels above choose subgoals.
     * @defaultValue false
     */
    skipWarmup: z.boolean().default(false),
    /**
     * The last window of each episode is never stored at the levels that emit subgoals, since the
     * author stored a window only at the next replan (docs/original-code.md §3.5 "High-level
     * transitions", §5.4). Fixed: the window the episode's end cuts off is stored too.
     * @defaultValue false
     */
    dropLastWindow: z.boolean().default(false),
    /**
     * Subgoal tests are counted per episode: windows 0, 3, 6, ... of every episode are tests, so
     * the first window of every episode is always one (docs/original-code.md §3.5 "Subgoal testing",
     * §5.7). Fixed: the window counter runs on across episodes (and is checkpointed), so tests
     * fall on every `testingInterval`-th window of the whole run.
     * @defaultValue false
     */
    testCountPerEpisode: z.boolean().default(false),
  })
  .strict();

export type HacQuirks = z.infer<typeof quirksSchema>;

const sacOverridesSchema = z.record(z.string(), z.unknown());

export const hacConfigSchema = z
  .object({
    /** Levels of the hierarchy, the bottom one acting in the env. @defaultValue 2 */
    levels: z.number().int().min(2).default(2),
    /** Observation key the subgoals live in (§3.5: the point mass is best). @defaultValue "controllable_achieved_goal" */
    subgoalSpace: z.enum(["controllable_achieved_goal", "achieved_goal", "full_positional_state"]).default("controllable_achieved_goal"),
    /**
     * k: actions of the level below per subgoal (env steps for the bottom level; the post's
     * "horizon"). Also the size of the subgoal-test penalty. @defaultValue 5
     */
    replanInterval: z.number().int().positive().default(5),
    /**
     * Replan as soon as the level below reaches its subgoal (its sparse subgoal reward is >= 0,
     * by the env's own `computeReward` and threshold), or a level above reaches its own.
     * @defaultValue true
     */
    earlyReplan: z.boolean().default(true),
    /** Hindsight action: store the subgoal actually reached as the action (HAC). @defaultValue true */
    actionSubstitution: z.boolean().default(true),
    /** The subgoal-testing variant of the post's ablation; see {@link SubgoalTestingVariant}. @defaultValue "a" */
    subgoalTesting: z.enum(["a", "b", "c", "d"]).default("a"),
    /** Every this-many-th window of a level is a subgoal test (variants a, b). @defaultValue 3 */
    testingInterval: z.number().int().positive().default(3),
    /** Reward of a missed subgoal test; `"auto"` is `-replanInterval`. @defaultValue "auto" */
    subgoalPenalty: z.union([z.number(), z.literal("auto")]).default("auto"),
    /** Variant d: the share of windows that store the commanded subgoal. @defaultValue 0.2 */
    keepOriginalFraction: z.number().min(0).max(1).default(0.2),
    /**
     * Subgoals as offsets from the subgoal-space state at the start of the window (`--relative`
     * in the author's code) instead of absolute positions. @defaultValue false
     */
    relativeSubgoals: z.boolean().default(false),
    /**
     * Action bound of the levels that emit subgoals (their tanh output is scaled by it), and the
     * clip of every subgoal. `"auto"`: per dimension, half the subgoal space's Box width, at most
     * 2.5 (the author's `ENVIRONMENT_BOUNDS`; the PointMass boxes are ±2.75, so 2.5), about the
     * Box's centre (0 on PointMass; an arm's workspace sits above its table). A number: that
     * bound about 0. `{ low, high }`: that box, per dimension, for a space whose Box is far
     * larger than where subgoals are useful (a Panda's gripper position is bounded by the 4 m
     * floor, its task by the table: a tanh output spread over metres places subgoals centimetres
     * off, and they are never reached).
     * @defaultValue "auto"
     */
    subgoalLimit: z
      .union([
        z.number().positive(),
        z.literal("auto"),
        z.object({ low: z.array(z.number().finite()), high: z.array(z.number().finite()) }).strict(),
      ])
      .default("auto"),
    /**
     * Reward of a stored window of a level above the bottom one: `"last"` is the reward of the
     * window's last env step against that level's goal (the author's), `"sum"` the sum over the
     * window's env steps (the semi-MDP return). `"last"` is the default because HER relabels a
     * row with the single-step reward of its end state, which only `"last"` agrees with; `"sum"`
     * mixes two scales in one buffer (docs/original-code.md §3.5, §5.4).
     * @defaultValue "last"
     */
    highLevelReward: z.enum(["last", "sum"]).default("last"),
    quirks: quirksSchema.default({
      herRelabelledRewardZero: false,
      lowLevelEnvReward: false,
      skipWarmup: false,
      dropLastWindow: false,
      testCountPerEpisode: false,
    }),
    /** SAC preset of every level. @defaultValue "seed" */
    preset: z.enum(["seed", "sb3"]).default("seed"),
    /** SAC overrides applied to every level (see agents/sac/sac-config.ts). */
    sac: sacOverridesSchema.default({}),
    /** Per-level SAC overrides, bottom level first, applied after `sac`. */
    levelSac: z.array(sacOverridesSchema).default([]),
    her: z
      .object({
        /** Relabelled transitions per real one (docs/original-code.md §3.3: 4). */
        nSampledGoal: z.number().int().nonnegative().default(4),
        strategy: z.enum(["future", "final", "episode"]).default("future"),
      })
      .strict()
      .default({ nSampledGoal: 4, strategy: "future" }),
  })
  .strict();

export type HacConfig = z.infer<typeof hacConfigSchema>;

/** A validated config with every default filled in; throws naming the bad fields. */
export function parseHacConfig(value: unknown = {}, where = "hac config"): HacConfig {
  const parsed = hacConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(`${where}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ")}`);
  }
  const config = parsed.data;
  if (config.levelSac.length > config.levels) {
    throw new ConfigError(`${where}: levelSac has ${config.levelSac.length} entries for ${config.levels} levels`);
  }
  const levels = levelSacConfigs(config); // unknown or bad SAC fields fail here, not at the first update
  levels.forEach((sac, level) => {
    if (level > 0 && sac.clipReturn === true) checkClipAbove(config, level, where);
  });
  return config;
}

/**
 * `clipReturn: true` bounds targets by a reward of -1 at every step. A level above the bottom
 * is paid less than that by a missed subgoal test (-replanInterval by default) or by summed
 * windows, so the clip would cut returns its rewards truly reach. A number is the user's own
 * bound, and is taken as given.
 */
function checkClipAbove(config: HacConfig, level: number, where: string): void {
  const penalty = subgoalPenalty(config);
  const why =
    config.highLevelReward === "sum"
      ? 'highLevelReward "sum" pays a window up to -replanInterval'
      : penalty < -1 && (config.subgoalTesting === "a" || config.subgoalTesting === "b")
        ? `a missed subgoal test pays ${penalty}`
        : null;
  if (why === null) return;
  throw new ConfigError(
    `${where}: clipReturn on level ${level} would clip targets to [-1/(1 - gamma), 0], but ${why}, below the -1 a step the clip assumes; clip the bottom level alone (levelSac: [{ clipReturn: true }])`,
  );
}

/** The SAC hyperparameters of each level, bottom first: preset, then `sac`, then `levelSac[i]`. */
export function levelSacConfigs(config: HacConfig): SacConfig[] {
  const base = sacPresets[config.preset];
  return Array.from({ length: config.levels }, (_, level) => {
    const overrides = { ...config.sac, ...(config.levelSac[level] ?? {}) };
    for (const key of Object.keys(overrides)) {
      if (!(key in base))
        throw new ConfigError(`unknown SAC hyperparameter "${key}" for level ${level} (known: ${Object.keys(base).join(", ")})`);
    }
    const sac = { ...base, ...(overrides as Partial<SacConfig>) };
    validateSacConfig(sac);
    return sac;
  });
}

/** The reward of a missed subgoal test. */
export function subgoalPenalty(config: HacConfig): number {
  return config.subgoalPenalty === "auto" ? -config.replanInterval : config.subgoalPenalty;
}
