/**
 * Hierarchical Actor-Critic (Levy et al. 2019, "Learning Multi-Level Hierarchies with
 * Hindsight") as the post's author ran it (`docs/original-code.md` §3.5): a stack of SAC
 * levels, each with its own HER buffer. The top level's goal is the env's desired goal; every
 * other level's goal is the subgoal the level above it set. The bottom level acts in the env.
 *
 * Words from the paper, used throughout:
 * - a *window* is the life of one subgoal: up to k actions of the level below (k env steps for the
 *   bottom level), cut short when a subgoal is reached (early replan) or the episode ends;
 * - the *hindsight action* is the subgoal the level below actually reached by the window's end,
 *   stored in place of the commanded one (action substitution);
 * - a *subgoal test* is a window in which every level below acts deterministically, so that a
 *   missed subgoal can be blamed on the subgoal and penalised (-k).
 *
 * {@link Hac} holds the levels, each a {@link HerLearner}; {@link HacRollout} (./hac-rollout.ts) is
 * one episode's controller (which subgoals are active, when to replan) and, in training, decides
 * what every buffer stores. Implementation details and the quirk switches: ./README.md.
 */
import { join } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import type { GoalEnv, GoalObs } from "../../sim/core/env.js";
import { Rng } from "../../sim/core/rng.js";
import { goalEnvReward } from "../buffers/her-replay-buffer.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import type { CheckpointBlobs } from "../run/checkpoint.js";
import { HerLearner, type LearnerSpaces, type LossTotals } from "../sac/her-learner.js";
import { levelSacConfigs, parseHacConfig, subgoalPenalty, type HacConfig } from "./hac-config.js";
import { HacRollout, type StoredTransition } from "./hac-rollout.js";
import { subgoalBounds } from "./subgoal-space.js";

/** What chooses a level's actions: its SAC policy, or a scripted stand-in (tests, experts). */
export interface LevelActor {
  /** Actions for one input row (observation ‖ goal), within the level's action bounds. */
  act(input: Float32Array, deterministic: boolean): Float32Array;
}

export interface HacOptions {
  /** Seeds every level's weights and noise, the buffers' sampling and the variant-d draws. @defaultValue 0 */
  seed?: number;
  /** Capacity of every level's buffer; at most each level's `bufferSize`. @defaultValue bufferSize */
  bufferCapacity?: number;
  /** Scripted actors replacing some levels' policies, by level index. */
  actors?: Readonly<Record<number, LevelActor>>;
}

export class Hac {
  readonly config: HacConfig;
  /**
   * The stack, bottom first: level 0 acts in the env, level `levels - 1` (the top) pursues the
   * env goal, every level between pursues the subgoal set from above. Each learns by SAC + HER on
   * its own goal space: the env goal at the top, the subgoal space below.
   */
  readonly levels: readonly HerLearner[];
  readonly observationDim: number;
  /** Size of the subgoal space. */
  readonly subgoalDim: number;
  /** Bound of every subgoal and of the subgoal-emitting levels' outputs, per dimension. */
  readonly subgoalLimit: Float64Array;
  /**
   * Middle of the subgoal space, per dimension: an absolute subgoal is `subgoalCenter + output`, so
   * a level's tanh range covers a space that is not centred on 0 (an arm's workspace above its
   * table). 0 for the PointMass spaces and for a numeric `subgoalLimit`.
   */
  readonly subgoalCenter: Float64Array;
  readonly penalty: number;
  /** Called with every transition a buffer receives. */
  onStore: ((stored: StoredTransition) => void) | null = null;
  /**
   * Windows each level has opened in training, over the whole run (the subgoal-test clock when
   * `quirks.testCountPerEpisode` is off).
   */
  windowCounters: number[];
  /** Variant d's draws. */
  readonly rng: Rng;

  private readonly actors: Map<number, LevelActor>;

