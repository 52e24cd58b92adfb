/**
 * HAC training, as the seed code's `hierarchy.py` (seed-code-notes §3.5), in the same run
 * directory as the flat trainer (agents/train/sac-her-trainer.ts): config.json, metrics.jsonl,
 * checkpoints/, plots/, policy/. One env; the bottom level updates once per env step, every level
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
import { make, Rng, type EnvMaker, type GoalEnv, type GoalObs } from "../../sim/index.js";
import { resumePoint, saveCheckpoint } from "../train/checkpoint.js";
import { MetricsLog, type MetricsRow } from "../train/metrics-log.js";
import { ProgressBar } from "../train/progress-bar.js";
import { parseTrainingConfig, runScheduleFields } from "../train/run-schedule.js";
import { createRunDir, readRunConfig, runPaths, type RunPaths } from "../train/run-dir.js";
import { writeRunPlots } from "../train/run-plots.js";
import { sacStateFromBytes, sacStateToBytes } from "../train/sac-state-codec.js";
import { evaluatePolicy } from "../train/evaluate.js";
import { HerLearner, emptyLosses, lossFields, type LossTotals } from "../train/her-learner.js";
import { Hac, evaluateHac, type HacRollout, type LevelLosses } from "./hac.js";
import { hacConfigSchema, levelSacConfigs, parseHacConfig } from "./hac-config.js";

/** Evaluation episodes are seeded from here on, apart from any training seed (as the flat trainer). */
const EVAL_SEED_BASE = 1_000_000;

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
     * Train a shadow learner beside the hierarchy (seed-code-notes §3.7, the post's "benefits
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

interface LoopState {
  step: number;
  episode: number;
  nextEval: number;
  nextCheckpoint: number;
  /** Draws the random warm-up actions. */
  actionRng: [number, number, number, number];
  /** The agent's variant-d generator and subgoal-test clocks. */
  agentRng: [number, number, number, number];
  windowCounters: number[];
}

export interface HacTrainerOptions {
  /** Show a progress bar (default: when stderr is a TTY, else plain lines). */
  progress?: boolean;
}

export class HacTrainer {
  readonly agent: Hac;
  private readonly paths: RunPaths;
  private readonly env: GoalEnv;
  private readonly evalEnv: GoalEnv;
  private readonly metrics: MetricsLog;
  private readonly actionRng = new Rng(0);
  private readonly warmupSteps: number;
  private state: LoopState;
  private obs: GoalObs | null = null;
  private readonly shadow: HerLearner | null;
  /** The training episode under way, kept across `run` calls. */
  private episode: { rollout: HacRollout; return: number; windows: number; reached: number; losses: LevelLosses[]; shadowLosses: LossTotals } | null = null;

  private constructor(
    root: string,
    readonly config: HacTrainConfig,
    makeEnv: EnvMaker,
  ) {
    this.paths = runPaths(root);
    this.env = makeEnv(config.env, config.envKwargs);
    this.evalEnv = makeEnv(config.env, config.envKwargs);
    // No buffer needs more room than the run has env steps (every window holds at least one).
    this.agent = new Hac(this.env, config.hac, { seed: config.seed, bufferCapacity: config.steps });
    this.metrics = new MetricsLog(this.paths.metrics);
    const her = { ...config.hac.her, faithful: config.hac.quirks.herRelabelledRewardZero };
    this.shadow = config.shadow ? new HerLearner(this.env, levelSacConfigs(config.hac)[0]!, her, config.steps, config.seed + 3) : null;
    this.actionRng.reseed(config.seed + 2);
    this.warmupSteps = config.hac.quirks.skipWarmup ? 0 : config.startSteps;
    this.state = {
      step: 0,
      episode: 0,
      nextEval: config.evalEvery,
      nextCheckpoint: config.checkpointEvery,
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
    trainer.obs = trainer.env.reset({ seed: parsed.seed }).obs;
    return trainer;
  }

  /**
   * A fresh trainer in an existing run directory, whose config.json belongs to a method built on
   * HAC (relay learning writes its own and derives `config` from it).
   */
  static open(root: string, config: HacTrainConfig, makeEnv: EnvMaker = make): HacTrainer {
    const trainer = new HacTrainer(root, parseHacTrainConfig(config, join(root, "config.json")), makeEnv);
    trainer.obs = trainer.env.reset({ seed: config.seed }).obs;
    return trainer;
  }

  /**
   * Continues the run in `root` from its latest complete checkpoint (or from the start). `config`
   * replaces reading config.json, for methods built on HAC (see {@link open}).
   */
  static resume(root: string, config: HacTrainConfig = parseHacTrainConfig(readRunConfig(root), join(root, "config.json")), makeEnv: EnvMaker = make): HacTrainer {
    const trainer = new HacTrainer(root, config, makeEnv);
    const checkpoint = resumePoint(trainer.paths.checkpoints);
    if (checkpoint === null) {
      trainer.metrics.truncateAfter(-1);
      trainer.obs = trainer.env.reset({ seed: config.seed }).obs;
      return trainer;
    }
    const blob = checkpoint.blob;
    trainer.state = checkpoint.meta as LoopState;
    const levels = trainer.agent.levels.map((l) => l.index);
    trainer.agent.setState({
      sac: levels.map((i) => sacStateFromBytes(blob(`sac_l${i}`))),
      rng: trainer.state.agentRng,
      windowCounters: trainer.state.windowCounters,
    });
    trainer.agent.restoreBuffers(levels.map((i) => blob(`buffer_l${i}`)));
    trainer.shadow?.restoreBlobs("shadow_", blob);
    trainer.env.restore(blob("env"));
    trainer.actionRng.state = trainer.state.actionRng;
    trainer.metrics.truncateAfter(trainer.state.step);
    // Checkpoints are taken at an episode end, before the reset the loop does next.
    trainer.obs = trainer.env.reset().obs;
    return trainer;
  }

  get step(): number {
    return this.state.step;
  }

  /**
   * Trains until `config.steps` env steps (or `until`, to stop early as a kill would), logging
   * each episode, evaluating every `evalEvery` steps and checkpointing every `checkpointEvery`.
   */
  async run(options: HacTrainerOptions & { until?: number } = {}): Promise<void> {
    const { config, agent } = this;
    const until = Math.min(options.until ?? config.steps, config.steps);
    const bar = options.progress === false ? null : new ProgressBar({ total: config.steps, startStep: this.state.step, label: `hac ${config.env}` });
    const freshLosses = (): LevelLosses[] => agent.levels.map(() => ({ qf: 0, pi: 0, alpha: 0, updates: 0 }));
    let obs = this.obs!;
    const ep = (this.episode ??= { rollout: agent.rollout(obs, "train"), return: 0, windows: 0, reached: 0, losses: freshLosses(), shadowLosses: emptyLosses() });
    let lastEval: { return: number; success: number } | null = null;
    const t0 = performance.now();
    const step0 = this.state.step;
    while (this.state.step < until) {
      const warmup = this.state.step < this.warmupSteps ? this.env.actionSpace.sample(this.actionRng) : undefined;
      const action = ep.rollout.act(obs, warmup);
      const r = this.env.step(action);
      const events = ep.rollout.step(action, r);
      this.shadow?.observe(obs, action, r);
      this.shadow?.learn(ep.shadowLosses);
      for (const w of events.closed) if (w.level === 1) [ep.windows, ep.reached] = [ep.windows + 1, ep.reached + (w.reached ? 1 : 0)];
      ep.return += r.reward;
      obs = r.obs;
      this.state.step++;
      agent.learn(events.stored, ep.losses);
      if (this.state.step >= this.state.nextEval) {
        const e = evaluateHac(agent, this.evalEnv, config.evalEpisodes, EVAL_SEED_BASE + this.state.nextEval);
        lastEval = { return: e.meanReturn, success: e.successRate };
        this.metrics.append({
          step: this.state.step,
          episode: this.state.episode,
          "eval/return": e.meanReturn,
          "eval/success": e.successRate,
          "eval/subgoal_reached": e.subgoalReached,
          ...(this.shadow ? this.evaluateShadow(this.shadow) : {}),
        });
        this.state.nextEval += config.evalEvery;
      }
      if (r.terminated || r.truncated) {
        this.state.episode++;
        const row: MetricsRow = {
          step: this.state.step,
          episode: this.state.episode,
          "train/return": ep.return,
          "train/success": r.info.is_success ? 1 : 0,
          "hac/windows": ep.windows,
          "hac/subgoal_reached": ep.windows > 0 ? ep.reached / ep.windows : 0,
          "time/steps_per_s": ((this.state.step - step0) * 1000) / (performance.now() - t0),
        };
        Object.assign(row, lossFields(ep.shadowLosses, "shadow/"));
        ep.losses.forEach((l, i) => {
          if (l.updates > 0) Object.assign(row, { [`loss/qf_l${i}`]: l.qf / l.updates, [`loss/pi_l${i}`]: l.pi / l.updates, [`alpha_l${i}`]: l.alpha / l.updates });
        });
        this.metrics.append(row);
        bar?.update(this.state.step, { return: ep.return, success: lastEval?.success ?? (r.info.is_success ? 1 : 0) });
        if (this.state.step >= this.state.nextCheckpoint) {
          while (this.state.nextCheckpoint <= this.state.step) this.state.nextCheckpoint += config.checkpointEvery;
          this.checkpoint();
        }
        obs = this.env.reset().obs;
        Object.assign(ep, { rollout: agent.rollout(obs, "train"), return: 0, windows: 0, reached: 0, losses: freshLosses(), shadowLosses: emptyLosses() });
      }
    }
    this.obs = obs;
    bar?.finish();
    if (this.state.step >= config.steps) {
      await agent.save(join(this.paths.root, "policy"));
      writeRunPlots(this.paths.root, `HAC (${config.hac.levels} levels, k=${config.hac.replanInterval}) on ${config.env} (seed ${config.seed})`);
    }
  }

  close(): void {
    this.env.close();
    this.evalEnv.close();
    this.agent.dispose();
    this.shadow?.dispose();
  }

  /** The shadow learner on the same seeded episodes as the hierarchy's evaluation. */
  private evaluateShadow(shadow: HerLearner): Record<string, number> {
    const e = evaluatePolicy(this.evalEnv, (o) => shadow.act(o, true), this.config.evalEpisodes, EVAL_SEED_BASE + this.state.nextEval);
    return { "shadow/eval/return": e.meanReturn, "shadow/eval/success": e.successRate };
  }

  private checkpoint(): void {
    this.state.actionRng = this.actionRng.state;
    this.state.agentRng = this.agent.rng.state;
    this.state.windowCounters = [...this.agent.windowCounters];
    const blobs: Record<string, Uint8Array> = { env: this.env.snapshot(), ...this.shadow?.toBlobs("shadow_") };
    for (const level of this.agent.levels) {
      blobs[`sac_l${level.index}`] = sacStateToBytes(level.sac.getWeights());
      blobs[`buffer_l${level.index}`] = level.buffer.toBytes();
    }
    saveCheckpoint(this.paths.checkpoints, { step: this.state.step, meta: this.state, blobs });
  }
}
