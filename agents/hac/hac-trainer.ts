/**
 * HAC training, as the seed code's `hierarchy.py` (docs/original-code.md §3.5), in the same run
 * directory as the flat trainer (agents/sac/sac-her-trainer.ts): config.json, metrics.jsonl,
 * checkpoints/, policy/ (and the CLI's plots/). One env; the bottom level updates once per env step, every level
 * above once per window it stores. A checkpoint, taken at an episode end, holds every level's SAC
 * state and buffer, the env and every generator, so a resumed run logs the same metrics as one
 * that was never stopped.
 *
 * Besides the flat trainer's metrics, each episode logs `hac/windows` (subgoals the bottom level
 * was given) and `hac/subgoal_reached` (the share of them it reached), and each level's losses as
 * `loss/qf_l<i>`, `loss/pi_l<i>`, `alpha_l<i>`.
 */
import { join } from "node:path";
import { z } from "zod";
import { make, type EnvMaker } from "../../sim/index.js";
import { parseTrainingConfig, runScheduleFields } from "../run/run-schedule.js";
import { createRunDir, readRunConfig } from "../run/run-dir.js";
import { evaluatePolicy } from "../run/evaluate.js";
import { HerLearner, emptyLosses, lossFields, type LossTotals } from "../sac/her-learner.js";
import { RunTrainer, type RunState } from "../run/run-trainer.js";
import { initialCounters, type TrainingLoopHooks } from "../run/training-loop.js";
import { Hac } from "./hac.js";
import type { HacRollout } from "./hac-rollout.js";
import { evaluateHac } from "./evaluate-hac.js";
import { hacConfigSchema, levelSacConfigs, parseHacConfig } from "./hac-config.js";

export const hacTrainConfigSchema = z
  .object({
    ...runScheduleFields,
    algo: z.literal("hac"),
    /** The hierarchy (agents/hac/hac-config.ts), SAC presets and HER settings included. */
    hac: hacConfigSchema.prefault({}),
    /**
     * Env steps of uniform random env actions at the start, the levels above choosing subgoals
     * all the while (hierarchy.py: 2500). `hac.quirks.skipWarmup` skips them, as the author's
     * code did by mistake.
     */
    startSteps: z.number().int().nonnegative().default(2500),
    /**
     * Train a shadow learner beside the hierarchy (docs/original-code.md §3.7, the post's "benefits
     * beyond exploration"): flat SAC + HER with the bottom level's SAC settings, fed the
     * hierarchy's env steps, updated once per env step and evaluated with its own deterministic
     * policy (`shadow/eval/*` in the metrics).
     */
    shadow: z.boolean().default(false),
  })
  .strict();

export type HacTrainConfig = z.infer<typeof hacTrainConfigSchema>;

export function parseHacTrainConfig(value: unknown, where: string): HacTrainConfig {
  const config = parseTrainingConfig(hacTrainConfigSchema, value, where);
  // Cross-field checks (levelSac length, SAC field names), naming the field.
  parseHacConfig(config.hac, `${where}: bad training config: hac`);
  return config;
}

interface LoopState extends RunState {
  /** The agent's variant-d generator and subgoal-test clocks. */
  agentRng: [number, number, number, number];
  windowCounters: number[];
}

export class HacTrainer extends RunTrainer<LoopState, HacTrainConfig> {
  readonly agent: Hac;
  protected state: LoopState;
  private readonly warmupSteps: number;
  private readonly shadow: HerLearner | null;
  /** The training episode under way, kept across `run` calls. */
  private episode: { rollout: HacRollout; windows: number; reached: number; losses: LossTotals[]; shadowLosses: LossTotals } | null = null;

  private constructor(root: string, config: HacTrainConfig, makeEnv: EnvMaker) {
    super(root, config, makeEnv);
    // No buffer needs more room than the run has env steps (every window holds at least one).
    this.agent = new Hac(this.env, config.hac, { seed: config.seed, bufferCapacity: config.steps });
    const her = { ...config.hac.her, faithful: config.hac.quirks.herRelabelledRewardZero };
    this.shadow = config.shadow ? new HerLearner(this.env, levelSacConfigs(config.hac)[0]!, her, config.steps, config.seed + 3) : null;
    this.warmupSteps = config.hac.quirks.skipWarmup ? 0 : config.startSteps;
    this.state = {
      ...initialCounters(config),
      actionRng: this.actionRng.state,
      agentRng: this.agent.rng.state,
      windowCounters: [...this.agent.windowCounters],
    };
  }