  constructor(env: GoalEnv, config: unknown = {}, options: HacOptions = {}) {
    this.config = parseHacConfig(config);
    const { levels: n, subgoalSpace } = this.config;
    const seeds = new Rng(options.seed ?? 0);
    this.rng = new Rng(seeds.nextUint32());
    this.observationDim = env.observationSpace.box("observation").size;
    const subgoalBox = env.observationSpace.box(subgoalSpace);
    this.subgoalDim = subgoalBox.size;
    ({ center: this.subgoalCenter, limit: this.subgoalLimit } = subgoalBounds(this.config, subgoalBox));
    this.penalty = subgoalPenalty(this.config);
    const envGoalDim = env.observationSpace.box("desired_goal").size;
    const her = { ...this.config.her, faithful: this.config.quirks.herRelabelledRewardZero };
    this.levels = levelSacConfigs(this.config).map((sacConfig, index) => {
      const top = index === n - 1;
      const spaces: LearnerSpaces = {
        goal: top ? { key: "desired_goal", size: envGoalDim } : { key: "subgoal", size: this.subgoalDim },
        actLimit: index === 0 ? Float64Array.from(env.actionSpace.high) : this.subgoalLimit,
        // The top level is scored on the env goal; every other level on the subgoal space.
        computeReward: top ? goalEnvReward(env) : goalEnvReward(env, this.subgoalDim),
      };
      const levelSeeds = { sac: seeds.nextUint32(), buffer: seeds.nextUint32() };
      return new HerLearner(env, sacConfig, her, options.bufferCapacity ?? sacConfig.bufferSize, levelSeeds, spaces);
    });
    this.windowCounters = new Array<number>(n).fill(0);
    this.actors = new Map(Object.entries(options.actors ?? {}).map(([k, v]) => [Number(k), v]));
  }

  get numLevels(): number {
    return this.levels.length;
  }

  /** The actor of `level`: a scripted one if given, else the level's SAC policy. */
  actor(level: number): LevelActor {
    return this.actors.get(level) ?? this.levels[level]!.agent;
  }

  /** Replaces (or, with null, restores) a level's actor. */
  setActor(level: number, actor: LevelActor | null): void {
    if (actor === null) this.actors.delete(level);
    else this.actors.set(level, actor);
  }

  /**
   * Starts an episode from its first observation. `"train"` explores (stochastic policies),
   * runs subgoal tests and stores transitions; `"eval"` acts deterministically at every level
   * and touches no buffer, counter or generator.
   */
  rollout(obs: GoalObs, mode: "train" | "eval"): HacRollout {
    return new HacRollout(this, obs, mode);
  }

  /**
   * The update schedule of the author's code (docs/original-code.md §3.2): `updatesPerStep` gradient
   * steps per stored transition at every level, that is per env step at the bottom and per
   * closed window above; none before a level's buffer holds a batch.
   */
  learn(stored: readonly number[], losses?: LossTotals[]): void {
    this.levels.forEach((level, i) => level.learn(losses?.[i], stored[i] ?? 0));
  }

  /** Every level's SAC state and buffer, as checkpoint blobs `sac_l<i>` and `buffer_l<i>`. */
  toBlobs(): Record<string, Uint8Array> {
    const blobs: Record<string, Uint8Array> = {};
    this.levels.forEach((level, i) => Object.assign(blobs, level.toBlobs("", `_l${i}`)));
    return blobs;
  }

  /**
   * Puts a checkpoint back: every level from the blobs {@link toBlobs} wrote, and the variant-d
   * generator and the subgoal-test clocks, which the trainer keeps in its loop state.
   */
  restore(blobs: CheckpointBlobs, rng: [number, number, number, number], windowCounters: readonly number[]): void {
    if (windowCounters.length !== this.levels.length)
      throw new Error(`Hac.restore: ${windowCounters.length} window counters for ${this.levels.length} levels`);
    this.levels.forEach((level, i) => level.restoreBlobs("", blobs, `_l${i}`));
    this.rng.state = rng;
    this.windowCounters = [...windowCounters];
  }

  /** Writes `dir/hac.json` and each level's policy and SAC state to `dir/level-<i>/`. */
  async save(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    for (const [i, level] of this.levels.entries()) await level.agent.save(join(dir, `level-${i}`), level.policyInputs);
    writeFileAtomic(join(dir, "hac.json"), `${JSON.stringify({ format: "rapier-gym-hac/1", config: this.config }, null, 2)}\n`);
  }

  /** An agent for `env` with the weights {@link save} wrote to `dir`. */
  static async load(dir: string, env: GoalEnv): Promise<Hac> {
    const file = JSON.parse(readFileSync(join(dir, "hac.json"), "utf8")) as { format?: string; config?: unknown };
    if (file.format !== "rapier-gym-hac/1") throw new Error(`${dir}/hac.json is not a rapier-gym HAC agent`);
    // A policy needs no replay room: the smallest buffers will do.
    const agent = new Hac(env, file.config, { bufferCapacity: 1 });
    for (const [i, level] of agent.levels.entries()) await level.loadAgent(join(dir, `level-${i}`));
    return agent;
  }

  dispose(): void {
    for (const level of this.levels) level.dispose();
  }
}