  /** Starts a new run in `root` (which must not hold one). */
  static start(root: string, config: unknown, makeEnv: EnvMaker = make): HacTrainer {
    const parsed = parseHacTrainConfig(config, "train");
    createRunDir(root, parsed);
    const trainer = new HacTrainer(root, parsed, makeEnv);
    trainer.begin();
    return trainer;
  }

  /**
   * A fresh trainer in an existing run directory, whose config.json belongs to a method built on
   * HAC (relay learning writes its own and derives `config` from it).
   */
  static open(root: string, config: HacTrainConfig, makeEnv: EnvMaker = make): HacTrainer {
    const trainer = new HacTrainer(root, parseHacTrainConfig(config, join(root, "config.json")), makeEnv);
    trainer.begin();
    return trainer;
  }

  /**
   * Continues the run in `root` from its latest complete checkpoint (or from the start). `config`
   * replaces reading config.json, for methods built on HAC (see {@link open}).
   */
  static resume(
    root: string,
    config: HacTrainConfig = parseHacTrainConfig(readRunConfig(root), join(root, "config.json")),
    makeEnv: EnvMaker = make,
  ): HacTrainer {
    const trainer = new HacTrainer(root, config, makeEnv);
    trainer.resumeFromCheckpoint((blobs) => {
      trainer.agent.restore(blobs, trainer.state.agentRng, trainer.state.windowCounters);
      trainer.shadow?.restoreBlobs("shadow_", blobs);
    });
    return trainer;
  }

  protected label(): string {
    return `hac ${this.config.env}`;
  }

  protected title(): string {
    const { hac, env, seed } = this.config;
    return `HAC (${hac.levels} levels, k=${hac.replanInterval}) on ${env} (seed ${seed})`;
  }

  protected dispose(): void {
    this.agent.dispose();
    this.shadow?.dispose();
  }

  protected hooks(): TrainingLoopHooks {
    const { config, agent } = this;
    const episode = (): NonNullable<HacTrainer["episode"]> =>
      (this.episode ??= {
        rollout: agent.rollout(this.obs!, "train"),
        windows: 0,
        reached: 0,
        losses: agent.levels.map(() => emptyLosses()),
        shadowLosses: emptyLosses(),
      });
    return {
      counters: () => this.state,
      envStep: () => {
        const ep = episode();
        const obs = this.obs!;
        const warmup = this.state.step < this.warmupSteps ? this.env.actionSpace.sample(this.actionRng) : undefined;
        const action = ep.rollout.act(obs, warmup);
        const r = this.env.step(action);
        const events = ep.rollout.step(action, r);
        this.shadow?.observe(obs, action, r);
        this.shadow?.learn(ep.shadowLosses);
        for (const w of events.closed) if (w.level === 1) [ep.windows, ep.reached] = [ep.windows + 1, ep.reached + (w.reached ? 1 : 0)];
        this.obs = r.obs;
        agent.learn(events.stored, ep.losses);
        return { reward: r.reward, done: r.terminated || r.truncated, success: r.info.is_success === true };
      },
      evaluate: (evalSeed) => {
        const e = evaluateHac(agent, this.evalEnv, config.evalEpisodes, evalSeed, this.evalObserver ?? undefined);
        return {
          "eval/return": e.meanReturn,
          "eval/success": e.successRate,
          "eval/subgoal_reached": e.subgoalReached,
          ...(this.shadow ? this.evaluateShadow(this.shadow, evalSeed) : {}),
        };
      },
      episodeFields: () => {
        const ep = episode();
        const fields: Record<string, number> = {
          "hac/windows": ep.windows,
          "hac/subgoal_reached": ep.windows > 0 ? ep.reached / ep.windows : 0,
          ...lossFields(ep.shadowLosses, "shadow/"),
        };
        ep.losses.forEach((l, i) => Object.assign(fields, lossFields(l, "", `_l${i}`)));
        return fields;
      },
      checkpoint: () => this.checkpoint(),
      nextEpisode: () => {
        this.obs = this.env.reset().obs;
        this.episode = null;
      },
      finish: () => agent.save(join(this.paths.root, "policy")),
    };
  }

  /** The shadow learner on the same seeded episodes as the hierarchy's evaluation. */
  private evaluateShadow(shadow: HerLearner, evalSeed: number): Record<string, number> {
    const e = evaluatePolicy(this.evalEnv, (o) => shadow.act(o, true), this.config.evalEpisodes, evalSeed);
    return { "shadow/eval/return": e.meanReturn, "shadow/eval/success": e.successRate };
  }

  private checkpoint(): void {
    this.state.agentRng = this.agent.rng.state;
    this.state.windowCounters = [...this.agent.windowCounters];
    this.saveRunCheckpoint({ ...this.shadow?.toBlobs("shadow_"), ...this.agent.toBlobs() });
  }
}
